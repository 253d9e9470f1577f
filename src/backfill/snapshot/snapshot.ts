/** Taking one snapshot of a batch of indices on the source, with progress from the status API. */
import { BluegreenError } from "../../errors/index.ts";
import type { BackfillContext, IndexTask } from "../types.ts";
import { progressEvent, progressFromStats } from "./progress.ts";
import { obj, pause, pollDelay, str } from "./util.ts";

const enc = encodeURIComponent;

type SnapshotState = "IN_PROGRESS" | "SUCCESS" | "FAILED" | "PARTIAL" | "INCOMPATIBLE" | "MISSING";

interface SnapshotInfo {
  readonly state: SnapshotState;
  readonly failures: readonly string[];
}

export async function snapshotInfo(
  ctx: BackfillContext,
  repository: string,
  snapshot: string,
): Promise<SnapshotInfo> {
  const response = await ctx.source.request({
    method: "GET",
    path: `/_snapshot/${enc(repository)}/${enc(snapshot)}`,
    allowStatus: [404],
    signal: ctx.signal,
  });
  const first = obj((obj(response.body).snapshots as unknown[] | undefined)?.[0]);
  if (response.status === 404 || Object.keys(first).length === 0) return { state: "MISSING", failures: [] };
  const failures = Array.isArray(first.failures)
    ? first.failures.map((f) => {
        const failure = obj(f);
        return `${str(failure.index) ?? "?"}[${String(failure.shard_id ?? "?")}]: ${str(failure.reason) ?? "unknown"}`;
      })
    : [];
  return { state: (str(first.state) ?? "IN_PROGRESS") as SnapshotState, failures };
}

async function deleteSnapshot(ctx: BackfillContext, repository: string, snapshot: string): Promise<void> {
  await ctx.source.request({
    method: "DELETE",
    path: `/_snapshot/${enc(repository)}/${enc(snapshot)}`,
    allowStatus: [404],
    signal: ctx.signal,
  });
}

/** Reports per-index progress while a snapshot runs; a finished snapshot's status is cheap to read too. */
async function reportStatus(ctx: BackfillContext, repository: string, snapshot: string, tasks: IndexTask[]) {
  const response = await ctx.source.request({
    method: "GET",
    path: `/_snapshot/${enc(repository)}/${enc(snapshot)}/_status`,
    allowStatus: [404],
    signal: ctx.signal,
  });
  const status = obj((obj(response.body).snapshots as unknown[] | undefined)?.[0]);
  const indices = obj(status.indices);
  for (const task of tasks) {
    // A finished snapshot's status drops the `processed` figures, so its state says "all of it".
    const done = status.state === "SUCCESS";
    // The snapshot is the first half of the copy; the restore reports the second.
    const fraction = (done ? 1 : progressFromStats(obj(obj(indices[task.index]).stats))) / 2;
    ctx.onProgress(progressEvent(task, "copying", fraction));
  }
}

/**
 * Makes sure `snapshot` exists and succeeded, creating it if needed. A re-run finds the snapshot its
 * crashed predecessor started and waits for it instead of taking a second one; a failed or partial
 * one is deleted and taken again.
 */
export async function ensureSnapshot(
  ctx: BackfillContext,
  repository: string,
  snapshot: string,
  tasks: IndexTask[],
): Promise<void> {
  let info = await snapshotInfo(ctx, repository, snapshot);
  if (info.state === "FAILED" || info.state === "PARTIAL" || info.state === "INCOMPATIBLE") {
    ctx.logger.warn({ snapshot, state: info.state }, "earlier snapshot unusable; taking it again");
    await deleteSnapshot(ctx, repository, snapshot);
    info = { state: "MISSING", failures: [] };
  }
  if (info.state === "MISSING") {
    await ctx.source.request({
      method: "PUT",
      path: `/_snapshot/${enc(repository)}/${enc(snapshot)}`,
      querystring: { wait_for_completion: false },
      body: {
        indices: tasks.map((t) => t.index).join(","),
        include_global_state: false,
        ignore_unavailable: false,
        partial: false,
      },
      signal: ctx.signal,
    });
  }
  for (let round = 0; ; round++) {
    await reportStatus(ctx, repository, snapshot, tasks);
    info = await snapshotInfo(ctx, repository, snapshot);
    if (info.state === "SUCCESS") return;
    if (info.state !== "IN_PROGRESS") {
      throw new BluegreenError(
        "BG_SNAPSHOT_FAILED",
        `Snapshot ${repository}/${snapshot} of ${tasks.map((t) => t.index).join(", ")} ended ${info.state}` +
          (info.failures.length > 0 ? `: ${info.failures.slice(0, 3).join("; ")}` : "."),
        {
          fix: "Check the source's shard health and the repository's free space; re-run to take the snapshot again.",
          details: { repository, snapshot, state: info.state },
          retryable: true,
        },
      );
    }
    await pause(pollDelay(round), ctx.signal);
  }
}

export async function removeSnapshot(ctx: BackfillContext, repository: string, snapshot: string) {
  try {
    await deleteSnapshot(ctx, repository, snapshot);
  } catch (error) {
    // Cleanup must not turn a finished copy into a failure; the leftover is named in the log.
    const reason = error instanceof Error ? error.message : String(error);
    ctx.logger.warn({ repository, snapshot, reason }, "could not delete snapshot");
  }
}
