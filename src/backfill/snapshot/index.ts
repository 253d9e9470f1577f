// Small readers of cluster JSON, shared with the reindex method.

export { pathRepos, sharedPathRepo } from "./repository.ts";
export { exactNamePattern } from "./restore.ts";
export {
  type OwnedRepository,
  ownedRepositories,
  runSnapshotBatch,
  type SnapshotCheckpoint,
  type SnapshotPhase,
  snapshotRunner,
  startedRestores,
} from "./runner.ts";
export { BACKFILL_STEP, type Json, num, obj, pause, pollDelay, str } from "./util.ts";
