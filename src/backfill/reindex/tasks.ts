/** The `_reindex` and `_tasks` calls one range needs: start, read, cancel, rethrottle. */
import type { Cluster } from "../../cluster/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { type Json, num, obj, str } from "../snapshot/index.ts";
import type { ReindexRange } from "./ranges.ts";

/** Where and how the target reaches the source. The password is revealed only into the request body. */
export interface RemoteSource {
  readonly host: string;
  readonly username?: string;
  readonly password?: string;
}

export interface TaskCounts {
  readonly total: number;
  readonly created: number;
  readonly updated: number;
}

export interface TaskState {
  readonly completed: boolean;
  readonly counts: TaskCounts;
  /** Set when the finished task did not copy everything: failures, cancellation or an exception. */
  readonly problem: string | undefined;
}

const enc = encodeURIComponent;

export interface StartOptions {
  readonly sourceIndex: string;
  readonly targetIndex: string;
  readonly range: ReindexRange;
  readonly batchSize: number;
  readonly requestsPerSecond: number;
  readonly signal: AbortSignal;
}

export async function startReindex(
  target: Cluster,
  remote: RemoteSource,
  options: StartOptions,
): Promise<string> {
  const response = await target.request({
    method: "POST",
    path: "/_reindex",
    querystring: { wait_for_completion: false, requests_per_second: options.requestsPerSecond },
    body: {
      source: {
        remote: { ...remote, socket_timeout: "60s", connect_timeout: "30s" },
        index: options.sourceIndex,
        size: options.batchSize,
        query: options.range.query,
      },
      // `_none` skips a default pipeline: the documents were already processed on the way into the source.
      dest: { index: options.targetIndex, op_type: "index", pipeline: "_none" },
      conflicts: "abort",
    },
    signal: options.signal,
  });
  const task = str(obj(response.body).task);
  if (task === undefined) {
    throw new BluegreenError(
      "BG_REINDEX_FAILED",
      `The target did not start a reindex task for ${options.sourceIndex}.`,
      {
        details: { index: options.sourceIndex, range: options.range.label },
      },
    );
  }
  return task;
}

function counts(status: Json): TaskCounts {
  return { total: num(status.total), created: num(status.created), updated: num(status.updated) };
}

/** What went wrong in a finished task, in words; undefined when it copied everything. */
export function taskProblem(result: Json): string | undefined {
  const error = obj(result.error);
  if (Object.keys(error).length > 0) {
    const cause = obj(error.caused_by);
    return [str(error.type), str(error.reason), str(cause.reason)].filter((s) => s !== undefined).join(": ");
  }
  const response = obj(result.response);
  const failures = Array.isArray(response.failures) ? response.failures.map(obj) : [];
  if (failures.length > 0) {
    const named = failures.slice(0, 3).map((f) => {
      const cause = obj(f.cause);
      return `${str(f.id) ?? str(f.index) ?? "?"}: ${str(cause.type) ?? ""} ${str(cause.reason) ?? str(f.reason) ?? ""}`.trim();
    });
    return `${failures.length} document failure(s), e.g. ${named.join("; ")}`;
  }
  const canceled = str(response.canceled) ?? str(obj(obj(result.task).status).canceled);
  if (canceled !== undefined) return `cancelled (${canceled})`;
  return undefined;
}

/** The task's state, or undefined when the target no longer knows it (a restart loses running tasks). */
export async function readTask(
  target: Cluster,
  task: string,
  signal: AbortSignal,
): Promise<TaskState | undefined> {
  const response = await target.request({
    method: "GET",
    path: `/_tasks/${enc(task)}`,
    allowStatus: [404],
    signal,
  });
  if (response.status === 404) return undefined;
  const body = obj(response.body);
  const completed = body.completed === true;
  const status = completed ? obj(body.response) : obj(obj(body.task).status);
  return { completed, counts: counts(status), problem: completed ? taskProblem(body) : undefined };
}

/** Best effort and deliberately without the caller's (already aborted) signal. */
export async function cancelTask(target: Cluster, task: string): Promise<void> {
  await target
    .request({ method: "POST", path: `/_tasks/${enc(task)}/_cancel`, allowStatus: [404], idempotent: true })
    .catch(() => undefined);
}

export async function rethrottleTask(
  target: Cluster,
  task: string,
  requestsPerSecond: number,
): Promise<void> {
  await target.request({
    method: "POST",
    path: `/_reindex/${enc(task)}/_rethrottle`,
    querystring: { requests_per_second: requestsPerSecond },
    allowStatus: [404],
    idempotent: true,
  });
}
