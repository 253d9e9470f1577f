/**
 * Step 5, cut over, as parts in a fixed order, each recorded in the state file when done so a crash at
 * any point resumes at the first part not done, and no part that matters runs twice:
 *
 *   gate → fence → block → drain → finish → switch
 *
 * `finish` restores the target's copy-time tuning and attaches the ISM policies that manage the
 * source's indices (not before: a policy acting on the target during sync would make it part ways).
 *
 * From the fence on, writes through the gateway wait (then get 503); from the block on, the source
 * refuses writes from anyone; only at the switch does the target take writes. So the two clusters are
 * never writable at once, and a write is either answered 2xx and on the target, or refused.
 */
import { createCluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { gatewayMode } from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { restoreTuning, TUNING_CHECKPOINT, type TunedSettings } from "../prepare/index.ts";
import { replayHold } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";
import { openSync, pausedError, syncMethodOf, syncPaused } from "../sync/index.ts";
import { checkCounts, gateError, readiness, recordForcedGate } from "../validate/index.ts";
import { attachIsmPolicies } from "./ism-attach.ts";
import { runSwitchCommand } from "./switch-command.ts";
import { indicesToBlock, type PreviousBlocks, readBlocks, setBlocks } from "./write-block.ts";

export const CUTOVER_PARTS = ["gate", "fence", "block", "drain", "finish", "switch"] as const;
export type CutoverPart = (typeof CUTOVER_PARTS)[number];

const STEP = "cutover";

/** What each done part recorded; `block.previous` is what rollback restores. */
export interface CutoverRecord {
  readonly gate?: { readonly at: string; readonly forced?: string };
  readonly fence?: { readonly at: string };
  readonly block?: { readonly at: string; readonly previous: PreviousBlocks };
  readonly drain?: { readonly at: string; readonly counts: Readonly<Record<string, number>> };
  readonly finish?: {
    readonly at: string;
    readonly restored: readonly string[];
    /** ISM policy → the target indices attached to it at cutover. */
    readonly ismAttached?: Readonly<Record<string, readonly string[]>>;
  };
  readonly switch?: { readonly at: string; readonly pauseMs: number };
}

export function cutoverRecord(state: StateStore): CutoverRecord {
  return state.getCheckpoint<CutoverRecord>(STEP, "parts") ?? {};
}

export interface CutoverOptions {
  /** Cut over although the gate is closed; recorded as an event with the reason overridden. */
  readonly force?: boolean;
  /** The running gateway (default: the one the state file records, else `gateway.listen`). */
  readonly gatewayUrl?: string;
  readonly signal?: AbortSignal;
  /** One line per part as it starts and ends. */
  readonly onPart?: (part: CutoverPart, phase: "start" | "done" | "already", detail?: string) => void;
}

export interface CutoverResult {
  readonly record: CutoverRecord;
  /** From the fence to the switch: how long writes waited or were refused. */
  readonly pauseMs: number;
}

export async function runCutover(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  options: CutoverOptions = {},
): Promise<CutoverResult> {
  const viaGateway = syncMethodOf(config, state) === "gateway";
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  let record = cutoverRecord(state);
  const done = (part: CutoverPart, value: CutoverRecord[CutoverPart]) => {
    record = { ...record, [part]: value };
    state.transaction(() => {
      state.putCheckpoint(STEP, "parts", record);
      state.appendEvent({ step: STEP, type: `cutover.${part}`, data: value });
    });
    options.onPart?.(part, "done");
  };
  const run = async (part: CutoverPart, work: () => Promise<void>) => {
    if (record[part] !== undefined) {
      options.onPart?.(part, "already");
      return;
    }
    options.onPart?.(part, "start");
    await work();
  };
  const setMode = async (mode: string) => {
    if (viaGateway) await gatewayMode(config, state, mode, options.gatewayUrl);
  };
  try {
    // Checked before the fence: a closed index found later would leave writes fenced for nothing.
    const indices =
      record.block === undefined ? await indicesToBlock(config, source) : Object.keys(record.block.previous);

    await run("gate", async () => {
      const verdict = readiness(state, config.validate.maxAgeMs);
      const paused = syncPaused(state);
      if (paused !== undefined) throw pausedError(paused.at, config.configPath ?? "FILE");
      const hold = viaGateway ? replayHold(state) : undefined;
      if (hold !== undefined) {
        throw new BluegreenError(
          "BG_VALIDATE_GATE",
          `Cutover is not allowed: replay is held (${hold.reason}) since ${hold.since}.`,
          {
            fix: "Let the backfill finish (it lifts the hold), validate, then cut over.",
          },
        );
      }
      if (!verdict.ok && options.force !== true) throw gateError(verdict);
      if (!verdict.ok) recordForcedGate(state, verdict);
      done("gate", { at: new Date().toISOString(), ...(verdict.ok ? {} : { forced: verdict.reason }) });
    });

    await run("fence", async () => {
      // Returns once every write started before it has finished: none is on its way to the source.
      await setMode("fenced");
      done("fence", { at: new Date().toISOString() });
    });

    await run("block", async () => {
      // A run that crashed while blocking recorded the values from before it; read again, the indices
      // it had blocked would say `true`, and rollback would then leave them blocked.
      const recorded = state.getCheckpoint<PreviousBlocks | null>(STEP, "blocking") ?? {};
      const unread = indices.filter((i) => !(i in recorded));
      const previous = config.cutover.writeBlockSource
        ? { ...(await readBlocks(source, unread)), ...recorded }
        : {};
      // Recorded before it is applied: a crash in between leaves rollback knowing what to restore.
      state.putCheckpoint(STEP, "blocking", previous);
      await setBlocks(source, Object.fromEntries(Object.keys(previous).map((i) => [i, true])));
      done("block", { at: new Date().toISOString(), previous });
    });

    await run("drain", async () => {
      // Whichever way sync runs (gateway replay or CCR): carry over what is left, then end it (CCR's
      // followers become writable here; the gateway's log keeps serving a rollback).
      const sync = openSync(config, state, logger);
      if (sync !== undefined) {
        try {
          await sync.drain(config.cutover.drainTimeoutMs, options.signal);
          await sync.stop();
        } finally {
          await sync.close();
        }
      }
      const counts: Record<string, number> = {};
      for (const index of indices) {
        const check = await checkCounts({ source, target, index, targetIndex: index, tolerance: 0 });
        if (!check.passed) {
          throw new BluegreenError("BG_CUTOVER_DRAIN", `After the drain, ${index}: ${check.summary}.`, {
            fix: "Clients are fenced and the source is blocked. Look at replay's dead letters (replay.deadLetterPath), fix the cause and run cutover again, or run bluegreen rollback.",
            details: { index },
          });
        }
        counts[index] = check.source ?? 0;
      }
      done("drain", { at: new Date().toISOString(), counts });
    });

    await run("finish", async () => {
      const tuned = state.getCheckpoint<Record<string, TunedSettings>>("prepare", TUNING_CHECKPOINT) ?? {};
      const restored = await restoreTuning(target, tuned, options.signal);
      const ismAttached = await attachIsmPolicies(source, target, indices, options.signal);
      done("finish", { at: new Date().toISOString(), restored, ismAttached });
    });

    await run("switch", async () => {
      const command = config.cutover.switchCommand;
      if (command !== undefined) await runSwitchCommand(command, config.target.urls[0] ?? "", options.signal);
      await setMode("target");
      const at = new Date();
      const fencedAt = Date.parse(record.fence?.at ?? at.toISOString());
      done("switch", { at: at.toISOString(), pauseMs: at.getTime() - fencedAt });
    });
    return { record, pauseMs: record.switch?.pauseMs ?? 0 };
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}
