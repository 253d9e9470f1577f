/** Restoring one index from a batch snapshot onto the target, then giving it its replicas back. */
import { SNAPSHOT_DEFAULTS } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { BackfillContext, IndexTask } from "../types.ts";
import { progressEvent, progressFromRecovery } from "./progress.ts";
import { num, obj, pause, pollDelay, str } from "./util.ts";

const enc = encodeURIComponent;

/** Java regex for exactly this name: index names carry `.`, `+` and `-`, which are regex syntax. */
export function exactNamePattern(name: string): string {
  return `^${name.replace(/[\\^$.*+?()[\]{}|-]/g, "\\$&")}$`;
}

interface TargetIndexState {
  readonly exists: boolean;
  readonly open: boolean;
  readonly docs: number;
  readonly primaries: number;
}

async function targetIndexState(ctx: BackfillContext, name: string): Promise<TargetIndexState> {
  const response = await ctx.target.request({
    method: "GET",
    path: `/_cat/indices/${enc(name)}`,
    querystring: { format: "json", h: "index,status,pri,docs.count", expand_wildcards: "all" },
    allowStatus: [404],
    signal: ctx.signal,
  });
  const rows = Array.isArray(response.body) ? response.body.map(obj) : [];
  const row = rows.find((r) => r.index === name);
  if (response.status === 404 || row === undefined)
    return { exists: false, open: false, docs: 0, primaries: 0 };
  return {
    exists: true,
    open: row.status !== "close",
    docs: num(row["docs.count"]),
    primaries: num(row.pri),
  };
}

function conflict(task: IndexTask, why: string, fix: string): BluegreenError {
  return new BluegreenError(
    "BG_SNAPSHOT_FAILED",
    `Cannot restore ${task.index} into ${task.targetIndex} on the target: ${why}.`,
    { fix, details: { index: task.index, targetIndex: task.targetIndex } },
  );
}

/**
 * Restore refuses an open index of the same name. An empty one (prepare creates target indices
 * before backfill) is closed so the restore replaces it; one holding documents is never touched.
 */
async function clearWay(ctx: BackfillContext, task: IndexTask, sourcePrimaries: number): Promise<void> {
  const state = await targetIndexState(ctx, task.targetIndex);
  if (!state.exists) return;
  if (state.open && state.docs > 0) {
    throw conflict(
      task,
      `the index already exists and holds ${state.docs} documents, and a restore never writes into an index that holds documents`,
      `Delete ${task.targetIndex} on the target (DELETE /${task.targetIndex}) and run again, or copy over it by _id with \`bluegreen backfill --method stream\` (method auto does that for such indices).`,
    );
  }
  if (state.primaries !== sourcePrimaries) {
    throw conflict(
      task,
      `the existing index has ${state.primaries} primary shards and the source ${sourcePrimaries}`,
      "Delete the empty target index so the restore can create it with the source's shard count.",
    );
  }
  if (state.open) {
    await ctx.target.request({
      method: "POST",
      path: `/${enc(task.targetIndex)}/_close`,
      signal: ctx.signal,
    });
  }
}

export interface RestoreSource {
  readonly repository: string;
  readonly snapshot: string;
  readonly sourcePrimaries: number;
}

/** Starts the restore. `resumed` means a crashed run already started it: the index is ours then. */
export async function startRestore(
  ctx: BackfillContext,
  task: IndexTask,
  from: RestoreSource,
  resumed: boolean,
): Promise<void> {
  if (resumed && (await targetIndexState(ctx, task.targetIndex)).exists) return;
  await clearWay(ctx, task, from.sourcePrimaries);
  const renamed = task.targetIndex !== task.index;
  await ctx.target.request({
    method: "POST",
    path: `/_snapshot/${enc(from.repository)}/${enc(from.snapshot)}/_restore`,
    body: {
      indices: task.index,
      include_global_state: false,
      // Aliases travel with the index name they were made for; a renamed copy must not steal them.
      include_aliases: !renamed,
      ...(renamed
        ? { rename_pattern: exactNamePattern(task.index), rename_replacement: task.targetIndex }
        : {}),
      // No replicas while restoring: every byte is then read from the repository once.
      index_settings: {
        ...(ctx.config.backfill.snapshot?.indexSettings ?? {}),
        "index.number_of_replicas": 0,
      },
    },
    signal: ctx.signal,
  });
}

async function health(ctx: BackfillContext, name: string): Promise<string> {
  const response = await ctx.target.request({
    method: "GET",
    path: `/_cluster/health/${enc(name)}`,
    querystring: { timeout: "1s" },
    allowStatus: [408],
    signal: ctx.signal,
  });
  return str(obj(response.body).status) ?? "red";
}

/** Shards the target gave up on (a corrupt or unreadable snapshot file ends here, not in an error). */
async function failedShards(ctx: BackfillContext, name: string): Promise<string[]> {
  const response = await ctx.target.request({
    method: "GET",
    path: `/_cat/shards/${enc(name)}`,
    querystring: { format: "json", h: "shard,prirep,state,unassigned.reason,unassigned.details" },
    signal: ctx.signal,
  });
  const rows = Array.isArray(response.body) ? response.body.map(obj) : [];
  return rows
    .filter((r) => r["unassigned.reason"] === "ALLOCATION_FAILED")
    .map((r) => `shard ${String(r.shard)}: ${str(r["unassigned.details"]) ?? "allocation failed"}`);
}

/** Polls recovery until every primary is active (green: replicas are still 0 here). */
export async function waitRestored(ctx: BackfillContext, task: IndexTask): Promise<void> {
  for (let round = 0; ; round++) {
    const recovery = await ctx.target.request({
      method: "GET",
      path: `/${enc(task.targetIndex)}/_recovery`,
      allowStatus: [404],
      signal: ctx.signal,
    });
    const fraction = 0.5 + progressFromRecovery(recovery.body, task.targetIndex) / 2;
    ctx.onProgress(progressEvent(task, "copying", fraction));
    if ((await health(ctx, task.targetIndex)) === "green") return;
    const failed = await failedShards(ctx, task.targetIndex);
    if (failed.length > 0) {
      throw new BluegreenError(
        "BG_SNAPSHOT_FAILED",
        `Restoring ${task.index} into ${task.targetIndex} failed: ${failed.slice(0, 3).join("; ")}.`,
        {
          fix: "Delete the red target index and re-run; if it fails again, check the target's logs for the snapshot file it cannot read.",
          details: { index: task.index, targetIndex: task.targetIndex },
        },
      );
    }
    await pause(pollDelay(round), ctx.signal);
  }
}

/** The configured replica count, else the source index's own. */
export async function restoreReplicas(ctx: BackfillContext, task: IndexTask, sourceReplicas: number) {
  const replicas = (ctx.config.backfill.snapshot ?? SNAPSHOT_DEFAULTS).replicas ?? sourceReplicas;
  await ctx.target.request({
    method: "PUT",
    path: `/${enc(task.targetIndex)}/_settings`,
    body: { "index.number_of_replicas": replicas },
    signal: ctx.signal,
  });
  return replicas;
}

export async function countDocs(ctx: BackfillContext, name: string): Promise<number> {
  const response = await ctx.target.request({
    method: "GET",
    path: `/${enc(name)}/_count`,
    signal: ctx.signal,
  });
  return num(obj(response.body).count);
}
