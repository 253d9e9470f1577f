/**
 * Where forward replay starts (the backfill's mark) and what keeps it from applying (the backfill's
 * hold), with the process that will lift it: a replayer that must wait says for what, and one told
 * to finish (`--until-caught-up`) stops at once when nothing running will ever lift the hold.
 */
import type { CaptureLog, LogPosition } from "../capture/index.ts";
import { BluegreenError } from "../errors/index.ts";
import {
  describeProcess,
  type ProcessRef,
  processAlive,
  type StateStore,
  thisProcess,
} from "../state/index.ts";

export const REPLAY_STEP = "replay";
const POSITION = "position";
const REVERSE_POSITION = "reverse-position";
const HOLD = "hold";

/**
 * `forward` applies what the source accepted (`side: source` records) to the target; `reverse` applies
 * what the target accepted after cutover (`side: target`, logged with `captureInTargetMode`) back to
 * the source, for a lossless rollback. Each direction keeps its own position.
 */
export type ReplayDirection = "forward" | "reverse";

export function positionKey(direction: ReplayDirection): string {
  return direction === "forward" ? POSITION : REVERSE_POSITION;
}

/** The stored position replay resumes from; undefined before the first run or backfill mark. */
export function replayPosition(
  state: StateStore,
  direction: ReplayDirection = "forward",
): LogPosition | undefined {
  return state.getCheckpoint<LogPosition>(REPLAY_STEP, positionKey(direction));
}

/**
 * For the backfill: call this BEFORE it starts reading the source. Replay then starts at the log's end
 * as of now, so every write after this point is replayed and every write before it is in the backfill.
 * A position already stored (replay ran before) is kept. Outcomes of writes in flight across the mark
 * carry their document, so those are resolved from the source too.
 *
 * `log` is the open log, or, while a gateway owns the file log, `gatewayLogEnd(url, token)`.
 */
export async function markBackfillStart(
  log: Pick<CaptureLog, "end">,
  state: StateStore,
): Promise<LogPosition> {
  const existing = replayPosition(state);
  if (existing !== undefined) return existing;
  const end = await log.end();
  state.transaction(() => {
    state.putCheckpoint(REPLAY_STEP, POSITION, end);
    state.appendEvent({ step: REPLAY_STEP, type: "replay.backfill-mark", data: { position: end } });
  });
  return end;
}

/** Why replay is not applying right now (a backfill is copying), since when, and which process. */
export interface ReplayHold {
  readonly reason: string;
  readonly since: string;
  /** The backfill that lifts the hold when it finishes; absent in holds written before it was kept. */
  readonly holder?: ProcessRef;
}

/**
 * Stops every replayer of this migration from applying, until `releaseReplay`. A backfill holds replay
 * while it copies: a replayed write landing between the backfill's read of a document and its write of
 * that document would be overwritten with the older copy. Held, replay keeps its position and reports
 * lag; released, it applies everything after the backfill mark, which is then at least as new.
 */
export function holdReplay(state: StateStore, reason: string): void {
  const hold: ReplayHold = { reason, since: new Date().toISOString(), holder: thisProcess() };
  state.transaction(() => {
    state.putCheckpoint(REPLAY_STEP, HOLD, hold);
    state.appendEvent({ step: REPLAY_STEP, type: "replay.hold", data: { reason, holder: hold.holder } });
  });
}

export function releaseReplay(state: StateStore): void {
  if (replayHold(state) === undefined) return;
  state.transaction(() => {
    state.putCheckpoint(REPLAY_STEP, HOLD, null);
    state.appendEvent({ step: REPLAY_STEP, type: "replay.release" });
  });
}

export function replayHold(state: StateStore): ReplayHold | undefined {
  return state.getCheckpoint<ReplayHold | null>(REPLAY_STEP, HOLD) ?? undefined;
}

/** What replay waits for before it can apply more, in words a first-time user can act on. */
export interface ReplayWait {
  /** `backfill-mark`: no backfill has marked the log yet; `backfill`: one holds replay while it copies; `outcome`: a logged write's answer. */
  readonly for: "backfill-mark" | "backfill" | "outcome";
  /**
   * Whether something running will end the wait: false means only a command the user has not run
   * (yet, or again) can; undefined when that cannot be told from here (the holder is on another host).
   */
  readonly liftable: boolean | undefined;
  readonly message: string;
  readonly holder?: ProcessRef;
  readonly heldSince?: string;
}

/** Two reports describe the same wait when this matches (the message carries a growing age). */
export function waitKind(wait: ReplayWait | undefined): string | undefined {
  return wait === undefined ? undefined : `${wait.for}:${String(wait.liftable)}`;
}

/**
 * Why forward replay may not apply now, or undefined when it may. `marked` says whether a start
 * position exists (or is not needed); `lift` is the command that lifts the hold, as the user types it.
 */
export function replayWait(state: StateStore, marked: boolean, lift: string): ReplayWait | undefined {
  const hold = replayHold(state);
  const holder = hold?.holder;
  const alive = holder === undefined ? undefined : processAlive(holder);
  const who = holder === undefined ? "the backfill" : `the backfill (${describeProcess(holder)})`;
  const facts = {
    ...(holder === undefined ? {} : { holder }),
    ...(hold === undefined ? {} : { heldSince: hold.since }),
  };
  if (!marked) {
    if (hold !== undefined && alive !== false) {
      return {
        for: "backfill-mark",
        liftable: alive,
        message: `waiting for ${who} to mark the capture log`,
        ...facts,
      };
    }
    return {
      for: "backfill-mark",
      liftable: false,
      message: `replay applies nothing until a backfill marks the capture log (sync.method: gateway), and no backfill is running; run \`${lift}\``,
      ...facts,
    };
  }
  if (hold === undefined) return undefined;
  if (alive === false) {
    return {
      for: "backfill",
      liftable: false,
      message: `replay is held by ${who}, which stopped before it finished (held since ${hold.since}); run \`${lift}\` to finish the copy, which lifts the hold`,
      ...facts,
    };
  }
  return {
    for: "backfill",
    liftable: alive,
    message: `waiting for ${who} to finish copying; it lifts the hold (held since ${hold.since})`,
    ...facts,
  };
}

/** `--until-caught-up` cannot finish: nothing running will lift the hold. */
export function heldError(wait: ReplayWait, lift: string): BluegreenError {
  const stopped = wait.for === "backfill";
  return new BluegreenError(
    "BG_REPLAY_HELD",
    stopped
      ? `Replay cannot catch up: it is held by a backfill that stopped before it finished${wait.holder === undefined ? "" : ` (${describeProcess(wait.holder)})`}${wait.heldSince === undefined ? "" : `, held since ${wait.heldSince}`}.`
      : "Replay cannot catch up: with sync.method gateway it applies nothing until a backfill marks the capture log, and no backfill is running.",
    {
      fix: stopped
        ? `Run \`${lift}\` again: it resumes the copy and lifts the hold once every index is copied; then run replay again.`
        : `Run \`${lift}\` (it marks the log, copies the indices, then lifts the hold), then run replay again; or run replay without --until-caught-up to follow the log and apply once the backfill is done.`,
      details: { waitingFor: wait.for, ...(wait.holder === undefined ? {} : { holder: wait.holder }) },
    },
  );
}
