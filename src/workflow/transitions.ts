/**
 * The state transitions of one step attempt, shared by the workflow (`bluegreen run`) and by the
 * step commands run by hand (`prepare --apply`, `backfill`, `clusters check`), so the state file
 * reads the same whichever way the work was done.
 */
import type { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import type { Step, StepContext, StepId, StepReport, StepResult } from "./types.ts";

export interface Attempt {
  readonly state: StateStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The command that did the work by hand (e.g. `prepare --apply`); absent under `bluegreen run`. */
  readonly via?: string;
}

type Titled = Pick<Step, "id" | "title">;

function via(attempt: Attempt): { via?: string } {
  return attempt.via === undefined ? {} : { via: attempt.via };
}

/** Marks the step running (counting an attempt) and returns its attempt number. */
export function start(step: Titled, run: Attempt): number {
  const record = run.state.transaction(() => {
    const record = run.state.setStepStatus(step.id, "running");
    run.state.appendEvent({
      step: step.id,
      type: "step.started",
      data: { attempt: record.attempt, ...via(run) },
    });
    return record;
  });
  run.logger.info({ attempt: record.attempt }, `${step.title}: started`);
  return record.attempt;
}

export function fail(
  step: Titled,
  error: BluegreenError,
  facts: { attempts: number; attempt: number },
  run: Attempt,
) {
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
        ...via(run),
      },
    });
  });
  run.logger.error({ code: error.code, attempt: facts.attempt }, `${step.title}: ${error.message}`);
  return { id: step.id, outcome: "failed", attempts: facts.attempts, error } satisfies StepReport;
}

export function finish(
  step: Titled,
  result: StepResult,
  facts: { attempts: number; durationMs: number; attempt: number },
  run: Attempt,
): StepReport {
  const { state, logger } = run;
  if (result.kind === "skipped") {
    state.transaction(() => {
      state.setStepStatus(step.id, "skipped", { summary: { reason: result.reason } });
      state.appendEvent({
        step: step.id,
        type: "step.skipped",
        data: { attempt: facts.attempt, reason: result.reason, ...via(run) },
      });
    });
    logger.info(`${step.title}: skipped (${result.reason})`);
    return { id: step.id, outcome: "skipped", attempts: facts.attempts, reason: result.reason };
  }
  const summary =
    run.via === undefined ? result.summary : { ...(asObject(result.summary) ?? {}), via: run.via };
  state.transaction(() => {
    state.setStepStatus(step.id, "done", { summary });
    state.appendEvent({
      step: step.id,
      type: "step.finished",
      data: { attempt: facts.attempt, durationMs: facts.durationMs, ...via(run) },
    });
  });
  logger.info({ durationMs: facts.durationMs }, `${step.title}: done`);
  return { id: step.id, outcome: "done", attempts: facts.attempts, summary: result.summary };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * Ctrl-C is not a failure: the step goes back to `pending` (its checkpoints stay) so `status` does not
 * claim it is still running, and the next run resumes it.
 */
export function cancel(id: StepId, attempts: number, run: Attempt): StepReport {
  run.state.transaction(() => {
    run.state.setStepStatus(id, "pending");
    run.state.appendEvent({
      step: id,
      type: "step.cancelled",
      ...(run.via === undefined ? {} : { data: via(run) }),
    });
  });
  run.logger.warn("cancelled");
  return { id, outcome: "cancelled", attempts };
}

export function stepContext(stepId: StepId, attempt: number, run: Attempt): StepContext {
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
