import { type Body, bodyFormat } from "../gateway/index.ts";
import { isRawJson, losslessParse } from "../json/index.ts";

/**
 * Allocation filters that name the source's own nodes (by name, id or address). On the target they match
 * no node, so a verbatim replay leaves the index's shards unassigned: a red index that every later write
 * to it waits on. Filters on custom node attributes (`box_type`, zones) mean the same on both clusters
 * and stay.
 */
const NODE_FILTER =
  /(?:^|\.)routing\.allocation\.(?:include|exclude|require|initial_recovery)\._(?:name|id|ip|host|host_ip|publish_ip)$/;

export interface PortableRequest {
  /** The path to send: the logged one, without the mapping type a typed path names (see typelessPath). */
  readonly path: string;
  /** The body to send: the logged bytes themselves unless a setting had to go. */
  readonly body: Body | undefined;
  /** The settings left out, by their dotted path in the body. */
  readonly dropped: readonly string[];
  /** True when nothing is left to send (a settings update that only set such filters). */
  readonly empty: boolean;
}

/** The request as the target can take it; see NODE_FILTER. Only JSON bodies are looked into. */
export function portableRequest(logged: string, body: Body | undefined): PortableRequest {
  const path = typelessPath(logged);
  const unchanged = { path, body, dropped: [], empty: false };
  if (body === undefined || bodyFormat(body.contentType) !== "json") return unchanged;
  if (!body.bytes.includes("allocation")) return unchanged;
  let parsed: unknown;
  try {
    parsed = losslessParse(body.bytes.toString("utf8"));
  } catch {
    return unchanged;
  }
  const dropped: string[] = [];
  strip(parsed, "", dropped);
  if (dropped.length === 0) return unchanged;
  const settingsOnly = /\/_settings(?:[/?]|$)/.test(path);
  return {
    path,
    body: { bytes: Buffer.from(JSON.stringify(parsed)), contentType: body.contentType },
    dropped,
    empty: settingsOnly && isEmptyObject(parsed),
  };
}

function strip(value: unknown, prefix: string, dropped: string[]): void {
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    // Field names in a mapping are not settings, whatever they are called.
    if (key === "mappings") continue;
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const child = value[key];
    if (isObject(child)) {
      const before = dropped.length;
      strip(child, path, dropped);
      if (dropped.length > before && isEmptyObject(child)) delete value[key];
    } else if (NODE_FILTER.test(path)) {
      dropped.push(path);
      delete value[key];
    }
  }
}

const TYPED =
  /^(\/[^/?]+)\/(?:[^_/?][^/?]*\/(_(?:update|delete)_by_query|_mappings?)|(_mappings?)\/[^/?]+)(?=[?]|$)/;

/**
 * A typed index-level path of Elasticsearch 7.x and OpenSearch 1.x (`/{index}/{type}/_update_by_query`,
 * `/{index}/{type}/_mapping`, `/{index}/_mapping/{type}`) without its type, as OpenSearch 2.0 and later
 * route it: their indices hold one type, so the request means the same. Other paths are returned as
 * they are.
 */
export function typelessPath(path: string): string {
  const match = TYPED.exec(path);
  if (match === null) return path;
  return `${match[1]}/${match[2] ?? match[3]}${path.slice(match[0].length)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isRawJson(value);
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).every((k) => isEmptyObject(value[k]));
}
