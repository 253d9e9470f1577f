import { elements, members, skipSpace } from "./raw.ts";
import { elementsBytes, membersBytes, skipSpaceBytes } from "./raw-bytes.ts";

/**
 * Reads the hits of a search answer from its raw JSON without building the documents: each hit's
 * `_source` comes back exactly as the source sent it (as text, or as bytes for callers that pass it on
 * unchanged), ready to go into a `_bulk` line. Parsing every document into objects only to serialise
 * it again was the copier's largest CPU cost, and a parse would round longs above 2^53. Only the few
 * metadata values are parsed.
 */

/** A hit; `S` is how `_source` is held: JSON text (string) or the answer's bytes (Buffer). */
export interface RawHit<S extends string | Buffer = string> {
  readonly _id: string;
  readonly _routing?: string;
  /** The version as its literal text: external versions are longs, and a double would round them. */
  readonly _version?: string;
  /** The `_source` object's JSON, on one line; absent when the source has none. */
  readonly source?: S;
  readonly sort?: readonly unknown[];
}

export interface RawPage<S extends string | Buffer = string> {
  readonly pitId?: string;
  readonly scrollId?: string;
  readonly hits: RawHit<S>[];
}

/** The skipper over one representation, and how to take values out of it. */
interface Scan<T, S> {
  readonly members: (t: T, i: number, onField: (key: string, start: number, end: number) => void) => number;
  readonly elements: (t: T, i: number, onElement: (start: number) => number | undefined) => number;
  readonly skipSpace: (t: T, i: number) => number;
  readonly length: (t: T) => number;
  readonly isObject: (t: T, i: number) => boolean;
  /** A small metadata value as text, for JSON.parse. */
  readonly text: (t: T, start: number, end: number) => string;
  /** `_source` on one line: NDJSON needs it so, and a raw line break outside strings is only whitespace. */
  readonly oneLine: (t: T, start: number, end: number) => S;
}

const LINE_BREAK = /[\r\n]/;

const TEXT: Scan<string, string> = {
  members,
  elements,
  skipSpace,
  length: (t) => t.length,
  isObject: (t, i) => t[i] === "{",
  text: (t, start, end) => t.slice(start, end),
  oneLine: (t, start, end) => {
    const source = t.slice(start, end);
    return LINE_BREAK.test(source) ? source.replace(/[\r\n]/g, " ") : source;
  },
};

const BYTES: Scan<Buffer, Buffer> = {
  members: membersBytes,
  elements: elementsBytes,
  skipSpace: skipSpaceBytes,
  length: (t) => t.length,
  isObject: (t, i) => t[i] === 123,
  text: (t, start, end) => t.toString("utf8", start, end),
  oneLine: (t, start, end) => {
    const source = t.subarray(start, end);
    if (source.indexOf(10) < 0 && source.indexOf(13) < 0) return source;
    // A copy: the page's own bytes stay as the cluster sent them.
    const copy = Buffer.from(source);
    for (let i = 0; i < copy.length; i++) if (copy[i] === 10 || copy[i] === 13) copy[i] = 32;
    return copy;
  },
};

function hitAt<T, S extends string | Buffer>(
  scan: Scan<T, S>,
  t: T,
  i: number,
): { hit: RawHit<S>; end: number } {
  let id: string | undefined;
  let routing: string | undefined;
  let version: string | undefined;
  let source: S | undefined;
  let sort: unknown[] | undefined;
  const end = scan.members(t, i, (key, start, stop) => {
    if (key === "_id") id = JSON.parse(scan.text(t, start, stop)) as string;
    else if (key === "_routing") routing = JSON.parse(scan.text(t, start, stop)) as string;
    else if (key === "_version") version = scan.text(t, start, stop);
    else if (key === "_source") source = scan.oneLine(t, start, stop);
    else if (key === "sort") sort = JSON.parse(scan.text(t, start, stop)) as unknown[];
  });
  if (id === undefined) throw new SyntaxError("a hit without _id in search answer");
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

function parsePage<T, S extends string | Buffer>(scan: Scan<T, S>, t: T): RawPage<S> {
  let pitId: string | undefined;
  let scrollId: string | undefined;
  const hits: RawHit<S>[] = [];
  const start = scan.skipSpace(t, 0);
  if (start >= scan.length(t)) return { hits };
  scan.members(t, start, (key, s, e) => {
    if (key === "pit_id") pitId = JSON.parse(scan.text(t, s, e)) as string;
    else if (key === "_scroll_id") scrollId = JSON.parse(scan.text(t, s, e)) as string;
    else if (key === "hits" && scan.isObject(t, s)) {
      scan.members(t, s, (inner, is) => {
        if (inner !== "hits") return;
        scan.elements(t, is, (at) => {
          const { hit, end } = hitAt(scan, t, at);
          hits.push(hit);
          return end;
        });
      });
    }
  });
  return {
    ...(pitId === undefined ? {} : { pitId }),
    ...(scrollId === undefined ? {} : { scrollId }),
    hits,
  };
}

/** The ids and hits of a `_search` / `_search/scroll` answer given as text. */
export function parseSearchPage(text: string): RawPage {
  return parsePage(TEXT, text);
}

/** The same from the answer's bytes: each `_source` a view of them (a copy only to flatten line breaks). */
export function parseSearchPageBytes(bytes: Buffer): RawPage<Buffer> {
  return parsePage(BYTES, bytes);
}
