/**
 * Lossless JSON: numbers and strings kept as their literal text. `JSON.parse` turns every number into
 * a double, so a long above 2^53 is rounded and `1.0` becomes `1`; here each such value is kept as a
 * raw JSON value (Node 21+) that `JSON.stringify` writes back verbatim.
 */

import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  scalarEnd,
  skipSpace,
  stringEnd,
} from "./raw.ts";

/** A primitive JSON value kept as its source text (a frozen, null-prototype object). */
export interface RawJson {
  readonly rawJSON: string;
}

interface LosslessJson {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
}

const json = JSON as unknown as LosslessJson;

export const isRawJson = (value: unknown): value is RawJson => json.isRawJSON(value);

/** Parses JSON text keeping every number and string as its literal text. Throws SyntaxError. */
export function losslessParse(text: string): unknown {
  return build(text, "all");
}

/** A raw JSON value for a literal (a number's text): `JSON.stringify` writes it back verbatim. */
export function rawJson(text: string): RawJson {
  return json.rawJSON(text);
}

/**
 * Parses a document for code that reads and changes it (a backfill transform): plain numbers where a
 * double holds the literal exactly, raw values where it would not (longs above 2^53, `1.0`, `1e3`),
 * so fields the code leaves alone are written back as they came.
 */
export function parseForTransform(text: string): unknown {
  return build(text, "inexact");
}

/**
 * Which literals stay raw: every number and string, or only numbers a double would change.
 *
 * Built by hand rather than with `JSON.parse`'s reviver and its source text: in Node 24.21 that parse
 * can, after some earlier parses, drop a member of an object with escaped keys or give it another
 * member's key (test/unit/json-canonical.test.ts keeps a case). A transform or a replayed settings
 * body built from such a parse would lose a field.
 */
type Raw = "all" | "inexact";

/** Index just past the value the last `node()` call read. */
let end = 0;

function build(text: string, raw: Raw): unknown {
  const value = node(text, skipSpace(text, 0), raw);
  if (skipSpace(text, end) !== text.length) throw new SyntaxError("unexpected text after JSON value");
  return value;
}

function node(text: string, i: number, raw: Raw): unknown {
  const c = text.charCodeAt(i);
  if (c === OPEN_BRACE) return object(text, i, raw);
  if (c === OPEN_BRACKET) return array(text, i, raw);
  end = c === QUOTE ? stringEnd(text, i) : scalarEnd(text, i);
  if (end === i) throw new SyntaxError(`unexpected ${Number.isNaN(c) ? "end" : "character"} in JSON text`);
  const literal = text.slice(i, end);
  if (c === QUOTE && raw === "all") return json.rawJSON(literal);
  if (c === QUOTE && literal.indexOf("\\") < 0) return literal.slice(1, -1);
  // JSON.parse checks the literal (and decodes a string), so a word or number it refuses still fails.
  const value = JSON.parse(literal) as unknown;
  if (typeof value !== "number") return value;
  return raw === "all" || String(value) !== literal ? json.rawJSON(literal) : value;
}

function array(text: string, i: number, raw: Raw): unknown[] {
  const out: unknown[] = [];
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACKET) {
    end = j + 1;
    return out;
  }
  for (;;) {
    out.push(node(text, j, raw));
    j = skipSpace(text, end);
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACKET) {
      end = j + 1;
      return out;
    }
    if (c !== COMMA) throw new SyntaxError("expected ',' or ']' in JSON text");
    j = skipSpace(text, j + 1);
  }
}

function object(text: string, i: number, raw: Raw): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let j = skipSpace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACE) {
    end = j + 1;
    return out;
  }
  for (;;) {
    if (text.charCodeAt(j) !== QUOTE) throw new SyntaxError("expected a key in JSON text");
    const keyEnd = stringEnd(text, j);
    const key = JSON.parse(text.slice(j, keyEnd)) as string;
    j = skipSpace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) throw new SyntaxError("expected ':' in JSON text");
    const value = node(text, skipSpace(text, j + 1), raw);
    // A data property even for "__proto__", as JSON.parse makes it; the last of repeated keys wins.
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
    j = skipSpace(text, end);
    const c = text.charCodeAt(j);
    if (c === CLOSE_BRACE) {
      end = j + 1;
      return out;
    }
    if (c !== COMMA) throw new SyntaxError("expected ',' or '}' in JSON text");
    j = skipSpace(text, j + 1);
  }
}

/**
 * JSON text with object keys sorted at every depth and numbers and strings exactly as written: two
 * documents compare equal only if they hold the same values written the same way, whatever their key
 * order or whitespace. Keys are compared by their decoded text.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object" || isRawJson(value)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  const entries = Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
  return `{${entries.join(",")}}`;
}
