import type { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { CheckpointRecord, StateStore, StepStatus } from "../state/index.ts";

/** The closed set of workflow steps, in the order a migration runs them. */
export const STEP_IDS = [
  "preflight",
  "prepare",
  "backfill",
  "sync",
  "validate",
  "cutover",
  "rollback",
  "decommission",
] as const;
export type StepId = (typeof STEP_IDS)[number];

export type { StepStatus };

export interface CheckpointReader {
  get<T = unknown>(key: string): T | undefined;
  list(): readonly CheckpointRecord[];
}

/** A step's private, durable scratch space: what it has done so far, so a re-run resumes there. */
export interface CheckpointWriter extends CheckpointReader {
  /** Durable once it returns. Must not hold secrets (the state layer refuses them). */
  put(key: string, value: unknown): void;
}

/** What `plan` may use: it reads, it never writes (no checkpoints, no events, no cluster changes). */
export interface PlanContext {
  readonly stepId: StepId;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly checkpoint: CheckpointReader;
}

export interface StepContext {
  readonly stepId: StepId;
  readonly logger: Logger;
  /** Aborted on Ctrl-C; long operations must pass it on and stop promptly. */
  readonly signal: AbortSignal;
  readonly checkpoint: CheckpointWriter;
  /** How many times this step has been started, across runs (1 on the first). */
  readonly attempt: number;
  /** Appends a step-scoped event (progress, decisions) to the audit log. */
  event(type: string, data?: unknown): void;
}

export interface PlanAction {
  readonly description: string;
  /** Deletes or blocks something; the CLI asks for confirmation before running such a step. */
  readonly destructive?: boolean;
}

export type StepPlan =
  | { readonly kind: "apply"; readonly summary: string; readonly actions: readonly PlanAction[] }
  | { readonly kind: "skip"; readonly reason: string };

export type StepResult =
  | { readonly kind: "done"; readonly summary?: unknown }
  | { readonly kind: "skipped"; readonly reason: string };

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string; readonly retryable: boolean };

/**
 * One step of the migration. `apply` must be idempotent and resumable: it may be re-run from the start
 * after a crash at any point, and should use its checkpoints to skip work already done. `verify` decides
 * whether the step's effect is really in place; a step is `done` only once verify says so.
 */
export interface Step {
  readonly id: StepId;
  readonly title: string;
  /**
   * Set on steps that change both clusters (cutover, decommission): what they do, in words. A run
   * asks `RunOptions.approve` before starting such a step (again after a crash: an approval belongs
   * to the process that got it) and stops there unless it is approved.
   */
  readonly approval?: string;
  plan(ctx: PlanContext): Promise<StepPlan>;
  apply(ctx: StepContext): Promise<StepResult>;
  verify(ctx: StepContext): Promise<VerifyResult>;
}

export interface RetryPolicy {
  /** Attempts per step within one run, including the first. */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export interface SelectOptions {
  /** Run just these steps (in workflow order). */
  readonly only?: readonly StepId[];
  /** Start at this step and re-run it and every later selected step, even if done. */
  readonly from?: StepId;
  /** Stop before this step: run only the selected steps before it. */
  readonly until?: StepId;
}

export type Approval =
  | { readonly approved: true; readonly by: string }
  | { readonly approved: false; readonly reason: string };

export interface RunOptions extends SelectOptions {
  readonly state: StateStore;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly retry?: RetryPolicy;
  /** Asked before each step with an `approval` that is not done; without it, such steps are not run. */
  readonly approve?: (step: Step) => Promise<Approval>;
}

export type StepOutcome =
  | "done"
  | "skipped"
  /** Done in an earlier run; not touched. */
  | "already-done"
  | "failed"
  | "cancelled"
  /** Not reached because an earlier step failed or the run was cancelled or stopped. */
  | "not-run";

export interface StepReport {
  readonly id: StepId;
  readonly outcome: StepOutcome;
  /** Attempts made in this run. */
  readonly attempts: number;
  readonly reason?: string;
  readonly summary?: unknown;
  readonly error?: BluegreenError;
}

export type WorkflowOutcome =
  | { readonly status: "completed"; readonly steps: readonly StepReport[] }
  | {
      readonly status: "failed";
      readonly failedStep: StepId;
      readonly error: BluegreenError;
      readonly steps: readonly StepReport[];
    }
  | {
      readonly status: "cancelled";
      readonly cancelledStep: StepId | undefined;
      readonly steps: readonly StepReport[];
    }
  | {
      /** Stopped on purpose before `stoppedBefore`: `--until`, or an approval not given. */
      readonly status: "stopped";
      readonly stoppedBefore: StepId;
      readonly reason: "until" | "approval";
      /** Why approval was not given (no --yes and no terminal, or declined). */
      readonly detail?: string;
      readonly steps: readonly StepReport[];
    };
