import type { IndexTask, ProgressEvent } from "../types.ts";
import { num, obj } from "./util.ts";

/**
 * Fraction done from a snapshot-status `stats` block. A snapshot only copies files the repository
 * lacks (`incremental`); older releases report `number_of_files`/`processed_files` instead.
 */
export function progressFromStats(stats: Record<string, unknown>): number {
  const incremental = num(obj(stats.incremental).size_in_bytes);
  const processed = num(obj(stats.processed).size_in_bytes);
  if (incremental > 0) return Math.min(1, processed / incremental);
  const total = num(stats.total_size_in_bytes);
  if (total > 0) return Math.min(1, num(stats.processed_size_in_bytes) / total);
  return Object.keys(stats).length > 0 ? 1 : 0;
}

/** Fraction recovered from `GET <index>/_recovery` (all shards of one index, bytes). */
export function progressFromRecovery(body: unknown, index: string): number {
  const shards = obj(obj(body)[index]).shards;
  if (!Array.isArray(shards) || shards.length === 0) return 0;
  let total = 0;
  let recovered = 0;
  let done = 0;
  for (const shard of shards) {
    const size = obj(obj(obj(shard).index).size);
    total += num(size.total_in_bytes);
    recovered += num(size.recovered_in_bytes);
    if (obj(shard).stage === "DONE") done++;
  }
  if (total === 0) return done / shards.length;
  return Math.min(1, recovered / total);
}

/** A snapshot progress event for `fraction` of the task (docs and bytes scaled alike). */
export function progressEvent(
  task: IndexTask,
  phase: ProgressEvent["phase"],
  fraction: number,
): ProgressEvent {
  return {
    index: task.index,
    method: "snapshot",
    phase,
    docsDone: Math.round(task.docs * fraction),
    docsTotal: task.docs,
    bytesDone: Math.round(task.bytes * fraction),
  };
}
