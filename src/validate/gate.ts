/**
 * The readiness gate: the last validation, stored in the state file, is what cutover trusts. A run
 * clears it when it starts, so a crash mid-validation can never leave an earlier pass standing for
 * data that may have changed since; only a run that finished stores its report.
 */
import { BluegreenError } from "../errors/index.ts";
import type { StateStore } from "../state/index.ts";
import type { ValidationReport } from "./report.ts";

const STEP = "validate";
const LAST = "last";

export function startValidation(state: StateStore): void {
  state.transaction(() => {
    state.putCheckpoint(STEP, LAST, null);
    state.appendEvent({ step: STEP, type: "validate.started" });
  });
}

export function recordValidation(state: StateStore, report: ValidationReport): void {
  const failed = report.checks.filter((c) => !c.passed).map((c) => `${c.kind} ${c.index}`);
  state.transaction(() => {
    state.putCheckpoint(STEP, LAST, report);
    state.appendEvent({
      step: STEP,
      type: report.passed ? "validate.passed" : "validate.failed",
      data: { mode: report.mode, checks: report.checks.length, failed, sync: report.sync },
    });
  });
}

export function lastValidation(state: StateStore): ValidationReport | undefined {
  return state.getCheckpoint<ValidationReport | null>(STEP, LAST) ?? undefined;
}

export type GateVerdict =
  | { readonly ok: true; readonly report: ValidationReport; readonly ageMs: number }
  | { readonly ok: false; readonly reason: string; readonly report?: ValidationReport };

/** Whether cutover may start: the last validation passed and finished less than `maxAgeMs` ago. */
export function readiness(state: StateStore, maxAgeMs: number, now: Date = new Date()): GateVerdict {
  const report = lastValidation(state);
  if (report === undefined) {
    return {
      ok: false,
      reason: "no finished validation is recorded (none ran, or the last one did not finish)",
    };
  }
  if (!report.passed) {
    const failed = report.checks.filter((c) => !c.passed).map((c) => `${c.kind} ${c.index}: ${c.summary}`);
    return { ok: false, report, reason: `the last validation failed (${failed.join("; ")})` };
  }
  const ageMs = now.getTime() - Date.parse(report.finishedAt);
  if (ageMs > maxAgeMs) {
    return {
      ok: false,
      report,
      reason: `the last validation passed at ${report.finishedAt}, ${Math.round(ageMs / 60_000)} min ago, older than validate.maxAge (${Math.round(maxAgeMs / 60_000)} min)`,
    };
  }
  return { ok: true, report, ageMs };
}

export function gateError(verdict: Extract<GateVerdict, { ok: false }>): BluegreenError {
  return new BluegreenError("BG_VALIDATE_GATE", `Cutover is not allowed: ${verdict.reason}.`, {
    fix: "Run bluegreen validate -c FILE until it passes, then cut over; --force overrides the gate and is recorded in the state file.",
    details: { reason: verdict.reason },
  });
}

/** An override of a closed gate is an operator's decision: recorded, with what it overrode. */
export function recordForcedGate(state: StateStore, verdict: Extract<GateVerdict, { ok: false }>): void {
  state.appendEvent({ step: STEP, type: "validate.gate-forced", data: { reason: verdict.reason } });
}

export function validateFailed(report: ValidationReport): BluegreenError {
  const failed = report.checks.filter((c) => !c.passed);
  return new BluegreenError(
    "BG_VALIDATE_FAILED",
    `Validation failed: ${failed.map((c) => `${c.kind} ${c.index}`).join(", ")}.`,
    {
      fix: "Look at the differences listed above (and in the differences file); fix their cause (run bluegreen prepare for metadata drift, let sync catch up, or backfill the index again), then validate again.",
      details: { failed: failed.length },
    },
  );
}
