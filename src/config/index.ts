export type { ClusterAuth, ClusterConfig, ClusterTls, RetryConfig } from "./cluster-config.ts";
export type { Env } from "./env.ts";
export { exampleConfig } from "./example.ts";
export { canonicalConfig } from "./fingerprint.ts";
export { DEFAULT_CONFIG_FILE, loadConfig, type ParseOptions, parseConfig } from "./load.ts";
export { parseDuration } from "./scalars.ts";
export { Secret } from "./secret.ts";
export {
  globToRegExp,
  type IndexCandidate,
  type IndexMatcher,
  indexMatcher,
  selectIndices,
} from "./selection.ts";
export {
  AUTO_ORDER_DEFAULT,
  BACKFILL_METHODS,
  type BackfillMethod,
  type BackfillSettings,
  type CaptureLogSettings,
  type CcrSettings,
  CONCRETE_METHODS,
  type ConcreteMethod,
  type CutoverSettings,
  type DecommissionSettings,
  type GatewaySettings,
  type IndexOverride,
  type IndexSelection,
  type MigrationConfig,
  type PrepareSettings,
  type Probe,
  type ProbeUser,
  REINDEX_DEFAULTS,
  type ReindexSettings,
  type RenameSettings,
  type ReplaySettings,
  type RollbackSettings,
  type SharedModeSettings,
  SNAPSHOT_DEFAULTS,
  type SnapshotSettings,
  type StateSettings,
  type StreamSettings,
  SYNC_METHODS,
  type SyncMethod,
  type SyncSettings,
  type ValidateSettings,
} from "./types.ts";
