export { ccrBlockers, roleFindings } from "./ccr/blockers.ts";
export { CCR_PAIRS, type CcrPair, ccrVersionVerdict } from "./ccr/compat.ts";
export { bootstrapFollower } from "./ccr/driver.ts";
export { type CcrRecord, ccrRecord, followerName } from "./ccr/follow.ts";
export { type CcrFinding, ccrFindings } from "./ccr/preflight.ts";
export {
  REMOTE_CLUSTERS,
  type RemoteClusterRecord,
  remoteClusters,
  removeRemoteCluster,
} from "./ccr/remote.ts";
export {
  type PauseOutcome,
  type PauseRecord,
  pauseSync,
  resumeSync,
  type SyncStatusReport,
  syncPaused,
  syncStatus,
} from "./control.ts";
export {
  gatewayMaySync,
  recordedSyncChoice,
  resolveSyncMethod,
  type SyncChoice,
  syncMethodOf,
} from "./method.ts";
export { SyncMetrics } from "./metrics.ts";
export { openSync, settledReading, syncLag, waitCaughtUp } from "./open.ts";
export { pausedError, syncStep } from "./step.ts";
export type { ConcreteSyncMethod, IndexLag, SyncDriver, SyncLag } from "./types.ts";
