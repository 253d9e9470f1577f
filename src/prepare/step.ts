/** Step 1: the prepare step as the workflow runs it (plan, apply, verify). */
import { type Cluster, createCluster } from "../cluster/index.ts";
import { globToRegExp, type IndexSelection, type MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { openMigrationState } from "../state/index.ts";
import type { CheckpointWriter, PlanAction, Step } from "../workflow/index.ts";
import { apply } from "./apply.ts";
import { inventory } from "./inventory.ts";
import { pending, plan } from "./plan.ts";
import { applyOverrides, isTuned, type TunedSettings, tunedSettings } from "./tuning.ts";
import type { ApplyResult, Blocker, Inventory, Plan, PlanItem } from "./types.ts";

/** Checkpoint of the prepare step: index → settings to restore after the backfill (see tuning.ts). */
export const TUNING_CHECKPOINT = "prepare.tuning";

const TEMPLATE_KINDS = new Set(["component_template", "index_template", "legacy_template"]);

export interface Comparison extends Plan {
  /** The desired target: the source's inventory with the configured overrides. */
  readonly inventory: Inventory;
  readonly targetInventory: Inventory;
}

export interface CompareOptions {
  readonly signal?: AbortSignal;
  /** Overrides `prepare.prune` from the config (the CLI's `--prune`). */
  readonly prune?: boolean;
  /** Indices (and their aliases) missing on the target are CCR's to create: no `create` items for them. */
  readonly leaveToCcr?: boolean;
}

/**
 * With sync through CCR, the backfill starts a follower per index and CCR creates it while it
 * bootstraps; an index prepare created meanwhile would make that bootstrap fail. So prepare leaves
 * missing indices to CCR once CCR is the method (configured, or `auto` decided so); before `auto` is
 * decided it creates them, and the backfill replaces the empty ones.
 */
export async function ccrCreatesIndices(config: MigrationConfig): Promise<boolean> {
  if (config.sync.method !== "ccr" && config.sync.method !== "auto") return false;
  if (config.sync.method === "ccr") return true;
  // Loaded only here: sync's surface reaches the gateway and its metrics, which the backfill's copy
  // thread (it plans through prepare) would otherwise load for nothing.
  const { syncMethodOf } = await import("../sync/index.ts");
  const state = openMigrationState(config);
  try {
    return syncMethodOf(config, state) === "ccr";
  } finally {
    state.close();
  }
}

export async function withClusters<T>(
  config: MigrationConfig,
  logger: Logger | undefined,
  run: (source: Cluster, target: Cluster) => Promise<T>,
): Promise<T> {
  const options = logger === undefined ? {} : { logger };
  const source = createCluster(config.source, options);
  const target = createCluster(config.target, options);
  try {
    return await run(source, target);
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/** Inventories both sides and plans; `prepare.templates: false` leaves templates out entirely. */
export async function compare(
  config: MigrationConfig,
  source: Cluster,
  target: Cluster,
  options: CompareOptions = {},
): Promise<Comparison> {
  const { signal } = options;
  const [src, tgt] = await Promise.all([
    inventory(source, config.indices, { signal }),
    inventory(target, config.indices, { signal }),
  ]);
  // The desired target: the source's definitions with the configured per-index overrides.
  const desired: Inventory = { ...src, indices: applyOverrides(src.indices, config.prepare.overrides) };
  const result = plan(desired, tgt, {
    prune: options.prune ?? config.prepare.prune,
    backfillTuning: config.prepare.backfillTuning,
  });
  const leftToCcr = (i: PlanItem) =>
    options.leaveToCcr === true &&
    i.action === "create" &&
    ((i.kind === "index" && i.name in desired.indices) ||
      (i.kind === "alias" && !(i.name.slice(0, i.name.indexOf("/")) in tgt.indices)));
  const items = result.items.filter(
    (i) => (config.prepare.templates || !TEMPLATE_KINDS.has(i.kind)) && !leftToCcr(i),
  );
  return { ...result, items, inventory: desired, targetInventory: tgt };
}

/** Include patterns that match no index and no data stream on the source: almost always a typo. */
export function unmatchedPatterns(selection: IndexSelection, source: Inventory): string[] {
  const names = [...Object.keys(source.indices), ...Object.keys(source.dataStreams)];
  return selection.include.filter((pattern) => {
    const re = globToRegExp(pattern);
    return !names.some((name) => re.test(name));
  });
}

export function noMatchError(patterns: readonly string[]): BluegreenError {
  const list = patterns.map((p) => `"${p}"`).join(", ");
  return new BluegreenError(
    "BG_PREPARE_NO_MATCH",
    `The index pattern(s) ${list} match no index or data stream on the source.`,
    {
      fix: "Check indices.include in the migration file (GET _cat/indices on the source lists the names); hidden indices also need indices.includeHidden: true.",
      details: { patterns },
    },
  );
}

function describe(item: PlanItem): PlanAction {
  const detail = item.diff ?? item.reason;
  return {
    description: `${item.action} ${item.kind.replace("_", " ")} ${item.name}${detail === undefined ? "" : ` (${detail})`}`,
  };
}

export function conflictError(conflicts: readonly PlanItem[]): BluegreenError {
  const lines = conflicts.map(
    (c) =>
      `- ${c.kind} ${c.name}: ${c.diff ?? "conflict"}${c.reason === undefined ? "" : `\n  => ${c.reason}`}`,
  );
  return new BluegreenError(
    "BG_STEP_FAILED",
    `Prepare found ${conflicts.length} conflict(s) it cannot apply in place:\n${lines.join("\n")}`,
    {
      fix: "Resolve each conflict on the target (usually: a new index and a reindex), then run again.",
      details: { conflicts },
    },
  );
}

export function blockedError(blockers: readonly Blocker[]): BluegreenError {
  const lines = blockers.map((b) => `- ${b.message}\n  fix: ${b.fix}`);
  return new BluegreenError(
    "BG_PREPARE_BLOCKED",
    `Prepare found ${blockers.length} blocker(s); nothing was applied:\n${lines.join("\n")}`,
    { fix: "Resolve each blocker (see the fix under it), then plan again.", details: { blockers } },
  );
}

/** Blockers and conflicts stop the whole apply: a half-aligned target is harder to reason about than none. */
export function assertApplicable(comparison: Plan): void {
  if (comparison.blockers.length > 0) throw blockedError(comparison.blockers);
  const { conflicts } = pending(comparison.items);
  if (conflicts.length > 0) throw conflictError(conflicts);
}

/** Items that keep the target from matching the source (extra and unsupported ones do not). */
export function outstanding(items: readonly PlanItem[]): PlanItem[] {
  return items.filter((i) => ["create", "update", "delete", "conflict"].includes(i.action));
}

/** Target indices still in their backfill state → the real values, which are the desired ones. */
function stillTuned(comparison: Comparison): Record<string, TunedSettings> {
  const out: Record<string, TunedSettings> = {};
  for (const [name, meta] of Object.entries(comparison.inventory.indices)) {
    const current = comparison.targetInventory.indices[name];
    if (current !== undefined && isTuned(current.settings)) out[name] = tunedSettings(meta).real;
  }
  return out;
}

export interface ApplyContext {
  readonly signal?: AbortSignal;
  readonly checkpoint: Pick<CheckpointWriter, "put">;
  event(type: string, data?: unknown): void;
  /** Overrides `prepare.prune` (the CLI's `--prune`). */
  readonly prune?: boolean;
}

/**
 * What the step and `prepare --apply` both do: compare, stop on blockers and conflicts, apply in
 * dependency order, and record the settings to restore after the backfill.
 */
export async function applyPrepare(
  config: MigrationConfig,
  source: Cluster,
  target: Cluster,
  ctx: ApplyContext,
  /** A comparison the caller has just made (and shown), so the clusters are not inventoried twice. */
  compared?: Comparison,
): Promise<{ comparison: Comparison; result: ApplyResult }> {
  const comparison =
    compared ??
    (await compare(config, source, target, {
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      ...(ctx.prune === undefined ? {} : { prune: ctx.prune }),
      leaveToCcr: await ccrCreatesIndices(config),
    }));
  assertApplicable(comparison);
  const { changes } = pending(comparison.items);
  const result = await apply(target, changes, comparison.inventory, {
    ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    backfillTuning: config.prepare.backfillTuning,
    onApplied: (item) =>
      ctx.event("prepare.applied", { kind: item.kind, name: item.name, action: item.action }),
  });
  if (config.prepare.backfillTuning) {
    // Rebuilt from the target each time, so a forced re-run (which clears checkpoints) or a crash
    // between creating an index and recording it never loses the values to restore.
    const tuned = { ...stillTuned(comparison), ...result.tuned };
    if (Object.keys(tuned).length > 0) ctx.checkpoint.put(TUNING_CHECKPOINT, tuned);
  }
  return { comparison, result };
}

export function prepareSummary(comparison: Comparison, result: ApplyResult): Record<string, number> {
  return {
    applied: result.applied.length,
    identical: comparison.items.filter((i) => i.action === "identical").length,
  };
}

export function prepareStep(config: MigrationConfig, logger?: Logger): Step {
  return {
    id: "prepare",
    title:
      "Prepare: copy templates, pipelines, scripts, indices, aliases, data streams, ISM and security to the target",
    async plan(ctx) {
      const comparison = await withClusters(config, logger, async (s, t) =>
        compare(config, s, t, { signal: ctx.signal, leaveToCcr: await ccrCreatesIndices(config) }),
      );
      const off = outstanding(comparison.items);
      if (off.length === 0 && comparison.blockers.length === 0) {
        return {
          kind: "skip",
          reason: `The target already matches the source (${comparison.items.length} object(s))`,
        };
      }
      const { changes, conflicts } = pending(comparison.items);
      return {
        kind: "apply",
        summary: `${comparison.blockers.length} blocker(s), ${changes.length} change(s), ${conflicts.length} conflict(s)`,
        actions: [
          ...comparison.blockers.map((b) => ({ description: `blocker: ${b.message}` })),
          ...off.map(describe),
        ],
      };
    },
    async apply(ctx) {
      return withClusters(config, logger, async (source, target) => {
        const { comparison, result } = await applyPrepare(config, source, target, ctx);
        if (result.skipped.length > 0) throw conflictError(result.skipped);
        return { kind: "done", summary: prepareSummary(comparison, result) };
      });
    },
    async verify(ctx) {
      const { items } = await withClusters(config, logger, async (s, t) =>
        compare(config, s, t, { signal: ctx.signal, leaveToCcr: await ccrCreatesIndices(config) }),
      );
      const off = outstanding(items);
      if (off.length === 0) return { ok: true };
      const names = off.map((i) => `${i.action} ${i.kind} ${i.name}`).join(", ");
      return { ok: false, reason: `The target still differs from the source: ${names}`, retryable: true };
    },
  };
}
