import type { Command } from "commander";
import { backfillProgress, type IndexProgressRecord } from "../../backfill/index.ts";
import { type LogPosition, lag, openFileLogReader } from "../../capture/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { CUTOVER_PARTS, cutoverRecord } from "../../cutover/index.ts";
import { DECOMMISSION_PARTS, decommissionRecord } from "../../decommission/index.ts";
import {
  askGateway,
  describeGateway,
  describeLog,
  type RecordedGateway,
  recordedGateways,
  sharedModeStatus,
  stateModeStore,
} from "../../gateway/index.ts";
import { createLogger } from "../../log/index.ts";
import { replayPosition, replayWait } from "../../replay/index.ts";
import { table, toJson } from "../../report/index.ts";
import { openMigrationState, type StateStore } from "../../state/index.ts";
import { type SyncStatusReport, syncMethodOf, syncStatus } from "../../sync/index.ts";
import { lastValidation, readiness } from "../../validate/index.ts";
import { type Step, type WorkflowStatus, workflowStatus } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { migrationSteps } from "./run.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";
import { renderSync } from "./sync.ts";

/** A running gateway answers at once; status must not hang on one that does not. */
const ASK_TIMEOUT_MS = 3_000;

export interface GatewayStatus {
  /** Whether this migration uses the gateway at all (sync.method gateway, or a gateway ran). */
  readonly used: boolean;
  readonly running: boolean;
  readonly mode: string;
  /**
   * Where the mode comes from: the running gateway; the state file (what a restart resumes in); or
   * the default of a first start, `capture` (a mode is stored only once switched).
   */
  readonly modeFrom: "gateway" | "state" | "default" | "shared";
  /** With gateway.shared: the control topic, and the gateways heard from within memberTimeout. */
  readonly shared?: { readonly topic: string; readonly epoch: number; readonly live: number };
  readonly process: RecordedGateway | undefined;
  readonly log: string;
  /** Recorded gateways whose process is gone (stopped by kill -9). */
  readonly stale: number;
}

export interface ReplayStatusReport {
  readonly position: LogPosition | undefined;
  readonly lagRecords: number | undefined;
  readonly waiting: string | undefined;
  readonly hold: "none" | "held" | "stuck";
}

/** The readiness gate cutover checks: the last validation, its age against validate.maxAge. */
export interface GateStatus {
  readonly open: boolean;
  readonly reason: string | undefined;
  readonly lastValidation:
    | { readonly passed: boolean; readonly finishedAt: string; readonly ageMs: number }
    | undefined;
  readonly maxAgeMs: number;
}

export interface CutoverStatus {
  readonly partsDone: readonly string[];
  readonly switchedAt: string | undefined;
  /** The write pause (fence to switch), once measured. */
  readonly pauseMs: number | undefined;
  readonly decommissionDone: readonly string[];
}

export interface MigrationStatus extends WorkflowStatus {
  /** Step 3: the method (auto as decided), paused or not, CCR lag per index. */
  readonly sync: SyncStatusReport;
  readonly gateway: GatewayStatus;
  readonly replay: ReplayStatusReport;
  readonly backfill: readonly IndexProgressRecord[];
  readonly gate: GateStatus;
  readonly cutover: CutoverStatus;
}

function gateStatus(config: MigrationConfig, state: StateStore): GateStatus {
  const verdict = readiness(state, config.validate.maxAgeMs);
  const last = lastValidation(state);
  return {
    open: verdict.ok,
    reason: verdict.ok ? undefined : verdict.reason,
    lastValidation:
      last === undefined
        ? undefined
        : {
            passed: last.passed,
            finishedAt: last.finishedAt,
            ageMs: Date.now() - Date.parse(last.finishedAt),
          },
    maxAgeMs: config.validate.maxAgeMs,
  };
}

function cutoverStatus(state: StateStore): CutoverStatus {
  const record = cutoverRecord(state);
  return {
    partsDone: CUTOVER_PARTS.filter((p) => record[p] !== undefined),
    switchedAt: record.switch?.at,
    pauseMs: record.switch?.pauseMs,
    decommissionDone: DECOMMISSION_PARTS.filter((p) => decommissionRecord(state)[p] !== undefined),
  };
}

/** The run's steps, and rollback too once it was run (it is no step of `run`). */
function statusSteps(config: MigrationConfig, state: StateStore) {
  const steps: Pick<Step, "id" | "title">[] = migrationSteps(config);
  if (state.getStep("rollback") === undefined) return steps;
  const at = steps.findIndex((s) => s.id === "decommission");
  return [...steps.slice(0, at), { id: "rollback" as const, title: "Rollback" }, ...steps.slice(at)];
}

async function gatewayStatus(config: MigrationConfig, state: StateStore) {
  const all = recordedGateways(state);
  const live = all.filter((g) => g.alive !== false);
  const asked =
    live.length === 0 && config.gateway.listen === undefined
      ? undefined
      : await askGateway(config, state, "/_bluegreen/mode", undefined, ASK_TIMEOUT_MS).catch(() => undefined);
  const answered = asked?.answer;
  const stored = stateModeStore(state).load();
  const end =
    answered === undefined
      ? await readEnd(config)
      : await askGateway(config, state, "/_bluegreen/log-end", undefined, ASK_TIMEOUT_MS)
          .then((a) => a.answer?.end as LogPosition | undefined)
          .catch(() => undefined);
  // Shared: the mode is the control topic's (every gateway's), not any one gateway's or state file's.
  const shared =
    config.gateway.shared === undefined ? undefined : await sharedModeStatus(config).catch(() => undefined);
  const liveShared = shared?.members.filter((m) => m.live).length ?? 0;
  const running = answered !== undefined || live.length > 0 || liveShared > 0;
  const gateway: GatewayStatus = {
    used: running || all.length > 0 || stored !== undefined || syncMethodOf(config, state) === "gateway",
    running,
    mode: typeof answered?.mode === "string" ? answered.mode : (stored ?? "capture"),
    modeFrom: answered !== undefined ? "gateway" : stored === undefined ? "default" : "state",
    ...(shared === undefined
      ? {}
      : {
          mode: shared.mode,
          modeFrom: "shared" as const,
          shared: { topic: shared.shared, epoch: shared.epoch, live: liveShared },
        }),
    process: live[0],
    log: describeLog(config),
    stale: all.length - live.length,
  };
  return { gateway, end };
}

/** A file log's durable end, read without its lock; a Kafka log's end only through its gateway. */
async function readEnd(config: MigrationConfig): Promise<LogPosition | undefined> {
  if (config.gateway.log.kind !== "file") return undefined;
  try {
    const reader = await openFileLogReader({ dir: config.gateway.log.dir });
    try {
      return await reader.end();
    } finally {
      await reader.close();
    }
  } catch {
    return undefined;
  }
}

function replayStatus(
  config: MigrationConfig,
  state: StateStore,
  end: LogPosition | undefined,
  file: string,
): ReplayStatusReport {
  const position = replayPosition(state);
  const marked = syncMethodOf(config, state) !== "gateway" || position !== undefined;
  const wait = replayWait(state, marked, `bluegreen backfill -c ${file}`);
  return {
    position,
    // Before the backfill's mark, replay has no start yet: writes before the mark are the copy's.
    lagRecords: end === undefined || !marked ? undefined : lag(position ?? {}, end),
    waiting: wait?.message,
    hold: wait === undefined ? "none" : wait.liftable === false ? "stuck" : "held",
  };
}

export async function migrationStatus(
  config: MigrationConfig,
  state: StateStore,
  file: string,
): Promise<MigrationStatus> {
  const { gateway, end } = await gatewayStatus(config, state);
  const workflow = workflowStatus(state, statusSteps(config, state));
  // Rollback is run by hand when needed: it is never where the next run starts.
  const next = workflow.steps.find(
    (s) => s.id !== "rollback" && s.status !== "done" && s.status !== "skipped",
  );
  const logger = createLogger({ level: "silent" });
  return {
    ...workflow,
    next: next?.id,
    sync: await syncStatus(config, state, logger, { gatewayLag: false }),
    gateway,
    replay: replayStatus(config, state, end, file),
    backfill: backfillProgress(state),
    gate: gateStatus(config, state),
    cutover: cutoverStatus(state),
  };
}

/** `applied 3, identical 10 (by prepare --apply)` from a step's stored summary. */
function note(summary: unknown): string | undefined {
  if (typeof summary !== "object" || summary === null) return undefined;
  const { via, ...facts } = summary as Record<string, unknown>;
  const text = Object.entries(facts)
    .filter(([, v]) => typeof v === "number" || typeof v === "string")
    .map(([k, v]) => `${k} ${String(v)}`)
    .join(", ");
  const by = typeof via === "string" ? `by ${via}` : "";
  return [text, by].filter((t) => t !== "").join(" · ") || undefined;
}

export function renderStatus(status: MigrationStatus): string {
  const lines = [
    table(
      ["step", "status", "attempt", "finished", "note"],
      status.steps.map((s) => [
        s.id,
        s.status,
        s.attempt,
        s.finishedAt,
        s.error === undefined ? note(s.summary) : `${s.error.code}: ${s.error.message}`,
      ]),
    ),
    status.next === undefined ? "all steps done" : `next: ${status.next}`,
    "",
    renderGate(status.gate),
    renderCutover(status.cutover),
    renderSync(status.sync),
  ];
  const g = status.gateway;
  if (!g.used && status.replay.position === undefined) {
    lines.push("gateway and replay: not used (sync is not the gateway, and no gateway has run)");
    return appendBackfill(lines, status);
  }
  if (g.shared !== undefined) {
    lines.push(
      `gateway: ${g.shared.live} live gateway(s) sharing mode ${g.mode} (epoch ${g.shared.epoch} on ${g.shared.topic}), ${g.log}`,
    );
    return appendReplay(lines, status);
  }
  const stale = g.stale > 0 ? ` (${g.stale} stale record(s) of gateways that did not stop cleanly)` : "";
  lines.push(
    g.running
      ? `gateway: running${g.process === undefined ? "" : ` (${describeGateway(g.process)})`}, mode ${g.mode}${g.modeFrom === "gateway" ? "" : " (as stored; the gateway did not answer)"}, ${g.log}`
      : `gateway: not running (it starts in mode ${g.mode}), ${g.log}${stale}`,
  );
  return appendReplay(lines, status);
}

function appendReplay(lines: string[], status: MigrationStatus): string {
  const r = status.replay;
  const behind = r.lagRecords === undefined ? "lag unknown" : `${r.lagRecords} record(s) behind`;
  lines.push(
    `replay: ${behind}; position ${r.position === undefined ? "none yet" : JSON.stringify(r.position)}; ${r.waiting === undefined ? "not held" : r.waiting}`,
  );
  return appendBackfill(lines, status);
}

function minutes(ms: number): string {
  return ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`;
}

function renderGate(g: GateStatus): string {
  const v = g.lastValidation;
  const last =
    v === undefined
      ? "no finished validation"
      : `last validation ${v.passed ? "passed" : "FAILED"} ${minutes(v.ageMs)} ago (${v.finishedAt}; validate.maxAge ${minutes(g.maxAgeMs)})`;
  return `gate: ${g.open ? "open" : "closed"}: ${last}${g.open || v === undefined ? "" : `; ${g.reason}`}`;
}

function renderCutover(c: CutoverStatus): string {
  if (c.partsDone.length === 0) return "cutover: not started";
  const cut =
    c.switchedAt === undefined
      ? `cutover: stopped after ${c.partsDone.join(", ")} (before the switch)`
      : `cutover: switched at ${c.switchedAt}; write pause ${((c.pauseMs ?? 0) / 1000).toFixed(2)} s`;
  return c.decommissionDone.length === 0
    ? cut
    : `${cut}\ndecommission: done ${c.decommissionDone.join(", ")}`;
}

function appendBackfill(lines: string[], status: MigrationStatus): string {
  if (status.backfill.length > 0) {
    lines.push(
      "",
      table(
        ["index", "target", "method", "phase", "docs", "updated"],
        status.backfill.map((b) => [
          b.index,
          b.targetIndex,
          b.method,
          b.phase,
          `${b.docsDone}/${b.docsTotal}`,
          b.updatedAt,
        ]),
      ),
    );
  }
  return lines.join("\n");
}

export function registerStatus(program: Command, io: Output = consoleOutput): void {
  program
    .command("status")
    .description(COMMAND_SUMMARIES.status.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--json", "print as JSON", false)
    .action(async (opts: { config: string; json: boolean }) => {
      const config = await loadConfig(opts.config);
      const state = openMigrationState(config);
      try {
        const status = await migrationStatus(config, state, opts.config);
        io.out(opts.json ? toJson(status) : renderStatus(status));
      } finally {
        state.close();
      }
    });
}
