/**
 * raw.ts's skipper over the answer's bytes instead of its text: the stream copier finds each
 * `_source` in the bytes the cluster sent and passes those bytes on, so a page is never decoded into
 * a string nor a bulk body encoded back (together a quarter of the copier's CPU, and most of its
 * garbage). Same rules: not a validator, it trusts the bytes to be the cluster's JSON. UTF-8 keeps every
 * byte of a multi-byte character at 0x80 or above, so the ASCII structure bytes are found as they are.
 * The two skippers are kept apart rather than made generic over both: each hot loop then indexes
 * one representation only, and the text skipper (validate's sampled reads, `_mget`) stays as measured.
 */

import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./raw.ts";

export function skipSpaceBytes(bytes: Uint8Array, i: number): number {
  let c = bytes[i];
  while (c === 32 || c === 10 || c === 13 || c === 9) c = bytes[++i];
  return i;
}

/** Index just past the string that opens at `i` (a quote). */
export function stringEndBytes(bytes: Buffer, i: number): number {
  let j = i;
  for (;;) {
    j = bytes.indexOf(QUOTE, j + 1);
    if (j < 0) throw new SyntaxError("unterminated string in JSON bytes");
    let k = j - 1;
    while (bytes[k] === BACKSLASH) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
  }
}

/** Index just past the value that starts at `i`. */
export function valueEndBytes(bytes: Buffer, i: number): number {
  const c = bytes[i];
  if (c === QUOTE) return stringEndBytes(bytes, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i;
    for (;;) {
      const d = bytes[j];
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === undefined) return j;
      j++;
    }
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = bytes[j];
    if (d === QUOTE) {
      j = stringEndBytes(bytes, j);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return j + 1;
    } else if (d === undefined) throw new SyntaxError("unterminated value in JSON bytes");
    j++;
  }
}

/**
 * Calls `onField(key, start, end)` for every member of the object that opens at `i`; returns the
 * index just past it. Keys are decoded as Latin-1: callers compare them with ASCII names, which a
 * key holding other characters can never equal either way.
 */
export function membersBytes(
  bytes: Buffer,
  i: number,
  onField: (key: string, start: number, end: number) => void,
): number {
  if (bytes[i] !== OPEN_BRACE) throw new SyntaxError("expected an object in JSON bytes");
  let j = skipSpaceBytes(bytes, i + 1);
  if (bytes[j] === CLOSE_BRACE) return j + 1;
  for (;;) {
    const keyEnd = stringEndBytes(bytes, j);
    const key = bytes.toString("latin1", j + 1, keyEnd - 1);
    j = skipSpaceBytes(bytes, keyEnd);
    if (bytes[j] !== COLON) throw new SyntaxError("expected ':' in JSON bytes");
    const start = skipSpaceBytes(bytes, j + 1);
    const end = valueEndBytes(bytes, start);
    onField(key, start, end);
    j = skipSpaceBytes(bytes, end);
    const c = bytes[j];
    if (c === CLOSE_BRACE) return j + 1;
    if (c !== COMMA) throw new SyntaxError("expected ',' or '}' in JSON bytes");
    j = skipSpaceBytes(bytes, j + 1);
  }
}

/** As raw.ts's `elements`, over bytes. */
export function elementsBytes(
  bytes: Buffer,
  i: number,
  onElement: (start: number) => number | undefined,
): number {
  if (bytes[i] !== OPEN_BRACKET) throw new SyntaxError("expected an array in JSON bytes");
  let j = skipSpaceBytes(bytes, i + 1);
  if (bytes[j] === CLOSE_BRACKET) return j + 1;
  for (;;) {
    j = skipSpaceBytes(bytes, onElement(j) ?? valueEndBytes(bytes, j));
    const c = bytes[j];
    if (c === CLOSE_BRACKET) return j + 1;
    if (c !== COMMA) throw new SyntaxError("expected ',' or ']' in JSON bytes");
    j = skipSpaceBytes(bytes, j + 1);
  }
}
