/**
 * Per-index progress kept in the state file (step `backfill`, keys `progress/<index>`), whichever
 * method copies and whichever command runs it, so `bluegreen status` can show where each index stands.
 */
import type { StateStore } from "../state/index.ts";
import type { BackfillContext, ConcreteBackfillMethod, IndexTask, ProgressEvent } from "./types.ts";

const STEP = "backfill";
const PREFIX = "progress/";
/** Each write is an fsync; a few per index per minute are plenty for a status display. */
const EVERY_MS = 5_000;

export interface IndexProgressRecord {
  readonly index: string;
  readonly targetIndex: string;
  readonly method: ConcreteBackfillMethod;
  /** `failed` and `stopped` (Ctrl-C, SIGTERM): the run ended before this index was copied. */
  readonly phase: ProgressEvent["phase"] | "failed" | "stopped";
  readonly docsDone: number;
  readonly docsTotal: number;
  readonly updatedAt: string;
}

/** A context whose progress events are also recorded (phase changes at once, the rest throttled). */
export function recordingProgress(ctx: BackfillContext, tasks: readonly IndexTask[]): BackfillContext {
  const targets = new Map(tasks.map((t) => [t.index, t.targetIndex]));
  const last = new Map<string, { at: number; phase: string }>();
  return {
    ...ctx,
    onProgress(event) {
      ctx.onProgress(event);
      const previous = last.get(event.index);
      const now = Date.now();
      if (previous !== undefined && previous.phase === event.phase && now - previous.at < EVERY_MS) return;
      last.set(event.index, { at: now, phase: event.phase });
      put(ctx.state, {
        index: event.index,
        targetIndex: event.targetIndex ?? targets.get(event.index) ?? event.index,
        method: event.method,
        phase: event.phase,
        docsDone: event.docsDone,
        docsTotal: event.docsTotal,
        updatedAt: new Date(now).toISOString(),
      });
    },
  };
}

/** Marks the indices a run left unfinished, so status does not show them as still copying. */
export function recordUnfinished(
  state: StateStore,
  tasks: readonly IndexTask[],
  phase: "failed" | "stopped",
): void {
  const records = new Map(backfillProgress(state).map((r) => [r.index, r]));
  for (const task of tasks) {
    const record = records.get(task.index);
    if (record?.phase === "done") continue;
    put(state, {
      index: task.index,
      targetIndex: task.targetIndex,
      method: task.method,
      phase,
      docsDone: record?.docsDone ?? 0,
      docsTotal: record?.docsTotal ?? task.docs,
      updatedAt: new Date().toISOString(),
    });
  }
}

function put(state: StateStore, record: IndexProgressRecord): void {
  state.putCheckpoint(STEP, `${PREFIX}${record.index}`, record);
}

export function backfillProgress(state: StateStore): IndexProgressRecord[] {
  return state
    .listCheckpoints(STEP)
    .filter((c) => c.key.startsWith(PREFIX))
    .map((c) => c.value as IndexProgressRecord);
}
