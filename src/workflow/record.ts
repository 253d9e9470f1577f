import { toBluegreenError } from "../errors/index.ts";
import { type Attempt, cancel, fail, finish, start, stepContext } from "./transitions.ts";
import type { Step, StepContext, StepResult } from "./types.ts";

export interface ByHand<T> {
  readonly value: T;
  /** The step's result, or undefined when the command did only part of the step (`backfill --index`). */
  readonly result: StepResult | undefined;
}

/**
 * Runs a step's work through its own command and records it in the state file as `bluegreen run`
 * would (running → done, failed, or pending on Ctrl-C), so `status` and `run` agree with what was done
 * by hand: a step done this way is not done again by `run`. `options.via` names the command.
 *
 * A partial run (`result` undefined) leaves the step as it was before: done stays done, anything else
 * goes back to pending.
 */
export async function recordStepRun<T>(
  step: Pick<Step, "id" | "title">,
  options: Attempt & { readonly via: string },
  work: (ctx: StepContext) => Promise<ByHand<T>>,
): Promise<T> {
  const { state } = options;
  const before = state.getStep(step.id);
  const started = performance.now();
  const attempt = start(step, options);
  let outcome: ByHand<T>;
  try {
    outcome = await work(stepContext(step.id, attempt, options));
  } catch (thrown) {
    if (options.signal.aborted) cancel(step.id, 1, options);
    else fail(step, toBluegreenError(thrown), { attempts: 1, attempt }, options);
    throw thrown;
  }
  const durationMs = Math.round(performance.now() - started);
  if (outcome.result !== undefined) {
    finish(step, outcome.result, { attempts: 1, durationMs, attempt }, options);
  } else {
    state.transaction(() => {
      if (before?.status === "done") state.setStepStatus(step.id, "done", { summary: before.summary });
      else state.setStepStatus(step.id, "pending");
      state.appendEvent({
        step: step.id,
        type: "step.partial",
        data: { attempt, durationMs, via: options.via },
      });
    });
  }
  return outcome.value;
}
