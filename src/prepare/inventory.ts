/** Reads the metadata prepare migrates from one cluster; read-only. */
import { type ClusterFacts, parseDataStreams, type Requester } from "../cluster/index.ts";
import { type IndexSelection, selectIndices } from "../config/index.ts";
import { readIlmPolicies, readIsmPolicies } from "./lifecycle.ts";
import {
  flattenSettings,
  isBuiltIn,
  isObject,
  normalizeComponentTemplate,
  normalizeIndex,
  normalizeIndexTemplate,
  normalizeLegacyTemplate,
} from "./normalize.ts";
import { emptySecurity, securityInventory } from "./security.ts";
import { transform, transformTemplate } from "./transforms.ts";
import type {
  ClusterAbout,
  FlatSettings,
  IndexMetadata,
  Inventory,
  ItemKind,
  JsonObject,
  Untranslatable,
} from "./types.ts";

export interface InventoryOptions {
  readonly signal?: AbortSignal;
}

async function getJson(cluster: Requester, path: string, options: InventoryOptions, query = {}) {
  // 404 means "none of these exist" on some versions (e.g. no pipelines); treat it as empty.
  const response = await cluster.request({
    method: "GET",
    path,
    querystring: query,
    allowStatus: [404],
    signal: options.signal,
  });
  return response.status === 404 ? {} : response.body;
}

function sortedRecord<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [name, value] of [...entries].sort(([a], [b]) => a.localeCompare(b))) out[name] = value;
  return out;
}

/** Templates of one kind after the version transforms, split into copyable and untranslatable ones. */
interface Templates {
  readonly bodies: Record<string, JsonObject>;
  readonly transforms: Record<string, readonly string[]>;
  readonly untranslatable: Untranslatable[];
}

function templates(kind: ItemKind, entries: readonly (readonly [string, JsonObject])[]): Templates {
  const out: Templates = { bodies: {}, transforms: {}, untranslatable: [] };
  const legacy = kind === "legacy_template";
  for (const [name, body] of [...entries].sort(([a], [b]) => a.localeCompare(b))) {
    const t = transformTemplate(body, legacy);
    if (t.untranslatable.length > 0) {
      out.untranslatable.push({ kind, name, reason: t.untranslatable.join("; ") });
      continue;
    }
    out.bodies[name] = t.body;
    if (t.transforms.length > 0) out.transforms[`${kind} ${name}`] = t.transforms;
  }
  return out;
}

async function componentTemplates(cluster: Requester, options: InventoryOptions) {
  const body = await getJson(cluster, "/_component_template", options);
  const list = isObject(body) && Array.isArray(body.component_templates) ? body.component_templates : [];
  const entries: [string, JsonObject][] = [];
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string" || isBuiltIn(item.name)) continue;
    entries.push([item.name, normalizeComponentTemplate(item.component_template)]);
  }
  return templates("component_template", entries);
}

async function indexTemplates(cluster: Requester, options: InventoryOptions) {
  const body = await getJson(cluster, "/_index_template", options);
  const list = isObject(body) && Array.isArray(body.index_templates) ? body.index_templates : [];
  const entries: [string, JsonObject][] = [];
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string" || isBuiltIn(item.name)) continue;
    entries.push([item.name, normalizeIndexTemplate(item.index_template)]);
  }
  return templates("index_template", entries);
}

/** An index as read, with the version transforms applied and what they could not translate. */
function transformedIndex(raw: unknown): IndexMetadata {
  const meta = normalizeIndex(raw);
  const t = transform({ settings: meta.settings, mappings: meta.mappings });
  return {
    settings: t.settings as FlatSettings,
    mappings: t.mappings,
    aliases: meta.aliases,
    ...(t.transforms.length > 0 ? { transforms: t.transforms } : {}),
    ...(t.untranslatable.length > 0 ? { untranslatable: t.untranslatable } : {}),
  };
}

async function legacyTemplates(cluster: Requester, options: InventoryOptions) {
  const body = await getJson(cluster, "/_template", options);
  const entries = Object.entries(isObject(body) ? body : {})
    .filter(([name]) => !isBuiltIn(name))
    .map(([name, value]) => [name, normalizeLegacyTemplate(value)] as const);
  return templates("legacy_template", entries);
}

async function pipelines(cluster: Requester, options: InventoryOptions) {
  const body = await getJson(cluster, "/_ingest/pipeline", options);
  if (!isObject(body)) return {};
  const entries = Object.entries(body)
    .filter(([name, value]) => !isBuiltIn(name) && isObject(value))
    .map(([name, value]) => [name, value as JsonObject] as const);
  return sortedRecord(entries);
}

/** Stored scripts have no list API; the cluster state is the only place that names them all. */
async function scripts(cluster: Requester, options: InventoryOptions) {
  const body = await getJson(cluster, "/_cluster/state/metadata", options, {
    filter_path: "metadata.stored_scripts",
  });
  const stored = isObject(body) && isObject(body.metadata) ? body.metadata.stored_scripts : undefined;
  if (!isObject(stored)) return {};
  const entries: [string, JsonObject][] = [];
  for (const [name, value] of Object.entries(stored)) {
    if (isBuiltIn(name) || !isObject(value)) continue;
    const script: JsonObject = { lang: value.lang ?? "painless", source: value.source ?? "" };
    if (isObject(value.options) && Object.keys(value.options).length > 0) script.options = value.options;
    entries.push([name, script]);
  }
  return sortedRecord(entries);
}

/** Data streams the selection names; their backing indices are created by the stream, not copied. */
async function dataStreams(cluster: Requester, selection: IndexSelection, options: InventoryOptions) {
  const all = parseDataStreams(await getJson(cluster, "/_data_stream", options));
  const streams = all
    .filter((s) => selectIndices([{ name: s.name }], selection).length > 0)
    .map((s): [string, JsonObject] => [s.name, { timestamp_field: s.timestampField }]);
  return { streams: sortedRecord(streams), backing: new Set(all.flatMap((s) => s.backingIndices)) };
}

async function indices(
  cluster: Requester,
  selection: IndexSelection,
  options: InventoryOptions,
  backing: ReadonlySet<string>,
) {
  // The selection decides by name and the hidden flag; listing first keeps the GET below bounded.
  // index.uuid is asked for too because a filtered GET omits indices that have none of the settings.
  const settings = await getJson(cluster, "/_all/_settings/index.uuid,index.hidden", options, {
    expand_wildcards: "all",
    flat_settings: true,
  });
  const candidates = Object.entries(isObject(settings) ? settings : {}).map(([name, value]) => {
    const flat = isObject(value) && isObject(value.settings) ? value.settings : {};
    return { name, hidden: flat["index.hidden"] === "true" };
  });
  const names = selectIndices(candidates, selection)
    .map((c) => c.name)
    .filter((name) => !backing.has(name));
  if (names.length === 0) return {};
  const out: [string, IndexMetadata][] = [];
  // Chunked so a large selection never produces a URL the cluster rejects as too long.
  for (let i = 0; i < names.length; i += 50) {
    const chunk = names
      .slice(i, i + 50)
      .map(encodeURIComponent)
      .join(",");
    const body = await getJson(cluster, `/${chunk}`, options, {
      flat_settings: true,
      expand_wildcards: "all",
    });
    if (!isObject(body)) continue;
    for (const [name, value] of Object.entries(body)) out.push([name, transformedIndex(value)]);
  }
  return sortedRecord(out);
}

export function aboutCluster(facts: ClusterFacts): ClusterAbout {
  return {
    distribution: facts.distribution,
    version: facts.versionText,
    plugins: [...facts.plugins].sort(),
    nodes: facts.health.numberOfNodes,
    dataNodes: facts.health.numberOfDataNodes,
    security: facts.capabilities.security,
    ism: facts.capabilities.ism,
    ilm: facts.capabilities.ilm,
  };
}

/** A requester that also reports what it is connected to: a `Cluster`. */
export interface InventorySource extends Requester {
  facts(): Promise<ClusterFacts>;
}

async function clusterSettings(cluster: Requester, options: InventoryOptions): Promise<FlatSettings> {
  const body = await getJson(cluster, "/_cluster/settings", options, { flat_settings: true });
  return isObject(body) ? flattenSettings(body.persistent) : {};
}

/** Everything prepare compares and copies, from one cluster, for the indices the selection picks. */
export async function inventory(
  cluster: InventorySource,
  selection: IndexSelection,
  options: InventoryOptions = {},
): Promise<Inventory> {
  const facts = await cluster.facts();
  const about = aboutCluster(facts);
  const signal = options.signal;
  // Elasticsearch OSS has no data streams (they are x-pack) and answers `_data_stream` with a 400.
  const streams = facts.capabilities.dataStreams
    ? await dataStreams(cluster, selection, options)
    : { streams: {}, backing: new Set<string>() };
  const [cs, ct, it, lt, pl, sc, ix, ism, ilm, security] = await Promise.all([
    clusterSettings(cluster, options),
    componentTemplates(cluster, options),
    indexTemplates(cluster, options),
    legacyTemplates(cluster, options),
    pipelines(cluster, options),
    scripts(cluster, options),
    indices(cluster, selection, options, streams.backing),
    readIsmPolicies(cluster, about, signal),
    readIlmPolicies(cluster, about, signal),
    securityInventory(cluster, about, signal),
  ]);
  return {
    about,
    clusterSettings: cs,
    componentTemplates: ct.bodies,
    indexTemplates: it.bodies,
    legacyTemplates: lt.bodies,
    transforms: { ...ct.transforms, ...it.transforms, ...lt.transforms },
    pipelines: pl,
    scripts: sc,
    indices: ix,
    dataStreams: streams.streams,
    ismPolicies: ism,
    actionGroups: security.action_group,
    tenants: security.tenant,
    roles: security.role,
    internalUsers: security.internal_user,
    roleMappings: security.role_mapping,
    userHashes: security.userHashes,
    untranslatable: [
      ...ct.untranslatable,
      ...it.untranslatable,
      ...lt.untranslatable,
      ...ilm,
      ...security.untranslatable,
    ],
  };
}

/** An inventory of nothing, for a cluster described by `about`: what unit tests start from. */
export function emptyInventory(about: Partial<ClusterAbout> = {}): Inventory {
  const security = emptySecurity();
  return {
    about: {
      distribution: "opensearch",
      version: "2.19.4",
      plugins: [],
      nodes: 1,
      dataNodes: 1,
      security: false,
      ism: false,
      ilm: false,
      ...about,
    },
    clusterSettings: {},
    componentTemplates: {},
    indexTemplates: {},
    legacyTemplates: {},
    transforms: {},
    pipelines: {},
    scripts: {},
    indices: {},
    dataStreams: {},
    ismPolicies: {},
    actionGroups: security.action_group,
    tenants: security.tenant,
    roles: security.role,
    internalUsers: security.internal_user,
    roleMappings: security.role_mapping,
    userHashes: false,
    untranslatable: [],
  };
}
