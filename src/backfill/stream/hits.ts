/**
 * Reads the hits of a search answer from its raw JSON text without building the documents: each hit's
 * `_source` comes back as the exact JSON text the source sent, ready to go into a `_bulk` line. Parsing
 * every document into objects only to serialise it again was the copier's largest CPU cost.
 *
 * This is a skipper, not a validator: the text comes from the cluster's JSON encoder. Only the few
 * metadata values are parsed (with JSON.parse, so escapes are exact); everything else is skipped by
 * bracket depth, jumping over strings with indexOf.
 */

export interface RawHit {
  readonly _id: string;
  readonly _routing?: string;
  readonly _version?: number;
  /** The `_source` object as JSON text, on one line; absent when the source has none. */
  readonly source?: string;
  readonly sort?: readonly unknown[];
}

export interface RawPage {
  readonly pitId?: string;
  readonly scrollId?: string;
  readonly hits: RawHit[];
}

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

/** Index just past the string that opens at `i` (a quote). */
function stringEnd(text: string, i: number): number {
  let j = i;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j < 0) throw new SyntaxError("unterminated string in search answer");
    let k = j - 1;
    while (text.charCodeAt(k) === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
  }
}

/** Index just past the value that starts at `i`. */
function valueEnd(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return stringEnd(text, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i;
    for (;;) {
      const d = text.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || Number.isNaN(d)) return j;
      j++;
    }
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = text.charCodeAt(j);
    if (d === QUOTE) {
      j = stringEnd(text, j);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    } else if (Number.isNaN(d)) throw new SyntaxError("unterminated value in search answer");
    j++;
  }
}

/**
 * Calls `onField(key, start, end)` for every member of the object that opens at `i`; returns the
 * index just past it.
 */
function members(
  text: string,
  i: number,
  onField: (key: string, start: number, end: number) => void,
): number {
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new SyntaxError("expected an object in search answer");
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACE) return j + 1;
  for (;;) {
    const keyEnd = stringEnd(text, j);
    const key = text.slice(j + 1, keyEnd - 1);
    j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) throw new SyntaxError("expected ':' in search answer");
    const start = skipSpace(text, j + 1);
    const end = valueEnd(text, start);
    onField(key, start, end);
    j = skipSpace(text, end);
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACE) return j + 1;
    if (c !== COMMA) throw new SyntaxError("expected ',' or '}' in search answer");
    j = skipSpace(text, j + 1);
  }
}

function hitAt(text: string, i: number): { hit: RawHit; end: number } {
  let id: string | undefined;
  let routing: string | undefined;
  let version: number | undefined;
  let source: string | undefined;
  let sort: unknown[] | undefined;
  const end = members(text, i, (key, start, stop) => {
    if (key === "_id") id = JSON.parse(text.slice(start, stop)) as string;
    else if (key === "_routing") routing = JSON.parse(text.slice(start, stop)) as string;
    else if (key === "_version") version = Number(text.slice(start, stop));
    else if (key === "_source") source = text.slice(start, stop);
    else if (key === "sort") sort = JSON.parse(text.slice(start, stop)) as unknown[];
  });
  if (id === undefined) throw new SyntaxError("a hit without _id in search answer");
  // NDJSON needs the document on one line; a raw line break outside strings is only whitespace.
  if (source !== undefined && /[\r\n]/.test(source)) source = source.replace(/[\r\n]/g, " ");
  return {
    hit: {
      _id: id,
      ...(routing === undefined ? {} : { _routing: routing }),
      ...(version === undefined ? {} : { _version: version }),
      ...(source === undefined ? {} : { source }),
      ...(sort === undefined ? {} : { sort }),
    },
    end,
  };
}

function hitsArray(text: string, i: number, out: RawHit[]): void {
  if (text.charCodeAt(i) !== OPEN_BRACKET) throw new SyntaxError("expected hits to be an array");
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACKET) return;
  for (;;) {
    const { hit, end } = hitAt(text, j);
    out.push(hit);
    j = skipSpace(text, end);
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACKET) return;
    if (c !== COMMA) throw new SyntaxError("expected ',' or ']' in hits");
    j = skipSpace(text, j + 1);
  }
}

/** The ids and hits of a `_search` / `_search/scroll` answer given as text. */
export function parseSearchPage(text: string): RawPage {
  let pitId: string | undefined;
  let scrollId: string | undefined;
  const hits: RawHit[] = [];
  const start = skipSpace(text, 0);
  if (start >= text.length) return { hits };
  members(text, start, (key, s, e) => {
    if (key === "pit_id") pitId = JSON.parse(text.slice(s, e)) as string;
    else if (key === "_scroll_id") scrollId = JSON.parse(text.slice(s, e)) as string;
    else if (key === "hits" && text.charCodeAt(s) === OPEN_BRACE) {
      members(text, s, (inner, is) => {
        if (inner === "hits") hitsArray(text, is, hits);
      });
    }
  });
  return {
    ...(pitId === undefined ? {} : { pitId }),
    ...(scrollId === undefined ? {} : { scrollId }),
    hits,
  };
}
