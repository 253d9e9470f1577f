export {
  type PlanOptions,
  planWorkflow,
  type StepPlanReport,
  type StepStatusReport,
  type WorkflowStatus,
  workflowStatus,
} from "./plan.ts";
export { type ByHand, recordStepRun } from "./record.ts";
export { DEFAULT_RETRY, runWorkflow } from "./run.ts";
export {
  type Approval,
  type CheckpointReader,
  type CheckpointWriter,
  type PlanAction,
  type PlanContext,
  type RetryPolicy,
  type RunOptions,
  type SelectOptions,
  STEP_IDS,
  type Step,
  type StepContext,
  type StepId,
  type StepOutcome,
  type StepPlan,
  type StepReport,
  type StepResult,
  type StepStatus,
  type VerifyResult,
  type WorkflowOutcome,
} from "./types.ts";
