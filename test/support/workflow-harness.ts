/**
 * Shared fixtures for the workflow engine's tests: a fresh state file per test and fakes of our own Step
 * interface that record what the engine asked of them. Exported bindings are live, so tests see the
 * state reopened by `resetHarness`/`reopenState`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../../src/log/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import {
  type RunOptions,
  runWorkflow,
  type Step,
  type StepContext,
  type StepId,
  type StepResult,
  type VerifyResult,
} from "../../src/workflow/index.ts";

export const logger = createLogger({ level: "silent" });
export const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
export let file: string;
export let state: StateStore;
export const calls: string[] = [];

export function resetHarness(): void {
  file = join(mkdtempSync(join(tmpdir(), "bg-workflow-")), "state.db");
  state = openState(file, { migrationName: "wf", fingerprint: "f" });
  calls.length = 0;
}

/** Reopens the same state file, as a new process would after a crash. */
export function reopenState(): StateStore {
  state = openState(file, { migrationName: "wf", fingerprint: "f" });
  return state;
}

export interface Behaviour {
  apply?: (ctx: StepContext) => Promise<StepResult>;
  verify?: (ctx: StepContext) => Promise<VerifyResult>;
}

export function step(id: StepId, behaviour: Behaviour = {}): Step {
  return {
    id,
    title: `The ${id} step`,
    plan: async () => ({ kind: "apply", summary: id, actions: [] }),
    apply: async (ctx) => {
      calls.push(`apply ${id}#${ctx.attempt}`);
      return behaviour.apply === undefined ? { kind: "done", summary: { id } } : behaviour.apply(ctx);
    },
    verify: async (ctx) => {
      calls.push(`verify ${id}`);
      return behaviour.verify === undefined ? { ok: true } : behaviour.verify(ctx);
    },
  };
}

export function run(steps: readonly Step[], options: Partial<RunOptions> = {}) {
  return runWorkflow(steps, { state, logger, retry: FAST_RETRY, ...options });
}

export function statuses() {
  return Object.fromEntries(state.listSteps().map((s) => [s.id, s.status]));
}

export function eventTypes(stepId?: StepId) {
  return state.readEvents(stepId === undefined ? {} : { step: stepId }).map((e) => e.type);
}
