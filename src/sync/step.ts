/**
 * Step 3 as the workflow runs it. Sync itself is long-lived services, not a step that finishes: the
 * gateway (`bluegreen gateway -c FILE --replay`, or the gateway plus a separate `bluegreen replay`)
 * runs beside the workflow for the whole migration. So this step does not start them; it checks they
 * do their job before validation trusts the target: a gateway of this migration answers in `capture`
 * (or `dual`) mode, replay is not held, and replay catches up with the capture log within
 * `sync.maxLag`. When something is missing it says exactly what to start.
 */
import type { MigrationConfig } from "../config/index.ts";
import { cutoverRecord } from "../cutover/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { askGateway, describeAttempts } from "../gateway/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { replayPosition, replayWait } from "../replay/index.ts";
import { openMigrationState, type StateStore } from "../state/index.ts";
import { waitCaughtUp } from "../validate/index.ts";
import type { Step, StepContext, StepResult } from "../workflow/index.ts";

export function syncStep(config: MigrationConfig, logger: Logger = createLogger()): Step {
  return {
    id: "sync",
    title: "Sync: the gateway captures every write and replay keeps the target current",
    async plan() {
      return config.sync.method === "gateway"
        ? {
            kind: "apply",
            summary: `check the gateway runs in capture mode and replay catches up within sync.maxLag (${config.sync.maxLagMs} ms)`,
            actions: [],
          }
        : { kind: "skip", reason: `sync.method is ${config.sync.method}` };
    },
    async apply(ctx) {
      const state = openMigrationState(config);
      try {
        return await checkSync(config, state, logger, ctx);
      } finally {
        state.close();
      }
    },
    async verify() {
      return { ok: true };
    },
  };
}

async function checkSync(
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
  if (config.sync.method === "ccr") {
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      "sync.method is ccr, but bluegreen does not drive cross-cluster replication yet.",
      {
        fix: "Use sync.method gateway, or run CCR yourself and set sync.method none (bluegreen then expects writes stopped before validation).",
        retryable: false,
      },
    );
  }
  if (cutoverRecord(state).switch !== undefined) {
    return { kind: "skipped", reason: "cutover already switched clients to the target" };
  }
  const asked = await askGateway(config, state, "/_bluegreen/mode", undefined, 5_000);
  if (asked.answer === undefined) {
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      asked.tried.length === 0
        ? "No gateway of this migration is running (none is recorded in the state file) and gateway.listen is not set, so no write is being captured."
        : `No gateway of this migration answered (${describeAttempts(asked.tried)}), so no write is being captured.`,
      {
        fix: `Run the gateway as a service (docs/gateway-service.md): \`bluegreen gateway -c ${file} --replay\`, with clients writing through it; then run again.`,
        retryable: false,
      },
    );
  }
  const mode = String(asked.answer.mode);
  if (mode !== "capture" && mode !== "dual") {
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      `The gateway at ${asked.url} is in mode ${mode}, not capture: ${mode === "fenced" ? "a cutover stopped half-way" : "clients are not writing to the source through it"}.`,
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
  const first = await waitCaughtUp(config, state, logger, 0, ctx.signal);
  const last = await waitCaughtUp(config, state, logger, config.sync.maxLagMs, ctx.signal);
  const behind = last?.lagRecords ?? 0;
  if (behind > 0) {
    const moving = (first?.lagRecords ?? 0) > behind;
    throw new BluegreenError(
      "BG_SYNC_NOT_READY",
      moving
        ? `Replay is catching up but still ${behind} record(s) behind after sync.maxLag.`
        : `Replay is ${behind} record(s) behind and applied nothing in sync.maxLag: no replayer seems to run.`,
      {
        fix: moving
          ? "Run again in a while; if the lag keeps growing, look at the replayer's metrics and the target's health."
          : `Start one: restart the gateway with --replay, or run \`bluegreen replay -c ${file}\` as a service; then run again.`,
        retryable: moving,
      },
    );
  }
  ctx.event("sync.checked", { gateway: asked.url, mode, position: last?.position });
  return { kind: "done", summary: { gateway: asked.url, mode, lagRecords: 0 } };
}
