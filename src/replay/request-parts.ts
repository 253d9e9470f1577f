/** Small pieces the request rewrites (portable.ts, typeless.ts) share: query parameters and bodies. */
import { type Body, bodyFormat, JSON_TYPE } from "../gateway/index.ts";
import { isRawJson } from "../json/index.ts";

/** A JSON object, not an array, null or a raw number literal. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value);
}

/** `path` without query parameter `name`, and the value it had (null when absent). */
export function dropParam(path: string, name: string): { path: string; value: string | null } {
  const q = path.indexOf("?");
  if (q === -1) return { path, value: null };
  const query = new URLSearchParams(path.slice(q + 1));
  const value = query.get(name);
  if (value === null) return { path, value };
  query.delete(name);
  const rest = query.toString();
  return { path: rest === "" ? path.slice(0, q) : `${path.slice(0, q)}?${rest}`, value };
}

/** `path` with query parameter `name` set to `value` (replacing the client's, if any). */
export function withParam(path: string, name: string, value: string): string {
  const rest = dropParam(path, name).path;
  return `${rest}${rest.includes("?") ? "&" : "?"}${name}=${value}`;
}

/**
 * `value` written back as a JSON body: in the logged body's content type when that was JSON, as
 * `application/json` when the client sent YAML, CBOR or SMILE. Raw literals come out as they came in.
 */
export function jsonBody(value: unknown, like: Body): Body {
  const contentType = bodyFormat(like.contentType) === "json" ? like.contentType : JSON_TYPE;
  return { bytes: Buffer.from(JSON.stringify(value)), contentType };
}
