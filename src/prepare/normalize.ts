/**
 * Normalization: the same definition read from two clusters (of different versions) must compare equal,
 * and what apply sends must be accepted by the target. Everything here is pure.
 */
import type { FlatSettings, Json, JsonObject } from "./types.ts";

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON with object keys sorted, so equality does not depend on the order a cluster serializes in. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
  return out;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * Flattens nested settings to dotted keys. Clusters store every leaf as a string, but a body may say
 * `1` or `true`; stringify so both spellings compare equal. Arrays (analyzer filters, synonyms) stay leaves.
 */
export function flattenSettings(settings: unknown, prefix = ""): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!isObject(settings)) return out;
  for (const [key, value] of Object.entries(settings)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (isObject(value)) Object.assign(out, flattenSettings(value, path));
    else if (Array.isArray(value)) out[path] = value.map((v) => String(v));
    else if (value !== null && value !== undefined) out[path] = String(value);
  }
  return out;
}

/** Template settings may omit the `index.` prefix; the cluster adds it, so we do too before comparing. */
function withIndexPrefix(flat: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(flat))
    out[key.startsWith("index.") ? key : `index.${key}`] = value;
  return out;
}

/**
 * Settings the source cluster owns or derived for this one index: copying them would either be rejected
 * (uuid, version, creation date) or make the target index claim the source's identity or state
 * (history uuid, resize source, write blocks that cutover sets, not prepare).
 */
const NOT_COPIED = [
  /^index\.uuid$/,
  /^index\.creation_date(_string)?$/,
  /^index\.version\./,
  /^index\.provided_name$/,
  /^index\.routing\.allocation\.initial_recovery\./,
  // Filters naming source nodes would leave the target's shards unassigned; custom attributes stay.
  /^index\.routing\.allocation\.(include|exclude|require)\._(name|id|ip|host|publish_ip)$/,
  /^index\.resize\./,
  /^index\.shrink\./,
  /^index\.history\.uuid$/,
  /^index\.history_uuid$/,
  /^index\.blocks\./,
  /^index\.verified_before_close$/,
  /^index\.frozen$/,
  // Remote-store and segment-replication wiring is decided by the target cluster, not inherited.
  /^index\.remote_store\./,
  // Cross-cluster replication's own bookkeeping (a leader's retention-lease pruning, a follower's
  // leader): the plugin sets it on each side, and a follower is read-only to everyone else.
  /^index\.plugins\.replication\./,
];

export function copyableSettings(settings: unknown): FlatSettings {
  const flat = withIndexPrefix(flattenSettings(settings));
  const out: Record<string, string | string[]> = {};
  for (const key of Object.keys(flat).sort()) {
    if (NOT_COPIED.some((re) => re.test(key))) continue;
    const value = flat[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * Settings fixed at creation: a difference needs a new index (or a shrink/split for the shard count).
 * Everything not listed here or in CLOSED_ONLY is treated as dynamic and updated with `PUT _settings`.
 */
const FIXED_SETTINGS = [
  /^index\.number_of_shards$/,
  /^index\.number_of_routing_shards$/,
  /^index\.routing_partition_size$/,
  /^index\.sort\./,
  /^index\.soft_deletes\./,
  /^index\.store\.type$/,
  /^index\.replication\.type$/,
];

/** Static settings that can change, but only while the index is closed (analysis, codec, similarity). */
const CLOSED_ONLY_SETTINGS = [
  /^index\.analysis\./,
  /^index\.codec$/,
  /^index\.similarity\./,
  /^index\.store\./,
];

export type SettingChange = "dynamic" | "closed" | "fixed";

export function settingChange(key: string): SettingChange {
  if (FIXED_SETTINGS.some((re) => re.test(key))) return "fixed";
  if (CLOSED_ONLY_SETTINGS.some((re) => re.test(key))) return "closed";
  return "dynamic";
}

/** The alias attributes that define behaviour; `routing` is expanded the way clusters report it. */
export function normalizeAlias(body: unknown): JsonObject {
  const src = isObject(body) ? body : {};
  const out: JsonObject = {};
  if (src.filter !== undefined) out.filter = src.filter;
  const routing = src.routing;
  const indexRouting = src.index_routing ?? routing;
  const searchRouting = src.search_routing ?? routing;
  if (indexRouting !== undefined && indexRouting !== null) out.index_routing = String(indexRouting);
  if (searchRouting !== undefined && searchRouting !== null) out.search_routing = String(searchRouting);
  if (src.is_write_index === true) out.is_write_index = true;
  if (src.is_hidden === true) out.is_hidden = true;
  return out;
}

function normalizeAliases(aliases: unknown): JsonObject {
  const out: JsonObject = {};
  if (!isObject(aliases)) return out;
  for (const name of Object.keys(aliases).sort()) out[name] = normalizeAlias(aliases[name]);
  return out;
}

/** The `template` block shared by component and composable templates. */
function normalizeTemplateBlock(template: unknown): JsonObject {
  const src = isObject(template) ? template : {};
  const out: JsonObject = {};
  const settings = withIndexPrefix(flattenSettings(src.settings));
  if (Object.keys(settings).length > 0) out.settings = settings as JsonObject;
  if (isObject(src.mappings) && Object.keys(src.mappings).length > 0) out.mappings = src.mappings;
  const aliases = normalizeAliases(src.aliases);
  if (Object.keys(aliases).length > 0) out.aliases = aliases;
  return out;
}

/** Copies the listed keys that are present; unknown keys a newer cluster adds are left out on purpose. */
function pick(src: JsonObject, keys: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of keys) {
    const value = src[key];
    if (value !== undefined && value !== null) out[key] = value as Json;
  }
  return out;
}

export function normalizeComponentTemplate(body: unknown): JsonObject {
  const src = isObject(body) ? body : {};
  return { ...pick(src, ["version", "_meta"]), template: normalizeTemplateBlock(src.template) };
}

export function normalizeIndexTemplate(body: unknown): JsonObject {
  const src = isObject(body) ? body : {};
  const out = pick(src, ["index_patterns", "priority", "version", "_meta", "data_stream"]);
  // An empty composed_of and a missing one mean the same; clusters differ in which they print.
  if (Array.isArray(src.composed_of) && src.composed_of.length > 0) out.composed_of = src.composed_of;
  const template = normalizeTemplateBlock(src.template);
  if (Object.keys(template).length > 0) out.template = template;
  return out;
}

export function normalizeLegacyTemplate(body: unknown): JsonObject {
  const src = isObject(body) ? body : {};
  // Legacy templates carry settings, mappings and aliases at the top level, in the same shape.
  return { ...pick(src, ["index_patterns", "order", "version"]), ...normalizeTemplateBlock(src) };
}

export function normalizeIndex(body: unknown): {
  settings: FlatSettings;
  mappings: JsonObject;
  aliases: Record<string, JsonObject>;
} {
  const src = isObject(body) ? body : {};
  return {
    settings: copyableSettings(src.settings),
    mappings: isObject(src.mappings) ? src.mappings : {},
    aliases: normalizeAliases(src.aliases) as Record<string, JsonObject>,
  };
}

/**
 * Objects OpenSearch and its plugins create by themselves: the target makes its own, so copying the
 * source's (possibly older) versions would fight the target's plugins.
 */
const BUILT_IN = new Set([
  "ism_history_indices",
  "tenant_template",
  "xpack_monitoring_2",
  "xpack_monitoring_6",
  "xpack_monitoring_7",
  "ilm-history",
  "xpack-default",
]);

export function isBuiltIn(name: string): boolean {
  return name.startsWith(".") || BUILT_IN.has(name);
}
