/** Step 1: the prepare step as the workflow runs it (plan, apply, verify). */
import { type Cluster, createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { PlanAction, Step } from "../workflow/index.ts";
import { apply } from "./apply.ts";
import { inventory } from "./inventory.ts";
import { pending, plan } from "./plan.ts";
import type { Inventory, PlanItem } from "./types.ts";

const TEMPLATE_KINDS = new Set(["component_template", "index_template", "legacy_template"]);

export interface Comparison {
  readonly source: Inventory;
  readonly items: readonly PlanItem[];
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
  signal?: AbortSignal,
): Promise<Comparison> {
  const [src, tgt] = await Promise.all([
    inventory(source, config.indices, { signal }),
    inventory(target, config.indices, { signal }),
  ]);
  const items = plan(src, tgt).filter((i) => config.prepare.templates || !TEMPLATE_KINDS.has(i.kind));
  return { source: src, items };
}

function describe(item: PlanItem): PlanAction {
  const detail = item.diff === undefined ? "" : ` (${item.diff})`;
  return { description: `${item.action} ${item.kind.replace("_", " ")} ${item.name}${detail}` };
}

export function conflictError(conflicts: readonly PlanItem[]): BluegreenError {
  const lines = conflicts.map((c) => `- ${c.kind} ${c.name}: ${c.reason ?? c.diff ?? "conflict"}`);
  return new BluegreenError(
    "BG_STEP_FAILED",
    `Prepare found ${conflicts.length} conflict(s) it cannot apply in place:\n${lines.join("\n")}`,
    {
      fix: "Resolve each conflict on the target (usually: a new index and a reindex), then run again.",
      details: { conflicts },
    },
  );
}

export function prepareStep(config: MigrationConfig, logger?: Logger): Step {
  return {
    id: "prepare",
    title: "Prepare: copy templates, pipelines, scripts, index settings, mappings and aliases to the target",
    async plan(ctx) {
      const { items } = await withClusters(config, logger, (s, t) => compare(config, s, t, ctx.signal));
      const { changes, conflicts } = pending(items);
      if (changes.length === 0 && conflicts.length === 0) {
        return { kind: "skip", reason: `The target already matches the source (${items.length} object(s))` };
      }
      return {
        kind: "apply",
        summary: `${changes.length} change(s), ${conflicts.length} conflict(s), ${items.length - changes.length - conflicts.length} identical`,
        actions: [...changes, ...conflicts].map(describe),
      };
    },
    async apply(ctx) {
      return withClusters(config, logger, async (source, target) => {
        const { source: src, items } = await compare(config, source, target, ctx.signal);
        const { changes, conflicts } = pending(items);
        // Refuse before touching anything: a half-prepared target with a known conflict helps nobody.
        if (conflicts.length > 0) throw conflictError(conflicts);
        const result = await apply(target, changes, src, {
          signal: ctx.signal,
          onApplied: (item) =>
            ctx.event("prepare.applied", { kind: item.kind, name: item.name, action: item.action }),
        });
        if (result.skipped.length > 0) throw conflictError(result.skipped);
        return {
          kind: "done",
          summary: { applied: result.applied.length, identical: items.length - changes.length },
        };
      });
    },
    async verify(ctx) {
      const { items } = await withClusters(config, logger, (s, t) => compare(config, s, t, ctx.signal));
      const off = items.filter((i) => i.action !== "identical");
      if (off.length === 0) return { ok: true };
      const names = off.map((i) => `${i.action} ${i.kind} ${i.name}`).join(", ");
      return { ok: false, reason: `The target still differs from the source: ${names}`, retryable: true };
    },
  };
}
