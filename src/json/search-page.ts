import { fromBytes } from "./bytes-text.ts";
import { elements, fields, members, QUOTE, skipSpace, valueEnd } from "./raw.ts";

/**
 * Reads the hits of a search answer from its raw JSON text without building the documents: each hit's
 * `_source` comes back as the exact JSON text the source sent, ready to go into a `_bulk` line. Parsing
 * every document into objects only to serialise it again was the copier's largest CPU cost, and a
 * parse would round longs above 2^53. Only the few metadata values are parsed.
 */

export interface RawHit {
  readonly _id: string;
  readonly _routing?: string;
  /** The version as its literal text: external versions are longs, and a double would round them. */
  readonly _version?: string;
  /**
   * The `_source` object as JSON text, on one line; absent when the source has none. From a page read
   * with `bytes`, a byte string (json/bytes-text.ts): its UTF-8 bytes, one character each.
   */
  readonly source?: string;
}

export interface RawPage {
  readonly pitId?: string;
  readonly scrollId?: string;
  readonly hits: RawHit[];
  /**
   * The last hit's sort values, the next page's `search_after`. Only the last hit's are decoded: a
   * page of 2,000 would otherwise parse 1,999 arrays nobody reads.
   */
  readonly after?: readonly unknown[];
}

interface SearchPageOptions {
  /**
   * The answer is a byte string (json/bytes-text.ts): ids, routing and sort values are decoded from it,
   * each `_source` is left as bytes.
   */
  readonly bytes?: boolean;
}

/** A value's text: decoded from a byte string (`bytes`), or the answer's text itself. */
type AsText = (text: string) => string;
const same: AsText = (text) => text;

/** A JSON value of the answer (a string, a number, an array of them) as its value. */
function valueAt(text: string, start: number, stop: number, asText: AsText): unknown {
  return JSON.parse(asText(text.slice(start, stop)));
}

/**
 * A string value (an id, a routing value): the text between its quotes when nothing in it is escaped,
 * which is every id OpenSearch makes and nearly every one a client gives; otherwise parsed.
 */
function stringAt(text: string, start: number, stop: number, asText: AsText): unknown {
  if (text.charCodeAt(start) === QUOTE) {
    const inner = text.slice(start + 1, stop - 1);
    if (!inner.includes("\\")) return asText(inner);
  }
  return valueAt(text, start, stop, asText);
}

type MutableHit = { -readonly [K in keyof RawHit]: RawHit[K] };

/** Where the last hit read had its sort values (start, stop), for `after`. */
interface SortAt {
  start: number;
  stop: number;
}

function hitAt(text: string, i: number, asText: AsText, sortAt: SortAt): { hit: RawHit; end: number } {
  let id: string | undefined;
  let routing: string | undefined;
  let version: string | undefined;
  let source: string | undefined;
  sortAt.start = -1;
  const end = members(text, i, (key, start, stop) => {
    if (key === "_id") id = stringAt(text, start, stop, asText) as string;
    else if (key === "_routing") routing = stringAt(text, start, stop, asText) as string;
    else if (key === "_version") version = text.slice(start, stop);
    else if (key === "_source") source = text.slice(start, stop);
    else if (key === "sort") {
      sortAt.start = start;
      sortAt.stop = stop;
    }
  });
  if (id === undefined) throw new SyntaxError("a hit without _id in search answer");
  // NDJSON needs the document on one line; a raw line break outside strings is only whitespace.
  if (source !== undefined && /[\r\n]/.test(source)) source = source.replace(/[\r\n]/g, " ");
  // Built member by member: spreading optional members makes throwaway objects for every hit.
  const hit: MutableHit = { _id: id };
  if (routing !== undefined) hit._routing = routing;
  if (version !== undefined) hit._version = version;
  if (source !== undefined) hit.source = source;
  return { hit, end };
}

function hitsArray(text: string, i: number, out: RawHit[], asText: AsText, sortAt: SortAt): number {
  return elements(text, i, (start) => {
    const { hit, end } = hitAt(text, start, asText, sortAt);
    out.push(hit);
    return end;
  });
}

/** The ids and hits of a `_search` / `_search/scroll` answer given as text (or as bytes). */
export function parseSearchPage(text: string, options: SearchPageOptions = {}): RawPage {
  const asText = options.bytes === true ? fromBytes : same;
  let pitId: string | undefined;
  let scrollId: string | undefined;
  const hits: RawHit[] = [];
  const sortAt: SortAt = { start: -1, stop: -1 };
  const start = skipSpace(text, 0);
  if (start >= text.length) return { hits };
  fields(text, start, (key, s) => {
    if (key === "pit_id" || key === "_scroll_id") {
      const e = valueEnd(text, s);
      const id = stringAt(text, s, e, asText) as string;
      if (key === "pit_id") pitId = id;
      else scrollId = id;
      return e;
    }
    if (key !== "hits" || text[s] !== "{") return undefined;
    return fields(text, s, (inner, is) =>
      inner === "hits" ? hitsArray(text, is, hits, asText, sortAt) : undefined,
    );
  });
  const after =
    sortAt.start < 0 ? undefined : (valueAt(text, sortAt.start, sortAt.stop, asText) as unknown[]);
  return {
    ...(pitId === undefined ? {} : { pitId }),
    ...(scrollId === undefined ? {} : { scrollId }),
    hits,
    ...(after === undefined ? {} : { after }),
  };
}
