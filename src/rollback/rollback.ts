/**
 * Step 6, roll back. Before the switch (or before cutover at all) it aborts: the source was never
 * given up, so it only lifts what cutover did (fence, write block); sync goes on, so a later cutover
 * can be tried again (the target keeps what it was given, nothing is deleted there). After the
 * switch it is lossless: the target's writes since the switch (logged with `captureInTargetMode`) are
 * replayed back to the source before clients return to it.
 *
 *   fence → unblock → reverse drain → capture
 *
 * Each part is recorded, so a crash resumes at the first part not done.
 */
import { createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { type CutoverRecord, cutoverRecord, type PreviousBlocks, setBlocks } from "../cutover/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { gatewayMode, openReplayLog } from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { replay } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";
import { syncMethodOf } from "../sync/index.ts";

const STEP = "rollback";
export const ROLLBACK_PARTS = ["fence", "unblock", "reverse", "capture"] as const;
export type RollbackPart = (typeof ROLLBACK_PARTS)[number];

export interface RollbackOptions {
  readonly gatewayUrl?: string;
  readonly signal?: AbortSignal;
  readonly onPart?: (part: RollbackPart, phase: "done" | "already") => void;
}

export interface RollbackResult {
  /** Nothing cutover does was in place (none ran, or a rollback already finished): nothing was changed. */
  readonly nothing: boolean;
  /** Whether the target had taken writes (the switch was done), so they were replayed back. */
  readonly afterSwitch: boolean;
  readonly unblocked: readonly string[];
  readonly replayedBack: number;
}

export async function runRollback(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  options: RollbackOptions = {},
): Promise<RollbackResult> {
  const cutover = cutoverRecord(state);
  const afterSwitch = switched(state, cutover);
  refuseAfterSourceDeleted(state);
  // `auto` as decided: the gateway is the way back only if it was the way forward.
  const viaGateway = syncMethodOf(config, state) === "gateway";
  if (afterSwitch && viaGateway && !config.gateway.captureInTargetMode) {
    throw new BluegreenError(
      "BG_USAGE",
      "Rolling back after the switch needs the target's writes, but gateway.captureInTargetMode is off, so they were not logged.",
      {
        fix: "Copy the target's changes back by hand (or backfill target → source); set gateway.captureInTargetMode: true before the next cutover.",
      },
    );
  }
  const setMode = async (mode: string) => {
    if (viaGateway) await gatewayMode(config, state, mode, options.gatewayUrl);
  };
  let record = state.getCheckpoint<Partial<Record<RollbackPart, string>>>(STEP, "parts") ?? {};
  const run = async (part: RollbackPart, work: () => Promise<void>) => {
    if (record[part] !== undefined) {
      options.onPart?.(part, "already");
      return;
    }
    await work();
    record = { ...record, [part]: new Date().toISOString() };
    const last = part === ROLLBACK_PARTS.at(-1);
    state.transaction(() => {
      if (last) {
        // Finished: a later cutover (and decommission, which `run` must redo) starts from the
        // beginning, and a later rollback finds nothing half-done. One transaction, so a crash leaves
        // all of it or none: a rollback record left complete would make the next rollback skip
        // every part and report success.
        state.putCheckpoint("cutover", "parts", {});
        state.putCheckpoint("cutover", "blocking", null);
        state.putCheckpoint("decommission", "parts", {});
        for (const step of ["cutover", "decommission"]) {
          if (state.getStep(step) !== undefined) state.setStepStatus(step, "pending");
        }
        state.putCheckpoint(STEP, "parts", {});
      } else state.putCheckpoint(STEP, "parts", record);
      state.appendEvent({ step: STEP, type: `rollback.${part}` });
    });
    options.onPart?.(part, "done");
  };
  // What cutover blocked, even if it crashed between recording and finishing the block.
  const blocked: PreviousBlocks =
    cutover.block?.previous ?? state.getCheckpoint<PreviousBlocks>("cutover", "blocking") ?? {};
  if ([cutover, record, blocked].every((r) => Object.keys(r).length === 0)) {
    // Run again after it finished (or its process was killed after its last commit), rollback would
    // otherwise fence clients for nothing and call it an abort before the switch.
    const mode = viaGateway
      ? (await gatewayMode(config, state, undefined, options.gatewayUrl)).mode
      : "capture";
    if (mode === "capture") return { nothing: true, afterSwitch: false, unblocked: [], replayedBack: 0 };
  }
  let replayedBack = 0;
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  try {
    // Writes wait while the source catches up with the target: nobody writes to either meanwhile.
    await run("fence", () => setMode("fenced"));
    await run("unblock", () => setBlocks(source, blocked));
    await run("reverse", async () => {
      if (!afterSwitch || !viaGateway) return;
      const log = await openReplayLog(config, logger);
      try {
        const reverseRename = Object.fromEntries(
          Object.entries(config.replay.indexRename).map(([a, b]) => [b, a]),
        );
        const report = await replay({
          log,
          state,
          source: target,
          target: source,
          direction: "reverse",
          settings: { ...config.replay, indexRename: reverseRename },
          logger,
          untilCaughtUp: true,
          pollMs: 100,
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        replayedBack = report.applied + report.resolved;
        if (report.deadLettered > 0) {
          throw new BluegreenError(
            "BG_REPLAY_TARGET",
            `${report.deadLettered} target write(s) could not be applied back to the source.`,
            {
              fix: `They are in ${config.replay.deadLetterPath}; apply them by hand, then run rollback again (clients stay fenced until it finishes).`,
            },
          );
        }
      } finally {
        await log.close();
      }
    });
    await run("capture", () => setMode("capture"));
    return { nothing: false, afterSwitch, unblocked: Object.keys(blocked), replayedBack };
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/**
 * Whether clients were switched to the target, so it may have taken writes: as cutover recorded it,
 * or, when cutover was killed between switching the gateway and recording the switch, as the gateway
 * recorded its own mode change after the cutover's fence. Missing that, rollback would skip the
 * reverse replay and lose what the target acknowledged.
 */
function switched(state: StateStore, cutover: CutoverRecord): boolean {
  if (cutover.switch !== undefined) return true;
  if (cutover.fence === undefined) return false;
  const fence = state
    .readEvents({ step: "cutover", limit: 1_000_000 })
    .findLast((e) => e.type === "cutover.fence");
  if (fence === undefined) return false;
  return state
    .readEvents({ step: "gateway", afterSeq: fence.seq, limit: 1_000_000 })
    .some((e) => e.type === "gateway.mode" && (e.data as { to?: unknown } | null)?.to === "target");
}

/** Replaying the target's writes into a source whose indices are gone would half-recreate them. */
function refuseAfterSourceDeleted(state: StateStore): void {
  const deleted = state.getCheckpoint<{ delete?: { deleted?: string[] } }>("decommission", "parts")?.delete
    ?.deleted;
  if (deleted === undefined || deleted.length === 0) return;
  throw new BluegreenError(
    "BG_USAGE",
    `Rollback is not possible: decommission deleted the source's migrated indices (${deleted.join(", ")}); nothing was changed.`,
    {
      fix: "Restore them from the final snapshot if one was taken (the migration report has the command), or copy the target back with a reverse migration.",
    },
  );
}
