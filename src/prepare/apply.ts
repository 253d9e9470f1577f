/** Brings the target in line with a plan, in dependency order. Every call is idempotent. */
import type { Requester } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { diffIndex } from "./diff.ts";
import { ismApi } from "./lifecycle.ts";
import { isObject, normalizeIndex } from "./normalize.ts";
import { securityApi } from "./security.ts";
import { isTuned, type TunedSettings, tunedSettings, withoutTuned } from "./tuning.ts";
import {
  type ApplyResult,
  type Inventory,
  ITEM_KINDS,
  type ItemKind,
  type JsonObject,
  type PlanItem,
} from "./types.ts";

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  /** Called after each item is in place; the step uses it to record progress. */
  readonly onApplied?: (item: PlanItem) => void;
  /** New indices start tuned for the backfill (see tuning.ts); the real values come back in the result. */
  readonly backfillTuning?: boolean;
}

const enc = encodeURIComponent;

function missing(kind: string, name: string): BluegreenError {
  return new BluegreenError(
    "BG_STEP_FAILED",
    `The plan names ${kind} ${name}, but the source inventory lacks it.`,
    {
      fix: "Plan again from a fresh inventory of the source, then apply that plan.",
    },
  );
}

function need<T>(value: T | undefined, kind: string, name: string): T {
  if (value === undefined) throw missing(kind, name);
  return value;
}

async function put(target: Requester, path: string, body: unknown, signal?: AbortSignal): Promise<void> {
  await target.request({ method: "PUT", path, body, signal });
}

/**
 * Creates the index, or, when it already exists (a previous apply crashed after creating it, or someone
 * else made it), falls back to the in-place update so the re-run converges instead of failing.
 */
async function createIndex(target: Requester, name: string, source: Inventory, ctx: ItemContext) {
  const meta = need(source.indices[name], "index", name);
  const head = await target.request({ method: "HEAD", path: `/${enc(name)}`, signal: ctx.signal });
  if (head.status === 200) return updateIndex(target, name, source, ctx);
  let settings = meta.settings;
  if (ctx.backfillTuning) {
    const tuned = tunedSettings(meta);
    settings = tuned.settings;
    ctx.tuned[name] = tuned.real;
  }
  try {
    await put(
      target,
      `/${enc(name)}`,
      { settings, mappings: meta.mappings, aliases: meta.aliases },
      ctx.signal,
    );
  } catch (error) {
    // Made between the HEAD and the PUT (cross-cluster replication bootstrapping a follower does):
    // the same convergence as above.
    const reason = (error as { details?: { reason?: unknown } }).details?.reason;
    if (!String(reason).startsWith("resource_already_exists_exception")) throw error;
    delete ctx.tuned[name];
    return updateIndex(target, name, source, ctx);
  }
  return true;
}

/** Adds new fields and dynamic settings only; a conflict found now (target changed since plan) is skipped. */
async function updateIndex(target: Requester, name: string, source: Inventory, ctx: ItemContext) {
  const { signal } = ctx;
  const meta = need(source.indices[name], "index", name);
  const response = await target.request({
    method: "GET",
    path: `/${enc(name)}`,
    querystring: { flat_settings: true, expand_wildcards: "all" },
    signal,
  });
  const body = isObject(response.body) ? response.body[name] : undefined;
  const current = normalizeIndex(body);
  const desired = ctx.backfillTuning && isTuned(current.settings) ? withoutTuned(meta) : meta;
  const diff = diffIndex(desired, current);
  if (diff.conflicts.length > 0) return false;
  if (diff.mappingPatch !== undefined) await put(target, `/${enc(name)}/_mapping`, diff.mappingPatch, signal);
  if (diff.settingsPatch !== undefined)
    await put(target, `/${enc(name)}/_settings`, diff.settingsPatch, signal);
  return true;
}

/** `add` replaces an existing alias on the same index, so create and update are the same call. */
async function putAlias(target: Requester, item: PlanItem, source: Inventory, signal?: AbortSignal) {
  const slash = item.name.indexOf("/");
  const index = item.name.slice(0, slash);
  const alias = item.name.slice(slash + 1);
  const body: JsonObject = need(source.indices[index]?.aliases[alias], "alias", item.name);
  await target.request({
    method: "POST",
    path: "/_aliases",
    body: { actions: [{ add: { index, alias, ...body } }] },
    idempotent: true,
    signal,
  });
}

/** Where each simple kind lives and which inventory field holds its source body. */
function bodyOf(item: PlanItem, source: Inventory): { path: string; body: unknown } | undefined {
  const name = enc(item.name);
  const security = securityApi(source.about);
  const table: Partial<Record<ItemKind, [string, Readonly<Record<string, JsonObject>>]>> = {
    component_template: [`/_component_template/${name}`, source.componentTemplates],
    index_template: [`/_index_template/${name}`, source.indexTemplates],
    legacy_template: [`/_template/${name}`, source.legacyTemplates],
    pipeline: [`/_ingest/pipeline/${name}`, source.pipelines],
    script: [`/_scripts/${name}`, source.scripts],
    action_group: [`${security}/actiongroups/${name}`, source.actionGroups],
    tenant: [`${security}/tenants/${name}`, source.tenants],
    role: [`${security}/roles/${name}`, source.roles],
    internal_user: [`${security}/internalusers/${name}`, source.internalUsers],
    role_mapping: [`${security}/rolesmapping/${name}`, source.roleMappings],
  };
  const entry = table[item.kind];
  if (entry === undefined) return undefined;
  const body = need(entry[1][item.name], item.kind, item.name);
  return { path: entry[0], body: item.kind === "script" ? { script: body } : body };
}

/** `PUT` of an existing policy must name the version it replaces, or ISM refuses it. */
async function putIsmPolicy(target: Requester, item: PlanItem, source: Inventory, signal?: AbortSignal) {
  const path = `${ismApi(source.about)}/policies/${enc(item.name)}`;
  const policy = need(source.ismPolicies[item.name], item.kind, item.name);
  const current = await target.request({ method: "GET", path, allowStatus: [404], signal });
  const query: Record<string, number> = {};
  if (current.status === 200 && isObject(current.body)) {
    const { _seq_no, _primary_term } = current.body;
    if (typeof _seq_no === "number" && typeof _primary_term === "number")
      Object.assign(query, { if_seq_no: _seq_no, if_primary_term: _primary_term });
  }
  await target.request({ method: "PUT", path, querystring: query, body: { policy }, signal });
}

/** The path whose DELETE removes a target-only object (`--prune`). */
function deletePath(item: PlanItem, about: Inventory["about"]): string {
  const name = enc(item.name);
  const security = securityApi(about);
  switch (item.kind) {
    case "component_template":
      return `/_component_template/${name}`;
    case "index_template":
      return `/_index_template/${name}`;
    case "legacy_template":
      return `/_template/${name}`;
    case "pipeline":
      return `/_ingest/pipeline/${name}`;
    case "script":
      return `/_scripts/${name}`;
    case "index":
      return `/${name}`;
    case "alias": {
      const slash = item.name.indexOf("/");
      return `/${enc(item.name.slice(0, slash))}/_alias/${enc(item.name.slice(slash + 1))}`;
    }
    case "data_stream":
      return `/_data_stream/${name}`;
    case "ism_policy":
      return `${ismApi(about)}/policies/${name}`;
    case "action_group":
      return `${security}/actiongroups/${name}`;
    case "tenant":
      return `${security}/tenants/${name}`;
    case "role":
      return `${security}/roles/${name}`;
    case "internal_user":
      return `${security}/internalusers/${name}`;
    case "role_mapping":
      return `${security}/rolesmapping/${name}`;
  }
}

interface ItemContext {
  readonly signal: AbortSignal | undefined;
  readonly backfillTuning: boolean;
  /** Filled by createIndex: index → real values to restore after the backfill. */
  readonly tuned: Record<string, TunedSettings>;
}

async function applyItem(target: Requester, item: PlanItem, source: Inventory, ctx: ItemContext) {
  const { signal } = ctx;
  if (item.action === "delete") {
    // 404: already gone (a re-run after a crash); the goal state holds.
    await target.request({
      method: "DELETE",
      path: deletePath(item, source.about),
      allowStatus: [404],
      signal,
    });
    return true;
  }
  const simple = bodyOf(item, source);
  if (simple !== undefined) {
    await put(target, simple.path, simple.body, signal);
    return true;
  }
  switch (item.kind) {
    case "index":
      return item.action === "create"
        ? createIndex(target, item.name, source, ctx)
        : updateIndex(target, item.name, source, ctx);
    case "alias":
      await putAlias(target, item, source, signal);
      return true;
    case "data_stream": {
      need(source.dataStreams[item.name], item.kind, item.name);
      const path = `/_data_stream/${enc(item.name)}`;
      const head = await target.request({ method: "GET", path, allowStatus: [404], signal });
      if (head.status === 404) await put(target, path, undefined, signal);
      return true;
    }
    case "ism_policy":
      await putIsmPolicy(target, item, source, signal);
      return true;
    default:
      throw missing(item.kind, item.name);
  }
}

/**
 * Applies the plan's creates and updates to the target, kinds in dependency order (templates before
 * the indices they shape, pipelines before indices that name them as default). Identical items are
 * untouched and conflicts are skipped; only `delete` items (`--prune`) remove anything.
 */
export async function apply(
  target: Requester,
  items: readonly PlanItem[],
  source: Inventory,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  // Creates in dependency order, then deletes in reverse (an index template before its components).
  const rank = (i: PlanItem) =>
    i.action === "delete" ? 2 * ITEM_KINDS.length - ITEM_KINDS.indexOf(i.kind) : ITEM_KINDS.indexOf(i.kind);
  const ordered = [...items].sort((a, b) => rank(a) - rank(b));
  const applied: PlanItem[] = [];
  const skipped: PlanItem[] = [];
  const ctx: ItemContext = {
    signal: options.signal,
    backfillTuning: options.backfillTuning === true,
    tuned: {},
  };
  for (const item of ordered) {
    options.signal?.throwIfAborted();
    if (item.action === "conflict") skipped.push(item);
    if (item.action !== "create" && item.action !== "update" && item.action !== "delete") continue;
    if (await applyItem(target, item, source, ctx)) {
      applied.push(item);
      options.onApplied?.(item);
    } else {
      skipped.push({ ...item, action: "conflict", reason: "the target changed since the plan; plan again" });
    }
  }
  return { applied, skipped, tuned: ctx.tuned };
}
