/** Brings the target in line with a plan, in dependency order. Every call is idempotent. */
import type { Requester } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { diffIndex } from "./diff.ts";
import { isObject, normalizeIndex } from "./normalize.ts";
import { type ApplyResult, type Inventory, ITEM_KINDS, type JsonObject, type PlanItem } from "./types.ts";

export interface ApplyOptions {
  readonly signal?: AbortSignal;
  /** Called after each item is in place; the step uses it to record progress. */
  readonly onApplied?: (item: PlanItem) => void;
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
async function createIndex(target: Requester, name: string, source: Inventory, signal?: AbortSignal) {
  const meta = need(source.indices[name], "index", name);
  const head = await target.request({ method: "HEAD", path: `/${enc(name)}`, signal });
  if (head.status === 200) return updateIndex(target, name, source, signal);
  await put(
    target,
    `/${enc(name)}`,
    { settings: meta.settings, mappings: meta.mappings, aliases: meta.aliases },
    signal,
  );
  return true;
}

/** Adds new fields and dynamic settings only; a conflict found now (target changed since plan) is skipped. */
async function updateIndex(target: Requester, name: string, source: Inventory, signal?: AbortSignal) {
  const meta = need(source.indices[name], "index", name);
  const response = await target.request({
    method: "GET",
    path: `/${enc(name)}`,
    querystring: { flat_settings: true, expand_wildcards: "all" },
    signal,
  });
  const body = isObject(response.body) ? response.body[name] : undefined;
  const diff = diffIndex(meta, normalizeIndex(body));
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

async function applyItem(target: Requester, item: PlanItem, source: Inventory, signal?: AbortSignal) {
  const name = item.name;
  switch (item.kind) {
    case "component_template":
      await put(
        target,
        `/_component_template/${enc(name)}`,
        need(source.componentTemplates[name], item.kind, name),
        signal,
      );
      return true;
    case "index_template":
      await put(
        target,
        `/_index_template/${enc(name)}`,
        need(source.indexTemplates[name], item.kind, name),
        signal,
      );
      return true;
    case "legacy_template":
      await put(
        target,
        `/_template/${enc(name)}`,
        need(source.legacyTemplates[name], item.kind, name),
        signal,
      );
      return true;
    case "pipeline":
      await put(
        target,
        `/_ingest/pipeline/${enc(name)}`,
        need(source.pipelines[name], item.kind, name),
        signal,
      );
      return true;
    case "script":
      await put(
        target,
        `/_scripts/${enc(name)}`,
        { script: need(source.scripts[name], item.kind, name) },
        signal,
      );
      return true;
    case "index":
      return item.action === "create"
        ? createIndex(target, name, source, signal)
        : updateIndex(target, name, source, signal);
    case "alias":
      await putAlias(target, item, source, signal);
      return true;
  }
}

/**
 * Applies the plan's creates and updates to the target, kinds in dependency order (templates before
 * the indices they shape, pipelines before indices that name them as default). Identical items are
 * untouched and conflicts are skipped: nothing on the target is ever deleted.
 */
export async function apply(
  target: Requester,
  items: readonly PlanItem[],
  source: Inventory,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const ordered = [...items].sort((a, b) => ITEM_KINDS.indexOf(a.kind) - ITEM_KINDS.indexOf(b.kind));
  const applied: PlanItem[] = [];
  const skipped: PlanItem[] = [];
  for (const item of ordered) {
    options.signal?.throwIfAborted();
    if (item.action === "conflict") skipped.push(item);
    if (item.action !== "create" && item.action !== "update") continue;
    if (await applyItem(target, item, source, options.signal)) {
      applied.push(item);
      options.onApplied?.(item);
    } else {
      skipped.push({ ...item, action: "conflict", reason: "the target changed since the plan; plan again" });
    }
  }
  return { applied, skipped };
}
