/**
 * How Jackson 2.15 words what it read, for the JSON action-line lexer's refusals: OpenSearch passes
 * Jackson's message through, so the gateway must say the same words about the same bytes.
 */
export const VALID_VALUES = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
export const LONG_RANGE = "(-9223372036854775808 - 9223372036854775807)";
export const INT_RANGE = "(-2147483648 - 2147483647)";
export const MAX_LONG = (1n << 63n) - 1n;
export const MIN_LONG = -(1n << 63n);
/** Jackson shows at most this many bytes of the input in a message. */
export const SNIPPET = 500;

export function charDesc(c: number): string {
  if (c < 0x20) return `(CTRL-CHAR, code ${c})`;
  if (c > 255) return `'${String.fromCharCode(c)}' (code ${c} / 0x${c.toString(16)})`;
  return `'${String.fromCharCode(c)}' (code ${c})`;
}

export function isIdentifierPart(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x24 ||
    c >= 0x80
  );
}

/** Jackson escapes ISO control characters in its input snippet, all but CR and LF. */
export function escapeControls(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    const control = (c < 0x20 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
    out += control ? `\\u${c.toString(16).toUpperCase().padStart(4, "0")}` : ch;
  }
  return out;
}
