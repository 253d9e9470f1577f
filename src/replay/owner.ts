/**
 * One replayer per direction at a time. Two replayers of one log apply the same records interleaved:
 * a slow one can land an older version of a document after the other applied the newer one, and after
 * a cutover switch, over a client's newer write on the target. So the replayer that applies records
 * this run is recorded in the state file, and another one refuses to start while it lives.
 */
import { randomUUID } from "node:crypto";
import { BluegreenError } from "../errors/index.ts";
import {
  describeProcess,
  type ProcessRef,
  processAlive,
  type StateStore,
  thisProcess,
} from "../state/index.ts";
import { REPLAY_STEP, type ReplayDirection } from "./hold.ts";

export interface ReplayOwner extends ProcessRef {
  readonly since: string;
  /** Renewed while the replayer runs: how an owner on another host is known to be alive. */
  readonly beat: string;
  /** Tells two replayers of one process apart. */
  readonly token: string;
}

/** An owner on another host (whose process cannot be asked) silent this long is taken for dead. */
export const OWNER_SILENCE_MS = 30_000;
/** How often a replayer renews its beat: a few beats fit in the silence. */
export const OWNER_BEAT_MS = 5_000;

const ownerKey = (direction: ReplayDirection) => `owner:${direction}`;

export function replayOwner(state: StateStore, direction: ReplayDirection): ReplayOwner | undefined {
  return state.getCheckpoint<ReplayOwner | null>(REPLAY_STEP, ownerKey(direction)) ?? undefined;
}

/** Whether a recorded owner still runs: asked of the process on this host, told by its beat elsewhere. */
export function ownerAlive(owner: ReplayOwner, now = Date.now()): boolean {
  const alive = processAlive(owner);
  if (alive !== undefined) return alive;
  return now - Date.parse(owner.beat) < OWNER_SILENCE_MS;
}

/** The live replayer of this direction, if one runs. */
export function liveReplayOwner(state: StateStore, direction: ReplayDirection): ReplayOwner | undefined {
  const owner = replayOwner(state, direction);
  return owner !== undefined && ownerAlive(owner) ? owner : undefined;
}

export interface ReplayClaim {
  /** Renews the beat (cheap to call often: it writes at most every OWNER_BEAT_MS). */
  beat(): void;
  /** Gives the direction up, if this claim still holds it. */
  release(): void;
}

/**
 * Records this replayer as the direction's owner, or throws BG_REPLAY_RUNNING naming the live one.
 * Checked and written in one immediate transaction, so two replayers starting together cannot both win.
 */
export function claimReplay(state: StateStore, direction: ReplayDirection): ReplayClaim {
  const token = randomUUID();
  const key = ownerKey(direction);
  const me = thisProcess();
  state.transaction(() => {
    const current = replayOwner(state, direction);
    if (current !== undefined && ownerAlive(current)) {
      const who =
        current.pid === me.pid && current.host === me.host ? "this process" : describeProcess(current);
      throw new BluegreenError(
        "BG_REPLAY_RUNNING",
        `A ${direction} replayer already runs (${who}, since ${current.since}); two would apply the same records out of order.`,
        {
          fix: "Let that replayer do the work (it is usually `bluegreen gateway --replay`), or stop it first and run this again.",
          details: { direction, owner: { pid: current.pid, host: current.host, since: current.since } },
        },
      );
    }
    const now = new Date().toISOString();
    state.putCheckpoint(REPLAY_STEP, key, { ...me, since: now, beat: now, token } satisfies ReplayOwner);
  });
  let last = Date.now();
  const mine = (): ReplayOwner | undefined => {
    const current = replayOwner(state, direction);
    return current?.token === token ? current : undefined;
  };
  return {
    beat() {
      if (Date.now() - last < OWNER_BEAT_MS) return;
      last = Date.now();
      state.transaction(() => {
        const current = mine();
        if (current !== undefined)
          state.putCheckpoint(REPLAY_STEP, key, { ...current, beat: new Date().toISOString() });
      });
    },
    release() {
      state.transaction(() => {
        if (mine() !== undefined) state.putCheckpoint(REPLAY_STEP, key, null);
      });
    },
  };
}
