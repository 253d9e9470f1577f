import { fromBytes } from "./bytes-text.ts";
import { elements, fields, members, skipSpace, valueEnd } from "./raw.ts";

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
  readonly sort?: readonly unknown[];
}

export interface RawPage {
  readonly pitId?: string;
  readonly scrollId?: string;
  readonly hits: RawHit[];
}

interface SearchPageOptions {
  /**
   * The answer is a byte string (json/bytes-text.ts): ids, routing and sort values are decoded from it,
   * each `_source` is left as bytes.
   */
  readonly bytes?: boolean;
}

/** A JSON value of the answer (a string, a number, an array of them) as its value. */
type DecodeValue = (text: string, start: number, stop: number) => unknown;
const fromText: DecodeValue = (text, start, stop) => JSON.parse(text.slice(start, stop));
const fromByteString: DecodeValue = (text, start, stop) => JSON.parse(fromBytes(text.slice(start, stop)));

function hitAt(text: string, i: number, decodeValue: DecodeValue): { hit: RawHit; end: number } {
  let id: string | undefined;
  let routing: string | undefined;
  let version: string | undefined;
  let source: string | undefined;
  let sort: unknown[] | undefined;
  const end = members(text, i, (key, start, stop) => {
    if (key === "_id") id = decodeValue(text, start, stop) as string;
    else if (key === "_routing") routing = decodeValue(text, start, stop) as string;
    else if (key === "_version") version = text.slice(start, stop);
    else if (key === "_source") source = text.slice(start, stop);
    else if (key === "sort") sort = decodeValue(text, start, stop) as unknown[];
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

function hitsArray(text: string, i: number, out: RawHit[], decodeValue: DecodeValue): number {
  return elements(text, i, (start) => {
    const { hit, end } = hitAt(text, start, decodeValue);
    out.push(hit);
    return end;
  });
}

/** The ids and hits of a `_search` / `_search/scroll` answer given as text (or as bytes). */
export function parseSearchPage(text: string, options: SearchPageOptions = {}): RawPage {
  const decodeValue = options.bytes === true ? fromByteString : fromText;
  let pitId: string | undefined;
  let scrollId: string | undefined;
  const hits: RawHit[] = [];
  const start = skipSpace(text, 0);
  if (start >= text.length) return { hits };
  fields(text, start, (key, s) => {
    if (key === "pit_id" || key === "_scroll_id") {
      const e = valueEnd(text, s);
      const id = decodeValue(text, s, e) as string;
      if (key === "pit_id") pitId = id;
      else scrollId = id;
      return e;
    }
    if (key !== "hits" || text[s] !== "{") return undefined;
    return fields(text, s, (inner, is) =>
      inner === "hits" ? hitsArray(text, is, hits, decodeValue) : undefined,
    );
  });
  return {
    ...(pitId === undefined ? {} : { pitId }),
    ...(scrollId === undefined ? {} : { scrollId }),
    hits,
  };
}
