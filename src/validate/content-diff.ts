import { canonicalJson, isRawJson, losslessParse } from "../json/index.ts";

/** Where two documents first differ, with the literal value each side holds there. */
export interface FieldDifference {
  /** `a.b[3].c`; keys that are not plain names are quoted (`meta["x.y"]`); `_source` for the whole document. */
  readonly path: string;
  /** The value's literal JSON text (objects with keys sorted), cut to about 200 characters; absent when the side lacks the field. */
  readonly source?: string;
  readonly target?: string;
}

/** Long enough to see what changed in a value, short enough for a terminal line and a report cell. */
const SHOWN = 200;

/**
 * The first field path where two `_source` JSON texts differ, comparing losslessly: key order and
 * whitespace do not count, but every number and string is compared by its literal text, so a long
 * rounded above 2^53, `1.0` against `1`, `1e3` against `1000.0`, `-0` against `0` and `\u00e9`
 * against `é` are differences. Fields are visited in the source's key order, then the target's extra
 * keys. Undefined when the documents are equal. Throws SyntaxError on text that is not JSON.
 */
export function firstDifference(source: string, target: string): FieldDifference | undefined {
  return differenceAt(losslessParse(source), losslessParse(target), "");
}

type Shape = "raw" | "array" | "object" | "literal";

function shape(value: unknown): Shape {
  if (isRawJson(value)) return "raw";
  if (Array.isArray(value)) return "array";
  return value !== null && typeof value === "object" ? "object" : "literal";
}

function differenceAt(a: unknown, b: unknown, path: string): FieldDifference | undefined {
  const kind = shape(a);
  if (kind !== shape(b)) return found(path, a, b);
  if (kind === "raw")
    return (a as { rawJSON: string }).rawJSON === (b as { rawJSON: string }).rawJSON
      ? undefined
      : found(path, a, b);
  if (kind === "array") {
    const left = a as readonly unknown[];
    const right = b as readonly unknown[];
    const shared = Math.min(left.length, right.length);
    for (let i = 0; i < shared; i++) {
      const inner = differenceAt(left[i], right[i], `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
    return left.length === right.length
      ? undefined
      : found(`${path}[${shared}]`, left[shared], right[shared]);
  }
  if (kind === "object") {
    const left = a as Readonly<Record<string, unknown>>;
    const right = b as Readonly<Record<string, unknown>>;
    for (const key of Object.keys(left)) {
      const inner = Object.hasOwn(right, key)
        ? differenceAt(left[key], right[key], child(path, key))
        : found(child(path, key), left[key], undefined);
      if (inner !== undefined) return inner;
    }
    for (const key of Object.keys(right)) {
      if (!Object.hasOwn(left, key)) return found(child(path, key), undefined, right[key]);
    }
    return undefined;
  }
  return a === b ? undefined : found(path, a, b);
}

// Dots are legal inside an OpenSearch field name's key (`{"a.b": 1}`), so such keys are quoted to
// keep `a.b` meaning "b inside a".
const PLAIN_KEY = /^[^.[\]"\\\s]+$/u;

function child(path: string, key: string): string {
  if (!PLAIN_KEY.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? key : `${path}.${key}`;
}

function found(path: string, source: unknown, target: unknown): FieldDifference {
  return {
    path: path === "" ? "_source" : path,
    ...(source === undefined ? {} : { source: shown(source) }),
    ...(target === undefined ? {} : { target: shown(target) }),
  };
}

function shown(value: unknown): string {
  return truncate(canonicalJson(value), SHOWN);
}

/** Cuts `text` to about `max` characters, never between the halves of a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
