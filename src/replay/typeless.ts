/**
 * Typed requests from an Elasticsearch 7.x or OpenSearch 1.x source, as OpenSearch 2.0 and later take
 * them. Their indices hold one mapping type, so a request without the type means the same there:
 * - a typed index-level path (`/{index}/{type}/_update_by_query`, `/{index}/{type}/_mapping`,
 *   `/{index}/_mapping/{type}`) goes to the path 2.x routes (`/{index}/_update_by_query`, …);
 * - `include_type_name`, which 2.x refuses as an unknown parameter, is left out; where it was true,
 *   the mapping the body wraps in its type name is unwrapped (index creation, legacy templates,
 *   rollover: `mappings.<type>`; a mapping update: the body's `<type>`).
 */
import { dropParam, isObject } from "./request-parts.ts";

const TYPED = /^(\/[^/?]+)\/(?:[^_/?][^/?]*\/(_(?:update|delete)_by_query|_mappings?)|(_mappings?)\/[^/?]+)$/;

/** A typed index-level pathname without its type; other pathnames as they are. */
export function typelessPath(pathname: string): string {
  const match = TYPED.exec(pathname);
  return match === null ? pathname : `${match[1]}/${match[2] ?? match[3]}`;
}

/** Keys a mapping has at its root: a single one of these is a mapping, not a type name around one. */
const MAPPING_ROOT = new Set([
  "properties",
  "dynamic",
  "dynamic_templates",
  "date_detection",
  "numeric_detection",
  "dynamic_date_formats",
  "_source",
  "_meta",
  "_routing",
  "_field_names",
  "_size",
  "enabled",
  "runtime",
]);

export type Unwrap = "mappings" | "root";

/** The path to send, and where the body wraps its mapping in a type name (when it may). */
export function typelessRequest(path: string): { path: string; unwrap?: Unwrap } {
  const q = path.indexOf("?");
  const pathname = typelessPath(q === -1 ? path : path.slice(0, q));
  const { path: sent, value } = dropParam(`${pathname}${q === -1 ? "" : path.slice(q)}`, "include_type_name");
  // OpenSearch 1.x and Elasticsearch read a bare `?include_type_name` as true.
  if (value !== "" && value !== "true") return { path: sent };
  if (/^\/[^/_][^/]*\/_mappings?$/.test(pathname)) return { path: sent, unwrap: "root" };
  if (/^\/[^/_][^/]*$|^\/_template\/|\/_rollover(?:\/|$)/.test(pathname))
    return { path: sent, unwrap: "mappings" };
  return { path: sent };
}

/** The mapping inside `{ "<type>": { … } }`, or undefined when `value` is not wrapped that way. */
function unwrapped(value: unknown): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [only] = keys;
  if (keys.length !== 1 || only === undefined || MAPPING_ROOT.has(only)) return undefined;
  const inner = value[only];
  return isObject(inner) ? inner : undefined;
}

/** The body (parsed) unwrapped as `where` says; undefined when it is not wrapped. */
export function unwrapType(body: unknown, where: Unwrap): unknown {
  if (where === "root") return unwrapped(body);
  if (!isObject(body)) return undefined;
  const inner = unwrapped(body.mappings);
  return inner === undefined ? undefined : { ...body, mappings: inner };
}
