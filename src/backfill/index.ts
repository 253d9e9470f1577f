export { planBackfillFromClusters, targetIndexName } from "./planner.ts";
export {
  createProgress,
  formatSeconds,
  type IndexProgress,
  type ProgressSink,
  ProgressTracker,
  progressEvent,
  renderSummary,
} from "./progress.ts";
export { backfillProgress, type IndexProgressRecord } from "./recorded.ts";
export {
  type AutoPlanner,
  type BackfillOptions,
  type BackfillSummary,
  ensureTargetIndices,
  type IndexCandidate,
  listCandidates,
  planAuto,
  planTasks,
  RUNNERS,
  runBackfill,
  runnerFor,
} from "./run.ts";
export { type OwnedRepository, ownedRepositories } from "./snapshot/index.ts";
export {
  backfillStep,
  backfillSummary,
  type ContextOptions,
  streamDone,
  withBackfillContext,
} from "./step.ts";
export { chooseSlices, streamRunner } from "./stream/runner.ts";
export type {
  BackfillContext,
  BackfillMethodRunner,
  ConcreteBackfillMethod,
  IndexResult,
  IndexTask,
  ProgressEvent,
  WorkerIdentity,
} from "./types.ts";
