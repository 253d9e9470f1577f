/**
 * Byte strings: a UTF-8 text carried as a one-byte string with one character per byte (Node's
 * `latin1`). Decoding an answer this way is a copy, not a UTF-8 decode, and a large one is kept outside
 * V8's heap; writing it back with `latin1` gives the same bytes. JSON's structure is ASCII and no byte
 * of a multi-byte UTF-8 sequence is below 0x80, so a byte string scans like text. Only values that are
 * used as text (ids, routing, sort values) have to be decoded; a `_source` never is.
 */

const NON_ASCII = /[\u0080-\uffff]/;

/** The text a byte string holds. ASCII is the same either way, and most ids are ASCII. */
export function fromBytes(bytes: string): string {
  return NON_ASCII.test(bytes) ? Buffer.from(bytes, "latin1").toString("utf8") : bytes;
}

/** A text as a byte string. */
export function toBytes(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, "utf8").toString("latin1") : text;
}
