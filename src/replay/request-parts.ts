/** Small pieces the request rewrites (portable.ts, typeless.ts) share: query parameters and JSON bodies. */
import { type Body, bodyFormat } from "../gateway/index.ts";
import { isRawJson, losslessParse } from "../json/index.ts";

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

/** A JSON body parsed losslessly (numbers keep their literal text); undefined for another format or bad JSON. */
export function parseJsonBody(body: Body | undefined): unknown {
  if (body === undefined || bodyFormat(body.contentType) !== "json") return undefined;
  try {
    return losslessParse(body.bytes.toString("utf8"));
  } catch {
    return undefined;
  }
}

/** `value` written back as the body, in the body's content type; raw literals come out as they came in. */
export function jsonBody(value: unknown, like: Body): Body {
  return { bytes: Buffer.from(JSON.stringify(value)), contentType: like.contentType };
}
