export { type MigrationStateRef, type OpenStateOptions, openMigrationState, openState } from "./open.ts";
export { describeProcess, type ProcessRef, processAlive, thisProcess } from "./process.ts";
export { SCHEMA_VERSION } from "./schema.ts";
export type { StateStore } from "./store.ts";
export {
  type CheckpointRecord,
  type EventInput,
  type EventQuery,
  type EventRecord,
  type MigrationRecord,
  STEP_STATUSES,
  type StepError,
  type StepRecord,
  type StepStatus,
  type StepUpdate,
} from "./types.ts";
