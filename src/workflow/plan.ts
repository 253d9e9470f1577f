import type { Logger } from "../log/index.ts";
import type { MigrationRecord, StateStore, StepRecord, StepStatus } from "../state/index.ts";
import { selectSteps } from "./select.ts";
import { type SelectOptions, STEP_IDS, type Step, type StepId, type StepPlan } from "./types.ts";

export interface PlanOptions extends SelectOptions {
  readonly state: StateStore;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
}

export interface StepPlanReport {
  readonly id: StepId;
  readonly title: string;
  /** Persisted status now (before the run this plan describes). */
  readonly status: StepStatus;
  readonly plan: StepPlan;
}

/**
 * What `runWorkflow` with the same options would do, step by step, without side effects: steps it would
 * leave alone are reported as skips without calling their `plan`; steps `from` would redo are planned
 * as if their checkpoints were already cleared.
 */
export async function planWorkflow(steps: readonly Step[], options: PlanOptions): Promise<StepPlanReport[]> {
  const { state, logger } = options;
  const signal = options.signal ?? new AbortController().signal;
  const selection = selectSteps(steps, options);
  const reports: StepPlanReport[] = [];
  for (const step of selection.steps) {
    const record = state.getStep(step.id);
    const status = record?.status ?? "pending";
    const forced = selection.forced.has(step.id);
    if (status === "done" && !forced) {
      const reason = `already done${record?.finishedAt === undefined ? "" : ` (finished ${record.finishedAt})`}`;
      reports.push({ id: step.id, title: step.title, status, plan: { kind: "skip", reason } });
      continue;
    }
    const plan = await step.plan({
      stepId: step.id,
      logger: logger.child({ step: step.id }),
      signal,
      checkpoint: {
        get: <T>(key: string) => (forced ? undefined : state.getCheckpoint<T>(step.id, key)),
        list: () => (forced ? [] : state.listCheckpoints(step.id)),
      },
    });
    reports.push({ id: step.id, title: step.title, status, plan });
  }
  return reports;
}

/** A step's stored record, typed by the workflow's closed step ids and with the step's title. */
export interface StepStatusReport extends Omit<StepRecord, "id"> {
  readonly id: StepId;
  readonly title: string | undefined;
}

export interface WorkflowStatus {
  readonly migration: MigrationRecord;
  readonly steps: readonly StepStatusReport[];
  /** First step that is neither done nor skipped: where the next run starts. */
  readonly next: StepId | undefined;
}

/**
 * Per-step status for `bluegreen status`, read from the state file only. A `running` step is either in
 * progress in another process or was interrupted; the next run treats it as interrupted.
 */
export function workflowStatus(
  state: StateStore,
  steps: readonly Pick<Step, "id" | "title">[] = STEP_IDS.map((id) => ({ id, title: id })),
): WorkflowStatus {
  const reports = steps.map((step): StepStatusReport => {
    const record = state.getStep(step.id);
    return {
      id: step.id,
      title: step.title,
      status: record?.status ?? "pending",
      attempt: record?.attempt ?? 0,
      startedAt: record?.startedAt,
      finishedAt: record?.finishedAt,
      error: record?.error,
      summary: record?.summary,
    };
  });
  const next = reports.find((r) => r.status !== "done" && r.status !== "skipped")?.id;
  return { migration: state.migration, steps: reports, next };
}
