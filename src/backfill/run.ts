/**
 * Backfill orchestration shared by the CLI command and the workflow step: which indices, which method
 * each, creating missing target indices through prepare, and running the method runners in parallel.
 */
import { guardSelection } from "../cluster/index.ts";
import type { BackfillMethod } from "../config/index.ts";
import { selectIndices } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { apply, inventory, plan } from "../prepare/index.ts";
import { ccrRunner, ccrTasks, syncsThroughCcr } from "./ccr.ts";
import { planBackfillFromClusters } from "./planner.ts";
import { recordingProgress, recordUnfinished } from "./recorded.ts";
import { reindexRunner } from "./reindex/index.ts";
import { runSnapshotBatch, snapshotRunner, startedRestores } from "./snapshot/index.ts";
import { closeStream, streamRunner } from "./stream/runner.ts";
import { closeSyncWindow, openSyncWindow } from "./sync-window.ts";
import type {
  BackfillContext,
  BackfillMethodRunner,
  ConcreteBackfillMethod,
  IndexResult,
  IndexTask,
} from "./types.ts";

/** One runner per method; snapshot tasks also have a batch form (one snapshot for many indices). */
export const RUNNERS: Partial<Record<ConcreteBackfillMethod, BackfillMethodRunner>> = {
  stream: streamRunner,
  snapshot: snapshotRunner,
  reindex: reindexRunner,
  ccr: ccrRunner,
};

/** An index the selection picked on the source, before a method is chosen. */
export type IndexCandidate = Omit<IndexTask, "method" | "reason">;

/** Chooses a method per index; the default reads the clusters' facts (see `planner.ts`). */
export type AutoPlanner = (
  ctx: BackfillContext,
  candidates: readonly IndexCandidate[],
) => Promise<IndexTask[]>;

/**
 * The planner over real facts (creation versions, modules, allowlist, repositories). It also checks a
 * forced method against every index and applies `backfill.rename`; document counts stay the exact
 * `_count` of the candidates.
 */
export function plannerFor(method: BackfillMethod): AutoPlanner {
  return async (ctx, candidates) => {
    const config = { ...ctx.config, backfill: { ...ctx.config.backfill, method } };
    const planned = await planBackfillFromClusters({
      config,
      source: ctx.source,
      target: ctx.target,
      signal: ctx.signal,
      restoreStarted: startedRestores(ctx.state),
    });
    const byName = new Map(candidates.map((c) => [c.index, c]));
    return planned.flatMap((task) => {
      const candidate = byName.get(task.index);
      return candidate === undefined ? [] : [{ ...task, docs: candidate.docs, bytes: candidate.bytes }];
    });
  };
}

export const planAuto: AutoPlanner = plannerFor("auto");

export interface BackfillOptions {
  readonly method: BackfillMethod;
  /** Only these source indices (of the selection); all selected ones by default. */
  readonly indices?: readonly string[];
  readonly planner?: AutoPlanner;
}

export interface BackfillSummary {
  readonly results: readonly IndexResult[];
  readonly docs: number;
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * The source indices the migration selects (all open: guardSelection refuses a closed one), with exact
 * document counts (`_count`, no nested docs).
 */
export async function listCandidates(
  ctx: BackfillContext,
  only?: readonly string[],
): Promise<IndexCandidate[]> {
  const all = await ctx.source.indices();
  const selected = selectIndices(all, ctx.config.indices).filter(
    (i) => only === undefined || only.includes(i.name),
  );
  await guardSelection(ctx.source, ctx.config.indices, all, selected, "Backfill", ctx.signal);
  return Promise.all(
    selected.map(async (i) => {
      const res = await ctx.source.request<{ count: number }>({
        method: "GET",
        path: `/${encodeURIComponent(i.name)}/_count`,
        signal: ctx.signal,
      });
      return {
        index: i.name,
        targetIndex: i.name,
        docs: res.body.count,
        bytes: i.primaryStoreSizeBytes ?? 0,
      };
    }),
  );
}

export async function planTasks(ctx: BackfillContext, options: BackfillOptions): Promise<IndexTask[]> {
  const candidates = await listCandidates(ctx, options.indices);
  if (options.planner === undefined && (await syncsThroughCcr(ctx))) return ccrTasks(ctx, candidates);
  return (options.planner ?? plannerFor(options.method))(ctx, candidates);
}

/** Creates the target indices that do not exist yet, with the source's settings, mappings and aliases. */
export async function ensureTargetIndices(
  ctx: BackfillContext,
  tasks: readonly IndexTask[],
): Promise<string[]> {
  const existing = new Set((await ctx.target.indices()).map((i) => i.name));
  const missing = tasks.filter((t) => !existing.has(t.targetIndex) && t.method === "stream");
  if (missing.length === 0) return [];
  const names = new Set(missing.map((t) => t.index));
  const selection = { include: [...names], exclude: [], includeHidden: true };
  const [src, tgt] = await Promise.all([
    inventory(ctx.source, selection, { signal: ctx.signal }),
    inventory(ctx.target, selection, { signal: ctx.signal }),
  ]);
  const items = plan(src, tgt).items.filter(
    (i) =>
      (i.kind === "index" || i.kind === "alias") &&
      i.action === "create" &&
      names.has(i.name.split("/")[0] as string),
  );
  try {
    await apply(ctx.target, items, src, { signal: ctx.signal });
  } catch (error) {
    // Another worker may have created them a moment earlier; that is the outcome we wanted.
    const now = new Set((await ctx.target.indices()).map((i) => i.name));
    if (!missing.every((t) => now.has(t.targetIndex))) throw error;
  }
  return [...names];
}

/**
 * A point in time or a scroll sees only refreshed documents. Without a refresh after the replay mark,
 * a write acknowledged just before the mark (so not replayed) but not yet refreshed would be in neither
 * the copy nor the replay.
 */
async function refreshSource(ctx: BackfillContext, tasks: readonly IndexTask[]): Promise<void> {
  const names = tasks.map((t) => encodeURIComponent(t.index));
  // Chunked so a large selection never makes a URL the cluster rejects as too long.
  for (let i = 0; i < names.length; i += 50) {
    await ctx.source.request({
      method: "POST",
      path: `/${names.slice(i, i + 50).join(",")}/_refresh`,
      idempotent: true,
      signal: ctx.signal,
    });
  }
}

export function runnerFor(method: ConcreteBackfillMethod): BackfillMethodRunner {
  const runner = RUNNERS[method];
  if (runner === undefined) {
    throw new BluegreenError(
      "BG_BACKFILL_METHOD",
      `Backfill method ${method} is not available in this build.`,
      {
        fix: `Use --method ${Object.keys(RUNNERS).join(" or ")} (or auto).`,
        details: { method, available: Object.keys(RUNNERS) },
      },
    );
  }
  return runner;
}

/**
 * Runs every task: snapshot tasks as one batch (one snapshot, restores side by side), the others
 * `backfill.concurrency` indices at a time, both at once; the first failure stops the queue.
 */
export async function runBackfill(
  ctx: BackfillContext,
  tasks: readonly IndexTask[],
): Promise<BackfillSummary> {
  for (const t of tasks) runnerFor(t.method);
  const started = performance.now();
  const tracked = recordingProgress(ctx, tasks);
  await openSyncWindow(tracked);
  await refreshSource(tracked, tasks);
  await ensureTargetIndices(tracked, tasks);
  const results: IndexResult[] = [];
  const snapshots = tasks.filter((t) => t.method === "snapshot");
  const queue = tasks.filter((t) => t.method !== "snapshot");
  const worker = async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      try {
        results.push(await runnerFor(task.method)(tracked, task));
      } catch (error) {
        queue.length = 0;
        throw error;
      }
    }
  };
  try {
    const workers = Array.from({ length: Math.min(ctx.config.backfill.concurrency, queue.length) }, worker);
    const batch = async () => {
      if (snapshots.length > 0) results.push(...(await runSnapshotBatch(tracked, snapshots)));
    };
    const outcomes = await Promise.allSettled([batch(), ...workers]);
    const failed = outcomes.find((o) => o.status === "rejected");
    if (failed !== undefined) {
      recordUnfinished(ctx.state, tasks, ctx.signal.aborted ? "stopped" : "failed");
      throw failed.reason;
    }
  } finally {
    closeStream(tracked);
  }
  // Only after every index is copied: a failed run keeps replay held until the re-run finishes.
  await closeSyncWindow(tracked);
  results.sort((a, b) => a.index.localeCompare(b.index));
  return {
    results,
    docs: results.reduce((s, r) => s + r.docs, 0),
    bytes: results.reduce((s, r) => s + r.bytes, 0),
    durationMs: Math.round(performance.now() - started),
  };
}
