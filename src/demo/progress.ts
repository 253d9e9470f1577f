/**
 * Live progress while the workflow runs: the audit events the steps record in the state file, tailed
 * and told as lines (so the demo shows what `bluegreen status` and the report will show, not a story
 * of its own), and a heartbeat with the client load's counts when nothing else has been said lately.
 */
import type { EventRecord, StateStore } from "../state/index.ts";
import type { LoadCounts } from "./load.ts";

function data(event: EventRecord): Record<string, unknown> {
  return typeof event.data === "object" && event.data !== null ? (event.data as Record<string, unknown>) : {};
}

function seconds(ms: unknown): string {
  return typeof ms === "number" ? `${(ms / 1_000).toFixed(1)} s` : "?";
}

/** One line for the events worth a line; undefined for the rest (they are in the report's timeline). */
export function describeEvent(event: EventRecord): string | undefined {
  const d = data(event);
  const step = event.step ?? "";
  switch (event.type) {
    case "step.started":
      return `▶ ${step}`;
    case "step.finished":
      return `✓ ${step} done in ${seconds(d.durationMs)}`;
    case "step.skipped":
      return `✓ ${step} skipped: ${String(d.reason)}`;
    case "step.failed":
      return `✗ ${step} failed: ${String(d.code)}: ${String(d.message)}`;
    case "step.retry":
      return `  ${step}: ${String(d.message)}; retrying in ${seconds(d.delayMs)}`;
    case "step.approved":
      return `  ${step} approved (${String(d.by)})`;
    case "preflight.report":
      return `  ${String(d.source)} → ${String(d.target)}; ${Array.isArray(d.blockers) ? d.blockers.length : 0} blocker(s), ${Array.isArray(d.warnings) ? d.warnings.length : 0} warning(s)`;
    case "prepare.applied":
      return `  ${String(d.action)} ${String(d.kind)} ${String(d.name)}`;
    case "replay.backfill-mark":
      return "  capture log marked; replay held while the backfill copies";
    case "replay.release":
      return "  replay released: the writes logged since the mark reach the target";
    case "backfill.index":
      return `  copied ${String(d.index)}: ${String(d.docsDone)} document(s) by ${String(d.method)}`;
    case "sync.checked":
      return `  gateway ${String(d.gateway)} in mode ${String(d.mode)}; replay caught up`;
    case "validate.check":
      return d.passed === true ? undefined : `  ✗ ${String(d.kind)} ${String(d.index)}: ${String(d.summary)}`;
    case "validate.passed":
      return `  validation passed: ${String(d.checks)} check(s), mode ${String(d.mode)}`;
    case "validate.failed":
      return `  validation failed: ${Array.isArray(d.failed) ? d.failed.join(", ") : ""}`;
    case "gateway.mode":
      return `  gateway mode ${String(d.from)} → ${String(d.to)}`;
    case "cutover.switch":
      return `  cutover switch: clients now write to the target; write pause ${seconds(d.pauseMs)}`;
    case "decommission.report":
      return `  report written: ${String(d.markdown)}`;
    default:
      if (event.type.startsWith("cutover.") || event.type.startsWith("decommission."))
        return `  ${event.type.replace(".", " ")}: done`;
      return undefined;
  }
}

export interface ProgressOptions {
  readonly state: StateStore;
  readonly say: (line: string) => void;
  readonly load: () => LoadCounts;
  /** Quiet this long before a heartbeat line. */
  readonly heartbeatMs?: number;
}

export function loadLine(counts: LoadCounts): string {
  return `client writes: ${counts.ok} answered 2xx, ${counts.unavailable} answered 503, ${counts.failed} failed`;
}

/** Tails the state file's events from now on; `stop` prints what is left. */
export function tailProgress(options: ProgressOptions): { stop(): void } {
  const { state, say } = options;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  let seq = state.readEvents({ afterSeq: 0, limit: 1_000_000 }).at(-1)?.seq ?? 0;
  let step: string | undefined;
  let stepStarted = Date.now();
  let spoke = Date.now();
  const poll = () => {
    for (const event of state.readEvents({ afterSeq: seq })) {
      seq = event.seq;
      if (event.type === "step.started") {
        step = event.step;
        stepStarted = Date.now();
      }
      const line = describeEvent(event);
      if (line === undefined) continue;
      say(line);
      spoke = Date.now();
    }
    if (Date.now() - spoke >= heartbeatMs) {
      const running =
        step === undefined ? "" : `${step} running for ${Math.round((Date.now() - stepStarted) / 1_000)} s; `;
      say(`  … ${running}${loadLine(options.load())}`);
      spoke = Date.now();
    }
  };
  const timer = setInterval(poll, 500);
  return {
    stop() {
      clearInterval(timer);
      poll();
    },
  };
}
