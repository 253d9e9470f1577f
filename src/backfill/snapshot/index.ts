export { pathRepos, sharedPathRepo } from "./repository.ts";
export { exactNamePattern } from "./restore.ts";
export { runSnapshotBatch, type SnapshotCheckpoint, type SnapshotPhase, snapshotRunner } from "./runner.ts";
