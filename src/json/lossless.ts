/**
 * Lossless JSON: numbers and strings kept as their literal text. `JSON.parse` turns every number into
 * a double, so a long above 2^53 is rounded and `1.0` becomes `1`; with the reviver's source text
 * (Node 21+) each such value is kept as a raw JSON value that `JSON.stringify` writes back verbatim.
 */

/** A primitive JSON value kept as its source text (a frozen, null-prototype object). */
export interface RawJson {
  readonly rawJSON: string;
}

interface LosslessJson {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
  parse(
    text: string,
    reviver: (this: unknown, key: string, value: unknown, context: { source?: string }) => unknown,
  ): unknown;
}

const json = JSON as unknown as LosslessJson;

export const isRawJson = (value: unknown): value is RawJson => json.isRawJSON(value);

/** Parses JSON text keeping every number and string as its literal text. Throws SyntaxError. */
export function losslessParse(text: string): unknown {
  return json.parse(text, (_key, value, context) =>
    (typeof value === "number" || typeof value === "string") && context.source !== undefined
      ? json.rawJSON(context.source)
      : value,
  );
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
  return json.parse(text, (_key, value, context) =>
    typeof value === "number" && context.source !== undefined && String(value) !== context.source
      ? json.rawJSON(context.source)
      : value,
  );
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

/** `canonicalJson` of JSON text, parsed losslessly. */
export function canonicalText(text: string): string {
  return canonicalJson(losslessParse(text));
}
