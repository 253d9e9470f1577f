import { setTimeout as sleep } from "node:timers/promises";
import { BluegreenError, toBluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import { selectSteps } from "./select.ts";
import { cancel, fail, finish, start, stepContext } from "./transitions.ts";
import type {
  Approval,
  RetryPolicy,
  RunOptions,
  Step,
  StepContext,
  StepId,
  StepReport,
  StepResult,
  WorkflowOutcome,
} from "./types.ts";

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, initialDelayMs: 1_000, maxDelayMs: 30_000 };

/**
 * Runs the steps in order and records every transition in the state file, so the next run resumes
 * where this one stopped, whatever stopped it.
 *
 * - `done` steps are not re-applied, and not re-verified either: verify already passed when they were
 *   marked done, each later step checks its own preconditions, and `validate` exists to catch drift.
 *   Re-verifying everything would make every run slow and fail on drift unrelated to what it does.
 *   `from` is the explicit way to redo a step.
 * - `skipped` steps are re-evaluated each run: skipping is a decision taken from the config, which may
 *   have changed since.
 * - A step found `running` was interrupted (crash, kill -9, power cut); it is re-applied, which is safe
 *   because apply is idempotent and resumes from its checkpoints.
 * - Retryable errors (and retryable verify failures) are retried with exponential backoff; anything else
 *   marks the step `failed` and stops the run. A failed step is retried by the next run.
 */
export async function runWorkflow(steps: readonly Step[], options: RunOptions): Promise<WorkflowOutcome> {
  const { state, logger } = options;
  const signal = options.signal ?? new AbortController().signal;
  const retry = options.retry ?? DEFAULT_RETRY;
  const selection = selectSteps(steps, options);
  resetForced(state, selection.forced);

  const reports: StepReport[] = [];
  const notRun = (from: number) =>
    selection.steps.slice(from).map((s): StepReport => ({ id: s.id, outcome: "not-run", attempts: 0 }));

  for (const [index, step] of selection.steps.entries()) {
    if (signal.aborted) {
      return { status: "cancelled", cancelledStep: undefined, steps: [...reports, ...notRun(index)] };
    }
    if (step.id === options.until) {
      return {
        status: "stopped",
        stoppedBefore: step.id,
        reason: "until",
        steps: [...reports, ...notRun(index)],
      };
    }
    if (step.approval !== undefined && state.getStep(step.id)?.status !== "done") {
      const answer: Approval = (await options.approve?.(step)) ?? {
        approved: false,
        reason: "nothing was asked to approve it",
      };
      state.appendEvent({
        step: step.id,
        type: answer.approved ? "step.approved" : "step.not-approved",
        data: answer.approved ? { by: answer.by } : { reason: answer.reason },
      });
      if (!answer.approved) {
        return {
          status: "stopped",
          stoppedBefore: step.id,
          reason: "approval",
          detail: answer.reason,
          steps: [...reports, ...notRun(index)],
        };
      }
    }
    const report = await runStep(step, { state, logger: logger.child({ step: step.id }), signal, retry });
    reports.push(report);
    if (report.outcome === "failed" && report.error !== undefined) {
      return {
        status: "failed",
        failedStep: step.id,
        error: report.error,
        steps: [...reports, ...notRun(index + 1)],
      };
    }
    if (report.outcome === "cancelled") {
      return { status: "cancelled", cancelledStep: step.id, steps: [...reports, ...notRun(index + 1)] };
    }
  }
  return { status: "completed", steps: reports };
}

function resetForced(state: StateStore, forced: ReadonlySet<StepId>): void {
  if (forced.size === 0) return;
  state.transaction(() => {
    for (const id of forced) {
      const previous = state.getStep(id);
      if (previous === undefined) continue;
      state.setStepStatus(id, "pending");
      state.clearCheckpoints(id);
      state.appendEvent({ step: id, type: "step.reset", data: { previousStatus: previous.status } });
    }
  });
}

interface StepRun {
  readonly state: StateStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly retry: RetryPolicy;
}

async function runStep(step: Step, run: StepRun): Promise<StepReport> {
  const { state, logger, signal, retry } = run;
  const previous = state.getStep(step.id);
  if (previous?.status === "done") {
    logger.debug("already done");
    return { id: step.id, outcome: "already-done", attempts: 0, summary: previous.summary };
  }
  if (previous?.status === "running") {
    logger.warn({ attempt: previous.attempt }, "step was interrupted in an earlier run; resuming");
    state.appendEvent({ step: step.id, type: "step.interrupted", data: { attempt: previous.attempt } });
  }

  for (let attempts = 1; ; attempts++) {
    const started = performance.now();
    const record = { attempt: start(step, run) };
    const ctx = stepContext(step.id, record.attempt, run);
    let result: StepResult;
    try {
      result = await applyAndVerify(step, ctx);
    } catch (thrown) {
      if (signal.aborted) return cancel(step.id, attempts, run);
      const error = toBluegreenError(thrown);
      if (error.retryable && attempts < retry.maxAttempts) {
        const delayMs = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempts - 1));
        logger.warn(
          { code: error.code, attempt: record.attempt, delayMs },
          `${step.title}: ${error.message}; retrying`,
        );
        state.appendEvent({
          step: step.id,
          type: "step.retry",
          data: { attempt: record.attempt, code: error.code, message: error.message, delayMs },
        });
        try {
          await sleep(delayMs, undefined, { signal });
        } catch {
          return cancel(step.id, attempts, run);
        }
        continue;
      }
      return fail(step, error, { attempts, attempt: record.attempt }, run);
    }
    // Outside the try: a failure to record success is a state problem, not a step failure to retry.
    const durationMs = Math.round(performance.now() - started);
    return finish(step, result, { attempts, durationMs, attempt: record.attempt }, run);
  }
}

async function applyAndVerify(step: Step, ctx: StepContext): Promise<StepResult> {
  const result = await step.apply(ctx);
  if (result.kind === "skipped") return result;
  const verdict = await step.verify(ctx);
  if (!verdict.ok) {
    throw new BluegreenError("BG_STEP_FAILED", `${step.title}: verification failed: ${verdict.reason}`, {
      retryable: verdict.retryable,
      fix: verdict.retryable
        ? "It may settle on its own; run again later."
        : "Look at the reason above, fix the cause, then run again.",
      details: { step: step.id },
    });
  }
  return result;
}
