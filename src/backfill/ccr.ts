/**
 * With sync through cross-cluster replication, CCR bootstraps every follower itself (it copies the
 * leader's segments before it starts following), so the backfill copies nothing: it starts following
 * each index and records it as copied by CCR once the bootstrap is done.
 */
import type { IndexCandidate } from "./run.ts";
import type { BackfillContext, BackfillMethodRunner, IndexTask } from "./types.ts";

/** Sync's surface reaches the gateway and its metrics: loaded only by a migration that may use CCR. */
const sync = () => import("../sync/index.ts");

/** Whether this migration syncs through CCR; decides (and records) `auto` on first use. */
export async function syncsThroughCcr(ctx: BackfillContext): Promise<boolean> {
  if (ctx.config.sync.method !== "ccr" && ctx.config.sync.method !== "auto") return false;
  const { resolveSyncMethod } = await sync();
  return (await resolveSyncMethod(ctx.config, ctx.state, ctx.source, ctx.target)).method === "ccr";
}

export async function ccrTasks(
  ctx: BackfillContext,
  candidates: readonly IndexCandidate[],
): Promise<IndexTask[]> {
  const { followerName } = await sync();
  return candidates.map((c) => ({
    ...c,
    targetIndex: followerName(ctx.config, c.index),
    method: "ccr",
    reason: "sync is cross-cluster replication, which bootstraps the follower itself",
  }));
}

export const ccrRunner: BackfillMethodRunner = async (ctx, task) => {
  const started = performance.now();
  const event = { index: task.index, targetIndex: task.targetIndex, method: "ccr" as const, bytesDone: 0 };
  ctx.onProgress({ ...event, phase: "starting", docsDone: 0, docsTotal: task.docs, detail: "following" });
  const { bootstrapFollower } = await sync();
  await bootstrapFollower(ctx.config, ctx.state, ctx.source, ctx.target, task.index, ctx.signal);
  ctx.onProgress({
    ...event,
    phase: "done",
    docsDone: task.docs,
    docsTotal: task.docs,
    bytesDone: task.bytes,
  });
  return {
    index: task.index,
    targetIndex: task.targetIndex,
    method: "ccr",
    docs: task.docs,
    bytes: task.bytes,
    durationMs: Math.round(performance.now() - started),
  };
};
