/**
 * The gateway as the sync interface: clients write through the capturing gateway, replay applies the
 * log to the target. Both run as services beside the workflow, so `start` checks they do their job
 * rather than starting them, `pause` holds replay, and `drain` replays what is left.
 */
import { setTimeout as delay } from "node:timers/promises";
import { lag as logLag } from "../capture/index.ts";
import { createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import {
  askGateway,
  captureLogEnd,
  describeAttempts,
  openReplayLog,
  sharedModeStatus,
} from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import {
  holdReplay,
  liveReplayOwner,
  releaseReplay,
  replay,
  replayHold,
  replayPosition,
  replayWait,
} from "../replay/index.ts";
import { describeProcess, type StateStore } from "../state/index.ts";
import type { SyncDriver, SyncLag } from "./types.ts";

const PAUSED = "paused (bluegreen sync pause)";

/** The capture log's end (asked of the running gateway, or read from the log) minus replay's position. */
export async function gatewayLag(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<SyncLag> {
  const position = replayPosition(state);
  return { position, lagRecords: logLag(position ?? {}, await captureLogEnd(config, state, logger)) };
}

/** Replay until nothing logged is left: by the replayer already running, else in this process. */
async function drain(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const first = await gatewayLag(config, state, logger);
  if (first.lagRecords === 0) return;
  // The replayer that runs (usually the gateway's) drains; only when none does is it done here. Never
  // both: two replayers interleave, and a slow one could land an older version of a document after
  // the switch (src/replay/owner.ts).
  const owner = liveReplayOwner(state, "forward");
  if (owner === undefined) {
    const log = await openReplayLog(config, logger);
    const source = createCluster(config.source, { logger });
    const target = createCluster(config.target, { logger });
    try {
      await replay({
        log,
        state,
        source,
        target,
        settings: config.replay,
        logger,
        untilCaughtUp: true,
        pollMs: 100,
        ...(signal === undefined ? {} : { signal }),
      });
    } finally {
      await Promise.all([log.close(), source.close(), target.close()]);
    }
  }
  for (;;) {
    const lag = await gatewayLag(config, state, logger);
    if (lag.lagRecords === 0) return;
    if (Date.now() >= deadline) {
      const who = owner === undefined ? "" : ` (the replayer is ${describeProcess(owner)})`;
      throw new BluegreenError(
        "BG_CUTOVER_DRAIN",
        `Replay is still ${lag.lagRecords} record(s) behind after cutover.drainTimeout${who}.`,
        {
          fix: "Check the replayer (bluegreen replay) runs and the target accepts writes; run cutover again to go on draining, or bluegreen rollback.",
          retryable: true,
        },
      );
    }
    await delay(100);
  }
}

/** A gateway of this migration answers in capture (or dual) mode, and replay is not held. */
async function checkRunning(config: MigrationConfig, state: StateStore): Promise<Record<string, unknown>> {
  const file = config.configPath ?? "FILE";
  const { where, mode } = await runningMode(config, state, file);
  if (mode !== "capture" && mode !== "dual") {
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      `The gateway at ${where} is in mode ${mode}, not capture: ${mode === "fenced" ? "a cutover stopped half-way" : "clients are not writing to the source through it"}.`,
      {
        fix: `Finish it with \`bluegreen cutover -c ${file}\` or undo it with \`bluegreen rollback -c ${file}\`; or switch back with \`bluegreen gateway mode capture -c ${file}\`.`,
        retryable: false,
      },
    );
  }
  const wait = replayWait(state, replayPosition(state) !== undefined, `bluegreen backfill -c ${file}`);
  if (wait !== undefined) {
    throw new BluegreenError("BG_SYNC_NOT_READY", `Replay is not applying: ${wait.message}.`, {
      fix: `Let the backfill finish (\`bluegreen backfill -c ${file}\`), then run again.`,
      retryable: wait.liftable === true,
    });
  }
  return { gateway: where, mode };
}

/**
 * Where the capturing gateway runs and its mode: with gateway.shared, every gateway heard from on
 * the control topic (they may all be on other hosts) and the mode decided there; else the one the
 * state file or gateway.listen names.
 */
async function runningMode(
  config: MigrationConfig,
  state: StateStore,
  file: string,
): Promise<{ where: string; mode: string }> {
  const fix = `Run the gateway as a service (docs/gateway-service.md): \`bluegreen gateway -c ${file} --replay\`, with clients writing through it; then run again.`;
  if (config.gateway.shared !== undefined) {
    const shared = await sharedModeStatus(config);
    const live = shared.members.filter((m) => m.live).length;
    if (live === 0)
      throw new BluegreenError(
        "BG_SYNC_NOT_READY",
        `No gateway of this migration has reported on ${shared.shared} within gateway.shared.memberTimeout, so no write is being captured.`,
        { fix, retryable: false },
      );
    return { where: `control topic ${shared.shared} (${live} live gateway(s))`, mode: shared.mode };
  }
  const asked = await askGateway(config, state, "/_bluegreen/mode", undefined, 5_000);
  if (asked.answer === undefined) {
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      asked.tried.length === 0
        ? "No gateway of this migration is running (none is recorded in the state file) and gateway.listen is not set, so no write is being captured."
        : `No gateway of this migration answered (${describeAttempts(asked.tried)}), so no write is being captured.`,
      { fix, retryable: false },
    );
  }
  return { where: asked.url, mode: String(asked.answer.mode) };
}

export function gatewayDriver(config: MigrationConfig, state: StateStore, logger: Logger): SyncDriver {
  return {
    method: "gateway",
    start: () => checkRunning(config, state),
    lag: () => gatewayLag(config, state, logger),
    async pause() {
      if (replayHold(state) === undefined) holdReplay(state, PAUSED);
    },
    async resume() {
      // Only a hold this interface made: the backfill's hold is the backfill's to lift.
      if (replayHold(state)?.reason === PAUSED) releaseReplay(state);
    },
    drain: (timeoutMs, signal) => drain(config, state, logger, timeoutMs, signal),
    // Switching clients is cutover's business (gateway mode target); the log keeps serving rollback.
    stop: async () => ({}),
    // The gateway is a service clients may still reach the target through: decommission says what is left.
    cleanUp: async () => ({}),
    close: async () => {},
  };
}
