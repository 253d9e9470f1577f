import { type Body, bodyValue } from "../gateway/index.ts";
import { isRawJson } from "../json/index.ts";
import { dropParam, isObject, jsonBody, withParam } from "./request-parts.ts";
import { typelessRequest, unwrapType } from "./typeless.ts";

/**
 * Allocation filters that name the source's own nodes (by name, id or address). On the target they match
 * no node, so a verbatim replay leaves the index's shards unassigned: a red index that every later write
 * to it waits on. Filters on custom node attributes (`box_type`, zones) mean the same on both clusters
 * and stay.
 */
const NODE_FILTER =
  /(?:^|\.)routing\.allocation\.(?:include|exclude|require|initial_recovery)\._(?:name|id|ip|host|host_ip|publish_ip)$/;

/**
 * `soft_deletes.enabled: false`, which Elasticsearch 7 and OpenSearch 1 take (deprecated) and
 * OpenSearch 2.0 and later refuse at index creation: replayed as it was, the index would never exist
 * on the target and every write to it would fail. Left out, the target's index keeps soft deletes,
 * its default, which changes how it stores deletes, not what it holds.
 */
const SOFT_DELETES_OFF = /(?:^|\.)soft_deletes\.enabled$/;

/** A setting the target cannot take as the source did; what `strip` leaves out. */
function notPortable(path: string, value: unknown): boolean {
  if (NODE_FILTER.test(path)) return true;
  // Decoded bodies keep scalars as their literal text: `false`, or `"false"` for a string setting.
  const text = isRawJson(value) ? value.rawJSON : JSON.stringify(value);
  return SOFT_DELETES_OFF.test(path) && (text === "false" || text === '"false"');
}

export interface PortableRequest {
  /** The path to send: the logged one, without a mapping type (see typeless.ts). */
  readonly path: string;
  /** The body to send: the logged bytes themselves unless a setting had to go. */
  readonly body: Body | undefined;
  /** The settings left out, by their dotted path in the body. */
  readonly dropped: readonly string[];
  /** True when nothing is left to send (a settings update that only set such filters). */
  readonly empty: boolean;
}

/**
 * The request as the target can take it: allocation filters that name the source's nodes and soft
 * deletes turned off left out (see NODE_FILTER and SOFT_DELETES_OFF), a typed request (Elasticsearch 7.x, OpenSearch 1.x) without its type (see
 * typeless.ts), a background open or resize in the foreground (see waitingPath). A body is decoded
 * only when it may need a change (in whatever format it came: JSON, YAML, CBOR, SMILE), and goes to
 * the target as JSON only when it did.
 */
export function portableRequest(logged: string, body: Body | undefined): PortableRequest {
  if (REPOSITORY.test(logged) && body !== undefined) return readOnlyRepository(logged, body);
  const typeless = typelessRequest(logged);
  const { unwrap } = typeless;
  const path = waitingPath(typeless.path);
  const unchanged = { path, body, dropped: [], empty: false };
  if (body === undefined) return unchanged;
  if (unwrap === undefined && !body.bytes.includes("allocation") && !body.bytes.includes("soft_deletes"))
    return unchanged;
  let parsed = bodyValue(body);
  if (parsed === undefined) return unchanged;
  const untyped = unwrap === undefined ? undefined : unwrapType(parsed, unwrap);
  if (untyped !== undefined) parsed = untyped;
  const dropped: string[] = [];
  strip(parsed, "", dropped);
  if (dropped.length === 0 && untyped === undefined) return unchanged;
  const settingsOnly = /\/_settings(?:[/?]|$)/.test(path);
  return { path, body: jsonBody(parsed, body), dropped, empty: settingsOnly && isEmptyObject(parsed) };
}

const REPOSITORY = /^\/_snapshot\/[^/?]+(?:\?|$)/;

/**
 * A snapshot repository registered on the source is registered on the target under the same name, so
 * a restore replayed there reads the same snapshots. Read-only: two clusters writing one repository
 * corrupt it, and the target only ever restores from it. Not verified: a target that cannot reach the
 * location must not dead-letter a registration it may never use; a restore from it would, and say why.
 */
function readOnlyRepository(logged: string, body: Body): PortableRequest {
  const path = withParam(logged, "verify", "false");
  const parsed = bodyValue(body);
  if (!isObject(parsed)) return { path, body, dropped: [], empty: false };
  const settings = isObject(parsed.settings) ? parsed.settings : {};
  return {
    path,
    body: jsonBody({ ...parsed, settings: { ...settings, readonly: true } }, body),
    dropped: [],
    empty: false,
  };
}

const ASYNC_ADMIN = /^\/[^/?]+\/_(?:open|shrink|split|clone)(?:\/[^/?]+)?\?/;
const RESTORE = /^\/_snapshot\/[^/?]+\/[^/?]+\/_restore(?:\?|$)/;

/**
 * An index open or resize the client ran in the background (`wait_for_completion=false`), and any
 * snapshot restore (in the background unless asked otherwise), is replayed in the foreground: the
 * writes logged after it may go to the index it opens, makes or restores, and replayed while the
 * target still works on it they would fail, or auto-create that index first. By-query calls keep the
 * client's choice: they may run for hours.
 */
function waitingPath(path: string): string {
  if (RESTORE.test(path)) return withParam(path, "wait_for_completion", "true");
  if (!ASYNC_ADMIN.test(path)) return path;
  const background = dropParam(path, "wait_for_completion");
  if (background.value !== "false") return path;
  // OpenSearch takes task_execution_timeout only with wait_for_completion=false (2.11 and 2.19 refuse
  // it otherwise, as an unrecognized parameter): it goes with it.
  return dropParam(background.path, "task_execution_timeout").path;
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
    } else if (notPortable(path, child)) {
      dropped.push(path);
      delete value[key];
    }
  }
}

function isEmptyObject(value: unknown): boolean {
  return isObject(value) && Object.keys(value).every((k) => isEmptyObject(value[k]));
}

/**
 * A `_rollover` as the source applied it: to the index it rolled over to, with no conditions (the
 * target would judge them on its own sizes and counts, and could decide otherwise).
 */
export function appliedRollover(
  path: string,
  body: Body | undefined,
  to: string,
): { path: string; body: Body | undefined } {
  const rest = dropParam(path, "dry_run").path;
  const q = rest.indexOf("?");
  const alias = rest.slice(0, q === -1 ? rest.length : q).split("/")[1] ?? "";
  const sent = `/${alias}/_rollover/${encodeURIComponent(to)}${q === -1 ? "" : rest.slice(q)}`;
  const parsed = bodyValue(body);
  if (body === undefined || !isObject(parsed) || !("conditions" in parsed)) return { path: sent, body };
  const { conditions: _, ...kept } = parsed;
  return { path: sent, body: jsonBody(kept, body) };
}
