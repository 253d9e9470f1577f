import { setTimeout as sleep } from "node:timers/promises";
import { BluegreenError, toBluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import { selectSteps } from "./select.ts";
import type {
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
    const record = state.transaction(() => {
      const record = state.setStepStatus(step.id, "running");
      state.appendEvent({ step: step.id, type: "step.started", data: { attempt: record.attempt } });
      return record;
    });
    logger.info({ attempt: record.attempt }, `${step.title}: started`);
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

function fail(step: Step, error: BluegreenError, facts: { attempts: number; attempt: number }, run: StepRun) {
  run.state.transaction(() => {
    run.state.setStepStatus(step.id, "failed", { error: { code: error.code, message: error.message } });
    run.state.appendEvent({
      step: step.id,
      type: "step.failed",
      data: {
        attempt: facts.attempt,
        code: error.code,
        message: error.message,
        retryable: error.retryable,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
      },
    });
  });
  run.logger.error({ code: error.code, attempt: facts.attempt }, `${step.title}: ${error.message}`);
  return { id: step.id, outcome: "failed", attempts: facts.attempts, error } satisfies StepReport;
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

function finish(
  step: Step,
  result: StepResult,
  facts: { attempts: number; durationMs: number; attempt: number },
  run: StepRun,
): StepReport {
  const { state, logger } = run;
  if (result.kind === "skipped") {
    state.transaction(() => {
      state.setStepStatus(step.id, "skipped", { summary: { reason: result.reason } });
      state.appendEvent({
        step: step.id,
        type: "step.skipped",
        data: { attempt: facts.attempt, reason: result.reason },
      });
    });
    logger.info(`${step.title}: skipped (${result.reason})`);
    return { id: step.id, outcome: "skipped", attempts: facts.attempts, reason: result.reason };
  }
  state.transaction(() => {
    state.setStepStatus(step.id, "done", { summary: result.summary });
    state.appendEvent({
      step: step.id,
      type: "step.finished",
      data: { attempt: facts.attempt, durationMs: facts.durationMs },
    });
  });
  logger.info({ durationMs: facts.durationMs }, `${step.title}: done`);
  return { id: step.id, outcome: "done", attempts: facts.attempts, summary: result.summary };
}

/**
 * Ctrl-C is not a failure: the step goes back to `pending` (its checkpoints stay) so `status` does not
 * claim it is still running, and the next run resumes it.
 */
function cancel(id: StepId, attempts: number, run: StepRun): StepReport {
  run.state.transaction(() => {
    run.state.setStepStatus(id, "pending");
    run.state.appendEvent({ step: id, type: "step.cancelled" });
  });
  run.logger.warn("cancelled");
  return { id, outcome: "cancelled", attempts };
}

function stepContext(stepId: StepId, attempt: number, run: StepRun): StepContext {
  const { state, logger, signal } = run;
  return {
    stepId,
    attempt,
    logger,
    signal,
    checkpoint: {
      get: <T>(key: string) => state.getCheckpoint<T>(stepId, key),
      list: () => state.listCheckpoints(stepId),
      put: (key, value) => state.putCheckpoint(stepId, key, value),
    },
    event: (type, data) => {
      state.appendEvent({ step: stepId, type, data });
    },
  };
}
