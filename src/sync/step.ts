/**
 * Step 3 as the workflow runs it. With the gateway, sync is long-lived services (the gateway and
 * replay) that run beside the workflow, so the step checks they do their job; with CCR the step sets
 * replication up (remote connection, followers, auto-follow rules; the backfill may have done most of
 * it) and the target's nodes do the rest. Either way the step ends when sync is within `sync.maxLag`.
 */
import { createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { openMigrationState, type StateStore } from "../state/index.ts";
import type { Step, StepContext, StepResult } from "../workflow/index.ts";
import { syncPaused } from "./control.ts";
import { resolveSyncMethod } from "./method.ts";
import { openSync, waitCaughtUp } from "./open.ts";

export function syncStep(config: MigrationConfig, logger: Logger = createLogger()): Step {
  return {
    id: "sync",
    title: "Sync: keep the target current (the capturing gateway and replay, or cross-cluster replication)",
    async plan() {
      if (config.sync.method === "none") return { kind: "skip", reason: "sync.method is none" };
      const what =
        config.sync.method === "gateway"
          ? "check the gateway runs in capture mode and replay catches up"
          : config.sync.method === "ccr"
            ? "set up cross-cluster replication (remote cluster, followers, auto-follow rules) and wait for it to catch up"
            : "use cross-cluster replication when both clusters can, else the gateway; then catch up";
      return {
        kind: "apply",
        summary: `${what} within sync.maxLag (${config.sync.maxLagMs} ms)`,
        actions: [],
      };
    },
    async apply(ctx) {
      const state = openMigrationState(config);
      try {
        return await runSync(config, state, logger, ctx);
      } finally {
        state.close();
      }
    },
    async verify() {
      return { ok: true };
    },
  };
}

/** Cutover's record, read directly: cutover imports this folder, so this folder cannot import it. */
function switched(state: StateStore): boolean {
  return state.getCheckpoint<{ switch?: unknown }>("cutover", "parts")?.switch !== undefined;
}

/** Sync paused by hand stays paused until resumed by hand: waiting for it to catch up is pointless. */
export function pausedError(at: string, file: string): BluegreenError {
  return new BluegreenError("BG_SYNC_NOT_READY", `Sync is paused (bluegreen sync pause, at ${at}).`, {
    fix: `Resume it with \`bluegreen sync resume -c ${file}\`, then run again.`,
    retryable: false,
  });
}

async function runSync(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  ctx: StepContext,
): Promise<StepResult> {
  const file = config.configPath ?? "FILE";
  if (config.sync.method === "none") {
    return {
      kind: "skipped",
      reason:
        "sync.method is none: writes made after the backfill are not carried over, so stop them before validating",
    };
  }
  if (switched(state)) return { kind: "skipped", reason: "cutover already switched clients to the target" };
  const paused = syncPaused(state);
  if (paused !== undefined) throw pausedError(paused.at, file);
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  const choice = await resolveSyncMethod(config, state, source, target).finally(() =>
    Promise.all([source.close(), target.close()]),
  );
  if (choice.findings !== undefined) ctx.event("sync.fallback", { reason: choice.reason });
  const driver = openSync(config, state, logger);
  if (driver === undefined) return { kind: "skipped", reason: choice.reason };
  let started: Record<string, unknown>;
  try {
    started = await driver.start(ctx.signal);
  } finally {
    await driver.close();
  }
  const first = await waitCaughtUp(config, state, logger, 0, ctx.signal);
  const last = await waitCaughtUp(config, state, logger, config.sync.maxLagMs, ctx.signal);
  const behind = last?.lagRecords ?? 0;
  const unit = driver.method === "ccr" ? "operation(s)" : "record(s)";
  const what = driver.method === "ccr" ? "Cross-cluster replication" : "Replay";
  if (behind > 0) {
    const moving = (first?.lagRecords ?? 0) > behind;
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      moving
        ? `${what} is catching up but still ${behind} ${unit} behind after sync.maxLag.`
        : `${what} is ${behind} ${unit} behind and carried over nothing in sync.maxLag${driver.method === "ccr" ? "" : ": no replayer seems to run"}.`,
      {
        fix: moving
          ? "Run again in a while; if the lag keeps growing, look at the target's health."
          : driver.method === "ccr"
            ? `Look at each follower's status (GET _plugins/_replication/<index>/_status on the target); resume paused ones; then run again.`
            : `Start one: restart the gateway with --replay, or run \`bluegreen replay -c ${file}\` as a service; then run again.`,
        retryable: moving,
      },
    );
  }
  ctx.event("sync.checked", {
    method: driver.method,
    reason: choice.reason,
    position: last?.position,
    ...started,
  });
  return {
    kind: "done",
    summary: { method: driver.method, reason: choice.reason, lagRecords: 0, ...started },
  };
}
