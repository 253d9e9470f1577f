/**
 * `bluegreen sync pause|resume|status`: the operator's hand on step 3, whichever method runs it.
 * Pause and resume are idempotent: the cluster call is made every time (a crash between it and the
 * record is repaired by running again), the record and its event only when the state changes.
 */
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import { ccrRecord } from "./ccr/follow.ts";
import { recordedSyncChoice, syncMethodOf } from "./method.ts";
import { openSync } from "./open.ts";
import type { SyncDriver, SyncLag } from "./types.ts";

const STEP = "sync";
const PAUSED = "paused";

export interface PauseRecord {
  readonly at: string;
  readonly method: "gateway" | "ccr";
}

export function syncPaused(state: StateStore): PauseRecord | undefined {
  return state.getCheckpoint<PauseRecord>(STEP, PAUSED);
}

export interface SyncStatusReport {
  /** As configured: gateway, ccr, auto or none. */
  readonly configured: string;
  /** What runs: undefined while `auto` is undecided (the backfill or the sync step decides it). */
  readonly method: "gateway" | "ccr" | "none" | undefined;
  readonly reason: string | undefined;
  readonly paused: PauseRecord | undefined;
  /** CCR: when cutover stopped the followers. */
  readonly stoppedAt: string | undefined;
  /** Undefined when nothing syncs (none, undecided, CCR stopped), or the reading failed. */
  readonly lag: SyncLag | undefined;
  /** Why the lag could not be read (a cluster did not answer). */
  readonly lagError?: string;
}

/** `gatewayLag: false` leaves replay's lag out (`bluegreen status` shows it beside the gateway). */
export async function syncStatus(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  options: { readonly gatewayLag?: boolean } = {},
): Promise<SyncStatusReport> {
  const method = syncMethodOf(config, state);
  const stoppedAt = method === "ccr" ? ccrRecord(state)?.stoppedAt : undefined;
  const read = stoppedAt === undefined && (method === "ccr" || options.gatewayLag !== false);
  const driver = read ? openSync(config, state, logger) : undefined;
  let lag: SyncLag | undefined;
  let lagError: string | undefined;
  if (driver !== undefined) {
    try {
      lag = await driver.lag();
    } catch (e) {
      lagError = e instanceof Error ? e.message : String(e);
    } finally {
      await driver.close();
    }
  }
  return {
    ...(lagError === undefined ? {} : { lagError }),
    configured: config.sync.method,
    method,
    reason: config.sync.method === "auto" ? recordedSyncChoice(state)?.reason : undefined,
    paused: syncPaused(state),
    stoppedAt,
    lag,
  };
}

/** Pauses or resumes a sync that can be paused now and returns its method, or says why it cannot. */
async function onPausable(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  verb: "pause" | "resume",
): Promise<SyncDriver["method"]> {
  const file = config.configPath ?? "FILE";
  const method = syncMethodOf(config, state);
  const refuse = (why: string, fix: string) =>
    new BluegreenError("BG_SYNC_NOT_READY", `Cannot ${verb} sync: ${why}.`, { fix, retryable: false });
  if (method === "none")
    throw refuse("sync.method is none, nothing keeps the target current", "Nothing to do.");
  if (method === undefined) {
    throw refuse(
      "sync.method is auto and not decided yet",
      `Run \`bluegreen backfill -c ${file}\` (or \`bluegreen run -c ${file}\`), which decides it, first.`,
    );
  }
  const stopped = method === "ccr" ? ccrRecord(state)?.stoppedAt : undefined;
  if (stopped !== undefined) {
    throw refuse(
      `cutover stopped cross-cluster replication at ${stopped}; the followers are ordinary indices now`,
      "Nothing to do: the target takes the writes.",
    );
  }
  if (method === "ccr" && ccrRecord(state) === undefined) {
    throw refuse(
      "cross-cluster replication is not set up yet",
      `Run \`bluegreen backfill -c ${file}\` (or \`bluegreen run -c ${file}\`) first.`,
    );
  }
  const driver = openSync(config, state, logger);
  if (driver === undefined) throw refuse("nothing syncs", "Nothing to do.");
  try {
    await (verb === "pause" ? driver.pause() : driver.resume());
  } finally {
    await driver.close();
  }
  return driver.method;
}

export interface PauseOutcome {
  readonly method: "gateway" | "ccr";
  /** False when it was already in the asked state (the cluster call was made again all the same). */
  readonly changed: boolean;
  readonly paused: PauseRecord | undefined;
}

export async function pauseSync(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<PauseOutcome> {
  const method = await onPausable(config, state, logger, "pause");
  const before = syncPaused(state);
  if (before !== undefined) return { method, changed: false, paused: before };
  const record: PauseRecord = { at: new Date().toISOString(), method };
  state.transaction(() => {
    state.putCheckpoint(STEP, PAUSED, record);
    state.appendEvent({ step: STEP, type: "sync.paused", data: record });
  });
  return { method, changed: true, paused: record };
}

export async function resumeSync(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<PauseOutcome> {
  const method = await onPausable(config, state, logger, "resume");
  const before = syncPaused(state);
  if (before === undefined) return { method, changed: false, paused: undefined };
  state.transaction(() => {
    state.deleteCheckpoint(STEP, PAUSED);
    state.appendEvent({
      step: STEP,
      type: "sync.resumed",
      data: { at: new Date().toISOString(), method, pausedAt: before.at },
    });
  });
  return { method, changed: true, paused: undefined };
}
