/**
 * Remote reindex as a backfill method: the target pulls from the source itself, one async `_reindex`
 * task per query range, at most `maxTasks` at a time. Checkpoints: the range plan under
 * `reindex:<index>` and each range's task and outcome under `reindex:<index>#<range>`, so a re-run
 * re-attaches to tasks still running and copies again only ranges that did not finish.
 */
import type { Cluster } from "../../cluster/index.ts";
import { REINDEX_DEFAULTS } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { BACKFILL_STEP, num, obj, pause, pollDelay } from "../snapshot/index.ts";
import type {
  BackfillContext,
  BackfillMethodRunner,
  IndexResult,
  IndexTask,
  ProgressEvent,
} from "../types.ts";
import { preflightRemoteReindex } from "./preflight.ts";
import { planRanges, type ReindexRange } from "./ranges.ts";
import { ensureTargetIndex } from "./target-index.ts";
import {
  cancelTask,
  type RemoteSource,
  readTask,
  rethrottleTask,
  startReindex,
  type TaskCounts,
} from "./tasks.ts";

export interface ReindexPlanCheckpoint {
  readonly targetIndex: string;
  readonly field: string | undefined;
  readonly ranges: readonly ReindexRange[];
  readonly result?: IndexResult;
}

export interface RangeCheckpoint {
  /** `stale`: finished once, but the final count check failed, so it is copied again. */
  readonly state: "running" | "done" | "stale";
  readonly task?: string;
  readonly counts?: TaskCounts;
}

const planKey = (index: string) => `reindex:${index}`;
// "#" cannot occur in index names, so these keys never collide with another index's plan key.
const rangeKey = (index: string, id: number) => `reindex:${index}#${id}`;
const rpsKey = (index: string) => `reindex:${index}#rps`;
const enc = encodeURIComponent;
/**
 * Documents per scroll batch when `backfill.batchSize` is not set: OpenSearch's own default. A remote
 * reindex buffers a whole batch (at most 100 MB), so larger batches fail with large documents.
 */
export const REINDEX_BATCH = 1_000;

function settingsOf(ctx: BackfillContext) {
  return ctx.config.backfill.reindex ?? REINDEX_DEFAULTS;
}

interface RangeJob {
  readonly ctx: BackfillContext;
  readonly remote: RemoteSource;
  readonly task: IndexTask;
  readonly range: ReindexRange;
  readonly signal: AbortSignal;
  readonly onCopied: (docs: number) => void;
}

function rangeFailed(job: RangeJob, problem: string): BluegreenError {
  const cancelled = problem.startsWith("cancelled");
  return new BluegreenError(
    "BG_REINDEX_FAILED",
    `Reindexing ${job.task.index} (${job.range.label}) into ${job.task.targetIndex} failed: ${problem}.`,
    {
      fix: cancelled
        ? "Re-run: the range is copied again."
        : "Fix the cause on the target (e.g. the mapping that rejects these documents), then re-run; finished ranges are kept.",
      details: { index: job.task.index, range: job.range.label },
      retryable: cancelled,
    },
  );
}

/** A task that is still running is adopted; one that vanished, failed or was cancelled is started again. */
async function adoptOrStart(job: RangeJob): Promise<string | undefined> {
  const { ctx, task, range } = job;
  const saved = ctx.state.getCheckpoint<RangeCheckpoint>(BACKFILL_STEP, rangeKey(task.index, range.id));
  if (saved?.state === "done") {
    job.onCopied((saved.counts?.created ?? 0) + (saved.counts?.updated ?? 0));
    return undefined;
  }
  if (saved?.state === "running" && saved.task !== undefined) {
    const state = await readTask(ctx.target, saved.task, job.signal);
    if (state !== undefined && !state.completed) return saved.task;
    if (state?.completed && state.problem === undefined) {
      ctx.state.putCheckpoint(BACKFILL_STEP, rangeKey(task.index, range.id), {
        ...saved,
        state: "done",
        counts: state.counts,
      });
      job.onCopied(state.counts.created + state.counts.updated);
      return undefined;
    }
  }
  const rps =
    ctx.state.getCheckpoint<number>(BACKFILL_STEP, rpsKey(task.index)) ?? settingsOf(ctx).requestsPerSecond;
  const id = await startReindex(ctx.target, job.remote, {
    sourceIndex: task.index,
    targetIndex: task.targetIndex,
    range,
    batchSize: ctx.config.backfill.batchSize ?? REINDEX_BATCH,
    requestsPerSecond: rps,
    signal: job.signal,
  });
  ctx.state.putCheckpoint(BACKFILL_STEP, rangeKey(task.index, range.id), { state: "running", task: id });
  return id;
}

async function runRange(job: RangeJob): Promise<void> {
  const id = await adoptOrStart(job);
  if (id === undefined) return;
  try {
    for (let round = 0; ; round++) {
      const state = await readTask(job.ctx.target, id, job.signal);
      if (state === undefined) throw rangeFailed(job, `cancelled (task ${id} vanished from the target)`);
      job.onCopied(state.counts.created + state.counts.updated);
      if (state.completed) {
        if (state.problem !== undefined) throw rangeFailed(job, state.problem);
        const value: RangeCheckpoint = { state: "done", task: id, counts: state.counts };
        job.ctx.state.putCheckpoint(BACKFILL_STEP, rangeKey(job.task.index, job.range.id), value);
        return;
      }
      await pause(pollDelay(round), job.signal);
    }
  } catch (error) {
    // Aborted (by the caller or because a sibling range failed): stop the server-side work too.
    if (job.signal.aborted) await cancelTask(job.ctx.target, id);
    throw error;
  }
}

/** Runs `work` over `items`, `limit` at a time; the first failure aborts the rest and is rethrown. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  abort: AbortController,
  work: (item: T) => Promise<void>,
) {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        if (failure === undefined) failure = error;
        abort.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure;
}

async function count(cluster: Cluster, index: string, signal: AbortSignal): Promise<number> {
  const response = await cluster.request({ method: "GET", path: `/${enc(index)}/_count`, signal });
  return num(obj(response.body).count);
}

/** Source and target must hold the same number of documents; otherwise every range is copied again. */
async function verifyCounts(
  ctx: BackfillContext,
  task: IndexTask,
  plan: ReindexPlanCheckpoint,
): Promise<number> {
  await ctx.target.request({
    method: "POST",
    path: `/${enc(task.targetIndex)}/_refresh`,
    signal: ctx.signal,
  });
  const [source, target] = await Promise.all([
    count(ctx.source, task.index, ctx.signal),
    count(ctx.target, task.targetIndex, ctx.signal),
  ]);
  if (source === target) return target;
  for (const range of plan.ranges) {
    ctx.state.putCheckpoint(BACKFILL_STEP, rangeKey(task.index, range.id), { state: "stale" });
  }
  throw new BluegreenError(
    "BG_REINDEX_FAILED",
    `After reindexing, ${task.targetIndex} on the target holds ${target} documents and ${task.index} on the source ${source}.`,
    {
      fix:
        "Re-run to copy every range again. If the source takes writes during the backfill, counts move: " +
        "let sync catch up, or pause writes for the backfill. Extra documents on the target were there before.",
      details: { index: task.index, source, target },
      retryable: true,
    },
  );
}

function event(task: IndexTask, phase: ProgressEvent["phase"], docsDone: number): ProgressEvent {
  const bytesPerDoc = task.docs > 0 ? task.bytes / task.docs : 0;
  return {
    index: task.index,
    method: "reindex",
    phase,
    docsDone,
    docsTotal: task.docs,
    bytesDone: Math.round(docsDone * bytesPerDoc),
  };
}

export const reindexRunner: BackfillMethodRunner = async (ctx, task) => {
  const startedAt = Date.now();
  const saved = ctx.state.getCheckpoint<ReindexPlanCheckpoint>(BACKFILL_STEP, planKey(task.index));
  const resumable = saved?.targetIndex === task.targetIndex ? saved : undefined;
  if (resumable?.result !== undefined) {
    ctx.onProgress(event(task, "done", resumable.result.docs));
    return resumable.result;
  }
  ctx.onProgress(event(task, "starting", 0));
  const remote = await preflightRemoteReindex(ctx);
  await ensureTargetIndex(ctx, task);
  const settings = settingsOf(ctx);
  const plan: ReindexPlanCheckpoint = resumable ?? {
    targetIndex: task.targetIndex,
    ...(await planRanges(ctx, task, settings.rangeDocs, settings.rangeField)),
  };
  ctx.state.putCheckpoint(BACKFILL_STEP, planKey(task.index), plan);

  const copied = new Map<number, number>();
  const abort = new AbortController();
  const signal = AbortSignal.any([ctx.signal, abort.signal]);
  await pool(plan.ranges, settings.maxTasks, abort, (range) =>
    runRange({
      ctx,
      remote,
      task,
      range,
      signal,
      onCopied: (docs) => {
        copied.set(range.id, docs);
        ctx.onProgress(
          event(
            task,
            "copying",
            [...copied.values()].reduce((a, b) => a + b, 0),
          ),
        );
      },
    }),
  );
  ctx.onProgress(event(task, "finishing", task.docs));
  const docs = await verifyCounts(ctx, task, plan);
  const result: IndexResult = {
    index: task.index,
    targetIndex: task.targetIndex,
    method: "reindex",
    docs,
    bytes: task.bytes,
    durationMs: Date.now() - startedAt,
  };
  ctx.state.putCheckpoint(BACKFILL_STEP, planKey(task.index), { ...plan, result });
  ctx.onProgress({ ...event(task, "done", docs), docsTotal: docs });
  return result;
};

/**
 * Changes the throttle of an index's running tasks (and of the ranges it starts later). Returns how
 * many running tasks were rethrottled. `requestsPerSecond` -1 removes the throttle.
 */
export async function rethrottleReindex(
  ctx: Pick<BackfillContext, "state" | "target">,
  index: string,
  requestsPerSecond: number,
): Promise<number> {
  ctx.state.putCheckpoint(BACKFILL_STEP, rpsKey(index), requestsPerSecond);
  const running = ctx.state
    .listCheckpoints(BACKFILL_STEP)
    .filter((c) => c.key.startsWith(`${planKey(index)}#`))
    .map((c) => c.value as RangeCheckpoint)
    .filter((v) => v?.state === "running" && v.task !== undefined);
  for (const range of running) await rethrottleTask(ctx.target, range.task as string, requestsPerSecond);
  return running.length;
}
