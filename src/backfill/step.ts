/** Step 2: the backfill step as the workflow runs it, and the context both the step and the CLI build. */
import type { Cluster } from "../cluster/index.ts";
import type { BackfillMethod, MigrationConfig } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import { withClusters } from "../prepare/index.ts";
import { openMigrationState } from "../state/index.ts";
import type { CheckpointReader, Step } from "../workflow/index.ts";
import { type BackfillSummary, planTasks, runBackfill } from "./run.ts";
import type { SlicePlan, SliceState } from "./stream/store.ts";
import type { BackfillContext, IndexTask, ProgressEvent, WorkerIdentity } from "./types.ts";

export interface ContextOptions {
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly worker?: WorkerIdentity;
}

/** Opens both clusters and the state file for the length of `run`. */
export async function withBackfillContext<T>(
  config: MigrationConfig,
  options: ContextOptions,
  run: (ctx: BackfillContext) => Promise<T>,
): Promise<T> {
  const state = openMigrationState(config);
  try {
    return await withClusters(config, options.logger, (source, target) =>
      run({
        config,
        source,
        target,
        state,
        logger: options.logger,
        signal: options.signal,
        onProgress: options.onProgress ?? (() => {}),
        ...(options.worker === undefined ? {} : { worker: options.worker }),
      }),
    );
  } finally {
    state.close();
  }
}

/** Whether the stream checkpoints say an index is completely copied. */
export function streamDone(checkpoint: Pick<CheckpointReader, "get">, index: string): boolean {
  const plan = checkpoint.get<SlicePlan>(`stream/${index}/plan`);
  if (plan === undefined) return false;
  for (let s = 0; s < plan.slices; s++) {
    if (checkpoint.get<SliceState>(`stream/${index}/slice/${s}`)?.done !== true) return false;
  }
  return true;
}

/** What `status` shows for a finished backfill, however it was run. */
export function backfillSummary(summary: BackfillSummary): Record<string, number> {
  return {
    indices: summary.results.length,
    docs: summary.docs,
    sourceBytes: summary.bytes,
    durationMs: summary.durationMs,
  };
}

function describe(task: IndexTask): string {
  return `copy ${task.docs} doc(s) of ${task.index} → ${task.targetIndex} with ${task.method} (${task.reason})`;
}

export function backfillStep(
  config: MigrationConfig,
  logger: Logger,
  method: BackfillMethod = config.backfill.method,
): Step {
  const tasks = (ctx: BackfillContext) => planTasks(ctx, { method });
  return {
    id: "backfill",
    title: "Backfill: copy the existing documents to the target",
    async plan(ctx) {
      const all = await withBackfillContext(config, { logger, signal: ctx.signal }, tasks);
      const open = all.filter((t) => t.method !== "stream" || !streamDone(ctx.checkpoint, t.index));
      if (open.length === 0)
        return { kind: "skip", reason: `All ${all.length} selected index(es) are copied` };
      const docs = open.reduce((s, t) => s + t.docs, 0);
      return {
        kind: "apply",
        summary: `${open.length} index(es), ${docs} document(s)`,
        actions: open.map((t) => ({ description: describe(t) })),
      };
    },
    async apply(ctx) {
      const summary: BackfillSummary = await withBackfillContext(
        config,
        {
          logger,
          signal: ctx.signal,
          onProgress: (e) => e.phase === "done" && ctx.event("backfill.index", e),
        },
        async (bctx) => runBackfill(bctx, await tasks(bctx)),
      );
      return { kind: "done", summary: backfillSummary(summary) };
    },
    async verify(ctx) {
      return withBackfillContext(config, { logger, signal: ctx.signal }, async (bctx) => {
        const all = await tasks(bctx);
        const count = async (cluster: Cluster, index: string) => {
          const path = `/${encodeURIComponent(index)}`;
          // Refreshed first: writes replayed a moment ago are not in a count until then.
          await cluster.request({
            method: "POST",
            path: `${path}/_refresh`,
            allowStatus: [404],
            signal: ctx.signal,
          });
          const res = await cluster.request<{ count: number }>({
            method: "GET",
            path: `${path}/_count`,
            allowStatus: [404],
            signal: ctx.signal,
          });
          return res.status === 404 ? 0 : res.body.count;
        };
        const short = async (): Promise<string[]> => {
          const found: string[] = [];
          for (const t of all) {
            // A follower keeps taking the source's writes: its count only matches once sync drains.
            if (t.method === "ccr") continue;
            const [docs, copied] = await Promise.all([
              count(bctx.source, t.index),
              count(bctx.target, t.targetIndex),
            ]);
            const allowed = Math.floor(docs * config.validate.countTolerance);
            if (Math.abs(copied - docs) > allowed) found.push(`${t.targetIndex} has ${copied} of ${docs}`);
          }
          return found;
        };
        // While clients write through the gateway, the target trails the source by replay's lag.
        // Sync is loaded here, not with the step: the copy's thread has no use for the gateway's stack.
        const { settledReading } = await import("../sync/index.ts");
        const differ = await settledReading(
          config,
          bctx.state,
          logger,
          short,
          (found) => found.length === 0,
          config.validate.settleWaitMs,
          ctx.signal,
        );
        if (differ.length === 0) return { ok: true };
        return { ok: false, reason: `Document counts differ: ${differ.join(", ")}`, retryable: true };
      });
    },
  };
}
