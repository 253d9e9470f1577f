/**
 * Snapshot/restore as a backfill method: one snapshot per batch of indices on the source, restored
 * index by index on the target. Every phase is checkpointed per index (`snapshot:<index>`), so a
 * re-run after a crash picks up the same snapshot and the restore it already started.
 */
import { randomBytes } from "node:crypto";
import { SNAPSHOT_DEFAULTS } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { StateStore } from "../../state/index.ts";
import type {
  BackfillContext,
  BackfillMethodRunner,
  IndexResult,
  IndexTask,
  ProgressEvent,
} from "../types.ts";
import { progressEvent } from "./progress.ts";
import { deleteRepository, type RepositoryPlan, sourceRepository, targetRepository } from "./repository.ts";
import { countDocs, restoreReplicas, startRestore, waitRestored } from "./restore.ts";
import { ensureSnapshot, removeSnapshot } from "./snapshot.ts";
import { BACKFILL_STEP } from "./util.ts";

export type SnapshotPhase = "snapshotting" | "snapshotted" | "restoring" | "done";

export interface SnapshotCheckpoint {
  readonly batch: string;
  readonly repository: string;
  readonly snapshot: string;
  readonly targetIndex: string;
  readonly phase: SnapshotPhase;
  readonly result?: IndexResult;
}

interface BatchCheckpoint {
  readonly repository: RepositoryPlan;
  readonly ownedOnTarget: boolean;
}

export const indexKey = (index: string): string => `snapshot:${index}`;
// Index names cannot contain ":", so this never collides with an index key.
const batchKey = (batch: string): string => `snapshot::batch:${batch}`;

function emit(ctx: BackfillContext, task: IndexTask, phase: ProgressEvent["phase"], fraction: number) {
  ctx.onProgress(progressEvent(task, phase, fraction));
}

/**
 * Source index → target index for every restore an earlier run started: that target holds the
 * restore's documents, so a re-run resumes (or skips) the snapshot rather than taking them for
 * someone else's data.
 */
export function startedRestores(state: StateStore): Map<string, string> {
  const started = new Map<string, string>();
  for (const { key, value } of state.listCheckpoints(BACKFILL_STEP)) {
    const saved = value as SnapshotCheckpoint | null;
    if (!key.startsWith(indexKey("")) || key.startsWith(batchKey("")) || saved === null) continue;
    if (saved.phase === "restoring" || saved.phase === "done")
      started.set(key.slice(indexKey("").length), saved.targetIndex);
  }
  return started;
}

/** A repository registration bluegreen made for a snapshot batch, on either side. */
export interface OwnedRepository {
  readonly name: string;
  readonly onSource: boolean;
  readonly onTarget: boolean;
}

/**
 * Every repository a snapshot batch registered, from its batch checkpoint (written just after the
 * source registration). A repository bluegreen registered on the source it also registered on the
 * target, so that side counts too even if a crash came before its checkpoint. A finished batch already
 * removed them; whatever a failed or interrupted one left is for decommission to remove.
 * User-registered repositories are never listed.
 */
export function ownedRepositories(state: StateStore): OwnedRepository[] {
  return state
    .listCheckpoints(BACKFILL_STEP)
    .filter((c) => c.key.startsWith(batchKey("")) && c.value !== null)
    .map((c) => c.value as BatchCheckpoint)
    .filter((b) => b.repository.ownedOnSource || b.ownedOnTarget)
    .map((b) => ({
      name: b.repository.name,
      onSource: b.repository.ownedOnSource,
      onTarget: b.ownedOnTarget || b.repository.ownedOnSource,
    }));
}

function checkpointOf(ctx: BackfillContext, task: IndexTask): SnapshotCheckpoint | undefined {
  const saved = ctx.state.getCheckpoint<SnapshotCheckpoint>(BACKFILL_STEP, indexKey(task.index));
  // A checkpoint for another target name belongs to another plan; start over for this one.
  return saved?.targetIndex === task.targetIndex ? saved : undefined;
}

async function sourceShape(ctx: BackfillContext, tasks: readonly IndexTask[]) {
  const rows = await ctx.source.indices(tasks.map((t) => t.index));
  return new Map(rows.map((r) => [r.name, { primaries: r.primaries ?? 1, replicas: r.replicas ?? 0 }]));
}

async function cleanup(ctx: BackfillContext, batch: BatchCheckpoint, snapshot: string): Promise<void> {
  const warn = (what: string) => (error: unknown) =>
    ctx.logger.warn(
      { what, reason: error instanceof Error ? error.message : String(error) },
      "cleanup failed",
    );
  if (batch.ownedOnTarget) {
    await deleteRepository(ctx.target, batch.repository.name, ctx.signal).catch(warn("target repository"));
  }
  if (!(ctx.config.backfill.snapshot ?? SNAPSHOT_DEFAULTS).keepSnapshot) {
    await removeSnapshot(ctx, batch.repository.name, snapshot);
  }
  if (batch.repository.ownedOnSource) {
    await deleteRepository(ctx.source, batch.repository.name, ctx.signal).catch(warn("source repository"));
  }
}

async function restoreOne(
  ctx: BackfillContext,
  task: IndexTask,
  saved: SnapshotCheckpoint,
  shape: { primaries: number; replicas: number },
  startedAt: number,
): Promise<IndexResult> {
  const put = (phase: SnapshotPhase, result?: IndexResult) =>
    ctx.state.putCheckpoint(BACKFILL_STEP, indexKey(task.index), { ...saved, phase, result });
  const resumed = saved.phase === "restoring";
  if (!resumed) put("restoring");
  const from = { repository: saved.repository, snapshot: saved.snapshot, sourcePrimaries: shape.primaries };
  await startRestore(ctx, task, from, resumed);
  await waitRestored(ctx, task);
  emit(ctx, task, "finishing", 1);
  await restoreReplicas(ctx, task, shape.replicas);
  const docs = await countDocs(ctx, task.targetIndex);
  const result: IndexResult = {
    index: task.index,
    targetIndex: task.targetIndex,
    method: "snapshot",
    docs,
    bytes: task.bytes,
    durationMs: Date.now() - startedAt,
  };
  put("done", result);
  ctx.onProgress({ ...progressDone(task), docsDone: docs, docsTotal: docs });
  return result;
}

function progressDone(task: IndexTask): ProgressEvent {
  return progressEvent(task, "done", 1);
}

async function runGroup(ctx: BackfillContext, batch: string, tasks: IndexTask[]): Promise<IndexResult[]> {
  const startedAt = Date.now();
  for (const task of tasks) emit(ctx, task, "starting", 0);
  const snapshot = `${ctx.config.name}-${batch}`;
  const savedBatch = ctx.state.getCheckpoint<BatchCheckpoint>(BACKFILL_STEP, batchKey(batch));
  const repository = await sourceRepository(ctx, batch);
  let batchState: BatchCheckpoint = { repository, ownedOnTarget: savedBatch?.ownedOnTarget ?? false };
  ctx.state.putCheckpoint(BACKFILL_STEP, batchKey(batch), batchState);

  const saved = new Map<string, SnapshotCheckpoint>();
  for (const task of tasks) {
    const previous = checkpointOf(ctx, task);
    const value: SnapshotCheckpoint = previous ?? {
      batch,
      repository: repository.name,
      snapshot,
      targetIndex: task.targetIndex,
      phase: "snapshotting",
    };
    if (previous === undefined) ctx.state.putCheckpoint(BACKFILL_STEP, indexKey(task.index), value);
    saved.set(task.index, value);
  }
  const unsnapshotted = tasks.filter((t) => saved.get(t.index)?.phase !== "restoring");
  if (unsnapshotted.length > 0) {
    await ensureSnapshot(ctx, repository.name, snapshot, unsnapshotted);
    for (const task of unsnapshotted) {
      const value: SnapshotCheckpoint = {
        ...(saved.get(task.index) as SnapshotCheckpoint),
        phase: "snapshotted",
      };
      ctx.state.putCheckpoint(BACKFILL_STEP, indexKey(task.index), value);
      saved.set(task.index, value);
    }
  }
  const ownedOnTarget = await targetRepository(ctx, repository);
  batchState = { repository, ownedOnTarget: batchState.ownedOnTarget || ownedOnTarget };
  ctx.state.putCheckpoint(BACKFILL_STEP, batchKey(batch), batchState);

  const shapes = await sourceShape(ctx, tasks);
  // Restores of different indices run side by side; each index succeeds or fails on its own.
  const settled = await Promise.allSettled(
    tasks.map((task) => {
      const shape = shapes.get(task.index) ?? { primaries: 1, replicas: 0 };
      return restoreOne(ctx, task, saved.get(task.index) as SnapshotCheckpoint, shape, startedAt);
    }),
  );
  const results = settled.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  if (results.length < tasks.length) throw batchFailure(tasks, settled);
  await cleanup(ctx, batchState, snapshot);
  return results;
}

/** One failure as it is (an abort stays an abort); several as one error naming each index. */
function batchFailure(tasks: readonly IndexTask[], settled: PromiseSettledResult<IndexResult>[]): unknown {
  const failures = settled.flatMap((r, i) =>
    r.status === "rejected" ? [[tasks[i]?.index, r.reason] as const] : [],
  );
  const [first] = failures;
  if (failures.length === 1 || first === undefined || isAbortReason(first[1], failures)) return first?.[1];
  const text = (reason: unknown) => (reason instanceof Error ? reason.message : String(reason));
  return new BluegreenError(
    "BG_SNAPSHOT_FAILED",
    `Restoring ${failures.length} of ${tasks.length} indices failed: ${failures.map(([index, reason]) => `${index}: ${text(reason)}`).join("; ")}`,
    {
      fix: `${causeFixes(failures.map(([, reason]) => reason))}The indices that were restored are kept; re-run after the fix.`,
      details: { indices: failures.map(([index]) => index) },
      retryable: failures.every(([, reason]) => reason instanceof BluegreenError && reason.retryable),
    },
  );
}

/** Each distinct fix of the failures, so the combined error names the real options, not "fix it". */
function causeFixes(reasons: readonly unknown[]): string {
  const fixes = new Set(
    reasons.flatMap((r) => (r instanceof BluegreenError && r.fix !== undefined ? [r.fix] : [])),
  );
  return [...fixes].map((f) => `${f.replace(/\.?$/, ".")} `).join("");
}

/** Every restore stopped for the same reason (the caller's abort): pass that reason on unchanged. */
function isAbortReason(reason: unknown, failures: readonly (readonly [unknown, unknown])[]): boolean {
  return failures.every(([, other]) => other === reason);
}

/**
 * Copies many indices with one snapshot: a single snapshot shares one cluster-state update and one
 * repository generation and snapshots shards in parallel, where one snapshot per index pays all of
 * that per index. Results come back in the order of `tasks`.
 */
export async function runSnapshotBatch(
  ctx: BackfillContext,
  tasks: readonly IndexTask[],
): Promise<IndexResult[]> {
  const results = new Map<string, IndexResult>();
  const groups = new Map<string, IndexTask[]>();
  const fresh: IndexTask[] = [];
  for (const task of tasks) {
    const saved = checkpointOf(ctx, task);
    if (saved?.phase === "done" && saved.result !== undefined) {
      results.set(task.index, saved.result);
      ctx.onProgress({ ...progressDone(task), docsDone: saved.result.docs, docsTotal: saved.result.docs });
    } else if (saved !== undefined) {
      groups.set(saved.batch, [...(groups.get(saved.batch) ?? []), task]);
    } else {
      fresh.push(task);
    }
  }
  // A new batch gets a new name, so a kept snapshot of an earlier run is never mistaken for this one.
  if (fresh.length > 0) groups.set(`b${Date.now().toString(36)}${randomBytes(2).toString("hex")}`, fresh);
  for (const [batch, group] of groups) {
    for (const result of await runGroup(ctx, batch, group)) results.set(result.index, result);
  }
  return tasks.map((task) => results.get(task.index) as IndexResult);
}

/** The single-index form of `runSnapshotBatch`, for the common runner contract. */
export const snapshotRunner: BackfillMethodRunner = async (ctx, task) => {
  const [result] = await runSnapshotBatch(ctx, [task]);
  return result as IndexResult;
};
