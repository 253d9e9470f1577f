import type { ClusterConfig } from "./cluster-config.ts";

/**
 * The normalized migration file: what every command after the config edge works with. Durations are
 * milliseconds, paths are absolute, secrets are `Secret`s and PEM files are already read.
 */
export interface MigrationConfig {
  /** Version of the migration-file schema this was written against. */
  readonly version: 1;
  /** Migration name; the state file is keyed on it so two migrations never share progress. */
  readonly name: string;
  readonly source: ClusterConfig;
  readonly target: ClusterConfig;
  readonly indices: IndexSelection;
  readonly state: StateSettings;
  readonly prepare: PrepareSettings;
  readonly backfill: BackfillSettings;
  readonly sync: SyncSettings;
  readonly validate: ValidateSettings;
  readonly cutover: CutoverSettings;
  readonly rollback: RollbackSettings;
  readonly decommission: DecommissionSettings;
  /** Absolute path of the file this came from; undefined when parsed from a string. */
  readonly configPath: string | undefined;
  /** sha256 (hex) of the normalized config without secrets; see `canonicalConfig`. */
  readonly fingerprint: string;
}

export interface IndexSelection {
  /** Glob patterns (`*`, `?`); an index is selected when it matches one of them... */
  readonly include: readonly string[];
  /** ...and none of these: exclude always wins. */
  readonly exclude: readonly string[];
  /** Dot-prefixed and hidden indices are left alone unless this is true. */
  readonly includeHidden: boolean;
}

export interface StateSettings {
  /** Absolute path of the SQLite state file. */
  readonly path: string;
}

export interface PrepareSettings {
  /** Copy index and component templates from source to target before creating indices. */
  readonly templates: boolean;
  /** Delete target indices that match the selection but do not exist on the source. Destructive. */
  readonly prune: boolean;
}

export const BACKFILL_METHODS = ["auto", "snapshot", "reindex", "stream"] as const;
export type BackfillMethod = (typeof BACKFILL_METHODS)[number];

export interface BackfillSettings {
  /** `auto` picks snapshot when a repository is configured, else reindex-from-remote or streaming. */
  readonly method: BackfillMethod;
  /** Documents per bulk/scroll batch. */
  readonly batchSize: number;
  /** Indices copied in parallel. */
  readonly concurrency: number;
  /** Snapshot repository registered on both clusters; required by `method: snapshot`. */
  readonly repository: string | undefined;
  readonly stream: StreamSettings;
}

/** The streaming copier: sliced reads, adaptive parallel `_bulk` writes, checkpoints and leases. */
export interface StreamSettings {
  /** Read slices per index; default: a multiple of the shard count sized by document count. */
  readonly slices: number | undefined;
  /** Slices read at the same time per process. */
  readonly readers: number;
  /** Starting `_bulk` request size in bytes; adapted between a quarter and four times this. */
  readonly bulkBytes: number;
  /** Most `_bulk` requests in flight; the writer adapts between 1 and this. */
  readonly bulkConcurrency: number;
  /** Bytes read but not yet written, across all slices: the reader waits above this (memory bound). */
  readonly maxInFlightBytes: number;
  readonly docsPerSecond: number | undefined;
  readonly mbPerSecond: number | undefined;
  /** Absolute path of a JS module whose default export maps each document (or drops it with null). */
  readonly transform: string | undefined;
  /** Copy `_version` as an external version (`version_type: external_gte`). */
  readonly externalVersions: boolean;
  /** Set refresh_interval -1 and replicas 0 on the target while copying, then restore them. */
  readonly tuneTarget: boolean;
  /** Where rejected documents are written (absolute); next to the state file by default. */
  readonly failedDocsDir: string;
  readonly keepAliveMs: number;
  /** Index on the target holding slice leases in distributed mode (`--workers`). */
  readonly leaseIndex: string;
  readonly leaseTtlMs: number;
}

export const SYNC_METHODS = ["gateway", "ccr", "none"] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];

export interface SyncSettings {
  /** How writes made during the migration reach the target; `none` means writes stop at cutover. */
  readonly method: SyncMethod;
  /** Replication lag cutover waits for before it flips traffic. */
  readonly maxLagMs: number;
}

export interface ValidateSettings {
  /** Documents fetched from both sides and compared field by field, per index. */
  readonly sampleSize: number;
  /** Allowed relative document-count difference per index (0 = counts must match exactly). */
  readonly countTolerance: number;
}

export interface CutoverSettings {
  /** Put a write block on the source indices so no write lands on the old cluster after cutover. */
  readonly writeBlockSource: boolean;
  /** How long cutover waits for in-flight writes to drain to the target before giving up. */
  readonly drainTimeoutMs: number;
}

export interface RollbackSettings {
  /** Lift the write block cutover put on the source. */
  readonly unblockSource: boolean;
  /** Delete the indices the migration created on the target. Destructive. */
  readonly deleteTargetIndices: boolean;
}

export interface DecommissionSettings {
  /** Delete the migrated indices from the source. Destructive, hence off by default. */
  readonly deleteSourceIndices: boolean;
  /** Decommission refuses to run until cutover has been stable this long. */
  readonly minAgeAfterCutoverMs: number;
}
