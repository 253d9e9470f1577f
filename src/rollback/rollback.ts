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
import { cutoverRecord, type PreviousBlocks, setBlocks } from "../cutover/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { gatewayMode, openReplayLog } from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { replay } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";

const STEP = "rollback";
export const ROLLBACK_PARTS = ["fence", "unblock", "reverse", "capture"] as const;
export type RollbackPart = (typeof ROLLBACK_PARTS)[number];

export interface RollbackOptions {
  readonly gatewayUrl?: string;
  readonly signal?: AbortSignal;
  readonly onPart?: (part: RollbackPart, phase: "done" | "already") => void;
}

export interface RollbackResult {
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
  const afterSwitch = cutover.switch !== undefined;
  refuseAfterSourceDeleted(state);
  if (afterSwitch && config.sync.method === "gateway" && !config.gateway.captureInTargetMode) {
    throw new BluegreenError(
      "BG_USAGE",
      "Rolling back after the switch needs the target's writes, but gateway.captureInTargetMode is off, so they were not logged.",
      {
        fix: "Copy the target's changes back by hand (or backfill target → source); set gateway.captureInTargetMode: true before the next cutover.",
      },
    );
  }
  const viaGateway = config.sync.method === "gateway";
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
    state.transaction(() => {
      state.putCheckpoint(STEP, "parts", record);
      state.appendEvent({ step: STEP, type: `rollback.${part}` });
    });
    options.onPart?.(part, "done");
  };
  // What cutover blocked, even if it crashed between recording and finishing the block.
  const blocked: PreviousBlocks =
    cutover.block?.previous ?? state.getCheckpoint<PreviousBlocks>("cutover", "blocking") ?? {};
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
    await run("capture", async () => {
      await setMode("capture");
      // A later cutover (and decommission) starts from the beginning again; `run` must redo them.
      state.transaction(() => {
        state.putCheckpoint("cutover", "parts", {});
        state.putCheckpoint("cutover", "blocking", null);
        state.putCheckpoint("decommission", "parts", {});
        for (const step of ["cutover", "decommission"]) {
          if (state.getStep(step) !== undefined) state.setStepStatus(step, "pending");
        }
      });
    });
    const result = { afterSwitch, unblocked: Object.keys(blocked), replayedBack };
    state.putCheckpoint(STEP, "parts", {});
    return result;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
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
