/**
 * The small toolkit the HTML report is written with. Everything interpolated into `html` is escaped
 * unless it is already `Html`, so a value from a cluster (an index name, a document id, a field value,
 * an error text) can only ever become text, never markup: escaping is the default, not a habit.
 */

export class Html {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(piece).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(String(value));
}

/** Tagged template: literal parts are trusted markup, interpolations are escaped (arrays joined). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

/** Markup written by this module itself (the stylesheet), never data. */
export function trusted(text: string): Html {
  return new Html(text);
}

const MAX_VALUE = 600;

/** Field values can be whole JSON objects: the page shows the start, the differences file has all. */
export function clip(text: string, max = MAX_VALUE): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export function int(n: number | undefined): string {
  return n === undefined ? "–" : n.toLocaleString("en-US");
}

/** `plural(1, "index", "indices")` → "1 index"; numbers keep their thousands separators. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${n === 1 ? one : many}`;
}

export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** UTC and spelled out, so a report read in another time zone says the same thing. */
export function when(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function secondsBetween(startIso: string, endIso: string): number | undefined {
  const ms = Date.parse(endIso) - Date.parse(startIso);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : undefined;
}

/**
 * A cluster URL fit to print: userinfo always goes (`https://user:pass@host`), and so do the query
 * and fragment, where signed URLs and proxies carry tokens.
 */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol === "http:" || u.protocol === "https:") {
      u.username = "";
      u.password = "";
      u.search = "";
      u.hash = "";
      return u.href.replace(/\/$/, "");
    }
  } catch {
    // Not a URL: handled below.
  }
  // `user:pass@host` parses as a URL of scheme `user:`, so anything not http(s) loses all up to an `@`.
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/\s]*@/i, "$1");
}
