import { z } from "zod";

/**
 * Scalar types with operator-facing messages. Each accepts the string form too, because a value that
 * came through `${VAR}` substitution is always a string ("30s", "1000", "true").
 */

type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly what: string; readonly fix: string };

function custom<T>(parse: (input: unknown) => Parsed<T>) {
  return z.unknown().transform((input, ctx): T => {
    const result = parse(input);
    if (result.ok) return result.value;
    ctx.addIssue({ code: "custom", message: result.what, params: { fix: result.fix } });
    return z.NEVER;
  });
}

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail(what: string, fix: string): Parsed<never> {
  return { ok: false, what, fix };
}

/** Echoes a user value back, short enough for one line. Never used for secret-bearing fields. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/** "500ms", "30s", "5m", "1h" or a number of milliseconds; parsed to whole milliseconds. */
export function parseDuration(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  if (typeof input !== "string") return undefined;
  const text = input.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export function duration(options: { min?: number } = {}) {
  const min = options.min ?? 0;
  return custom((input) => {
    if (input === undefined) return fail("is required", 'give a duration such as "30s"');
    const ms = parseDuration(input);
    if (ms === undefined) {
      return fail(
        `${show(input)} is not a duration`,
        'write a number with a unit ("500ms", "30s", "5m", "1h") or a plain number of milliseconds',
      );
    }
    if (ms < min) return fail(`${show(input)} is too short`, `use at least ${min}ms`);
    return ok(ms);
  });
}

export function integer(min: number, max: number) {
  return custom((input) => {
    const value = typeof input === "string" && /^\s*-?\d+\s*$/.test(input) ? Number(input) : input;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
      return fail(
        input === undefined ? "is required" : `${show(input)} is not a whole number from ${min} to ${max}`,
        `use a whole number from ${min} to ${max}`,
      );
    }
    return ok(value);
  });
}

export function fraction() {
  return custom((input) => {
    const value = typeof input === "string" && input.trim() !== "" ? Number(input) : input;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
      return fail(`${show(input)} is not a number from 0 to 1`, "use a fraction such as 0 or 0.001 (0.1%)");
    }
    return ok(value);
  });
}

export function flag() {
  return custom((input) => {
    if (typeof input === "boolean") return ok(input);
    if (input === "true" || input === "false") return ok(input === "true");
    return fail(`${show(input)} is not true or false`, "write true or false (without quotes)");
  });
}

const SLUG = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Names that end up in file names and state keys: lowercase, no spaces, no path separators. */
export function slug(what: string) {
  return custom((input) => {
    if (input === undefined) return fail("is required", `give the ${what} a name such as "orders-upgrade"`);
    if (typeof input !== "string" || !SLUG.test(input)) {
      return fail(
        `${show(input)} is not a valid ${what} name`,
        'use 1-63 lowercase letters, digits, "-" or "_", starting with a letter or digit (e.g. "orders-upgrade")',
      );
    }
    return ok(input);
  });
}

const FORBIDDEN_IN_INDEX_NAMES = /[\\/"<>| #]/;

/** An index glob. Catches the mistakes that would silently select nothing. */
export function indexPattern() {
  return custom((input) => {
    if (typeof input !== "string" || input.trim() === "") {
      return fail(`${show(input)} is not an index pattern`, 'write a pattern such as "logs-*"');
    }
    if (input.includes(",")) {
      return fail(
        `${show(input)} holds several patterns in one string`,
        "write each pattern as its own list entry",
      );
    }
    if (input.startsWith("-")) {
      return fail(
        `${show(input)} is an exclusion`,
        "move the pattern, without the leading '-', to indices.exclude",
      );
    }
    if (FORBIDDEN_IN_INDEX_NAMES.test(input)) {
      return fail(
        `${show(input)} contains a character index names cannot have`,
        'remove spaces and \\ / " < > | #; only "*" and "?" are wildcards',
      );
    }
    if (input !== input.toLowerCase()) {
      return fail(
        `${show(input)} has upper-case letters`,
        "index names are always lower case: lower-case the pattern",
      );
    }
    return ok(input);
  });
}

const URL_FIX = "use http://host:port or https://host:port";

/** An http(s) base URL, normalized to `scheme://host[:port][/path]` without a trailing slash. */
export function httpUrl() {
  return custom((input) => {
    if (typeof input !== "string" || input.trim() === "") return fail("is not a URL", URL_FIX);
    // Echo the URL back without any `user:password@` part: that part is a credential.
    const shown = show(input.replace(/\/\/[^/@]*@/, "//…@"));
    let url: URL;
    try {
      url = new URL(input.trim());
    } catch {
      return fail(`${shown} is not an http(s) URL`, URL_FIX);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      return fail(`${shown} is not an http(s) URL`, URL_FIX);
    if (url.username !== "" || url.password !== "") {
      return fail("has credentials in it", "remove `user:password@` and put them under auth (type: basic)");
    }
    if (url.search !== "" || url.hash !== "")
      return fail(`${shown} has a query or fragment`, "remove the `?…` / `#…` part");
    return ok(`${url.origin}${url.pathname.replace(/\/+$/, "")}`);
  });
}
