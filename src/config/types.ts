import type { ClusterConfig } from "./cluster-config.ts";
import type { Secret } from "./secret.ts";

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
  readonly gateway: GatewaySettings;
  readonly replay: ReplaySettings;
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
  /** Shards/replicas the target's new indices get instead of the source's; first matching entry wins. */
  readonly overrides: readonly IndexOverride[];
  /**
   * New indices start with `refresh_interval: -1` and 0 replicas for a faster backfill; the real values
   * are recorded (checkpoint `prepare.tuning`) for the step that restores them.
   */
  readonly backfillTuning: boolean;
}

export interface IndexOverride {
  /** Glob over index names (`*`, `?`). */
  readonly index: string;
  readonly shards?: number | undefined;
  readonly replicas?: number | undefined;
}

export const BACKFILL_METHODS = ["auto", "snapshot", "reindex", "stream"] as const;
export type BackfillMethod = (typeof BACKFILL_METHODS)[number];

export interface BackfillSettings {
  /** `auto` picks snapshot when a repository is configured, else reindex-from-remote or streaming. */
  readonly method: BackfillMethod;
  /**
   * Documents per read (stream: a page, also capped at about 2 MiB; reindex: a scroll batch).
   * Undefined: each method's default (STREAM_BATCH, REINDEX_BATCH).
   */
  readonly batchSize: number | undefined;
  /** Indices copied in parallel. */
  readonly concurrency: number;
  /** Snapshot repository registered on both clusters; required by `method: snapshot`. */
  readonly repository: string | undefined;
  /** Snapshot/restore tuning (`backfill.snapshot`); absent means SNAPSHOT_DEFAULTS. */
  readonly snapshot?: SnapshotSettings;
  /** Remote-reindex tuning (`backfill.reindex`); absent means REINDEX_DEFAULTS. */
  readonly reindex?: ReindexSettings;
  /** Target index names: `pattern` (a regex over the source name) → `replacement` (`$1` refs). */
  readonly rename?: RenameSettings;
  /** The order `auto` tries methods in, per index; absent means AUTO_ORDER_DEFAULT. */
  readonly autoOrder?: readonly ConcreteMethod[];
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
  /**
   * Opt-in: `index.translog.durability: async` on the target index while copying (with `tuneTarget`),
   * restored afterwards. Faster bulk loads; a target node crash during the copy can lose the last
   * seconds of acknowledged batches, which only validate then finds.
   */
  readonly asyncTranslog: boolean;
  /** Where rejected documents are written (absolute); next to the state file by default. */
  readonly failedDocsDir: string;
  readonly keepAliveMs: number;
  /** Index on the target holding slice leases in distributed mode (`--workers`). */
  readonly leaseIndex: string;
  readonly leaseTtlMs: number;
}

export const CONCRETE_METHODS = ["snapshot", "reindex", "stream"] as const;
export type ConcreteMethod = (typeof CONCRETE_METHODS)[number];
/**
 * Snapshot first (segments copied, nothing re-indexed), then streaming, then server-to-server reindex:
 * remote reindex re-encodes each `_source` (`1e3` → `1000.0`, `-0` → `0`, escapes decoded), while
 * snapshot and the stream copier keep the stored bytes.
 */
export const AUTO_ORDER_DEFAULT: readonly ConcreteMethod[] = ["snapshot", "stream", "reindex"];

export interface SnapshotSettings {
  /**
   * fs location of the repository bluegreen registers when `repository` names none: a folder inside
   * `path.repo` on both clusters (a shared mount). Default: a folder in a `path.repo` both clusters list.
   */
  readonly location?: string;
  /** Type and settings to register `repository` with when neither cluster has it (e.g. `s3`). */
  readonly repositoryType?: string;
  readonly repositorySettings?: Readonly<Record<string, unknown>>;
  /** Extra `index_settings` for the restore, e.g. `{ "index.refresh_interval": "30s" }`. */
  readonly indexSettings?: Readonly<Record<string, unknown>>;
  /** Replicas set after the restore is green; absent means the source index's own count. */
  readonly replicas?: number;
  /** Keep the snapshots bluegreen took once restored (default: delete them). */
  readonly keepSnapshot: boolean;
}

export interface ReindexSettings {
  /** The source as the target's nodes reach it (default: the first source URL). */
  readonly sourceUrl?: string;
  /** Indices with more documents than this are split into query ranges, one `_reindex` task each. */
  readonly rangeDocs: number;
  /** Numeric or date field to split ranges on; absent means the first such field in the mapping. */
  readonly rangeField?: string;
  /** `_reindex` tasks running at once per index. */
  readonly maxTasks: number;
  /** Throttle per task (`requests_per_second`); -1 means unthrottled. */
  readonly requestsPerSecond: number;
}

export interface RenameSettings {
  readonly pattern: string;
  readonly replacement: string;
}

export const SNAPSHOT_DEFAULTS: SnapshotSettings = { keepSnapshot: false };
export const REINDEX_DEFAULTS: ReindexSettings = { rangeDocs: 1_000_000, maxTasks: 4, requestsPerSecond: -1 };

/** `auto`: CCR when both clusters can run it, else the gateway, with the reason recorded. */
export const SYNC_METHODS = ["gateway", "ccr", "auto", "none"] as const;
export type SyncMethod = (typeof SYNC_METHODS)[number];

export interface SyncSettings {
  /** How writes made during the migration reach the target; `none` means writes stop at cutover. */
  readonly method: SyncMethod;
  /** Replication lag cutover waits for before it flips traffic. */
  readonly maxLagMs: number;
  readonly ccr: CcrSettings;
}

/** Cross-cluster replication: the target (follower) pulls from the source (leader). */
export interface CcrSettings {
  /** The remote-cluster alias bluegreen registers on the target for the source. */
  readonly alias: string;
  /** `sniff` connects to the seeds' nodes; `proxy` to one address (a load balancer in front of them). */
  readonly mode: "sniff" | "proxy";
  /** The source's transport addresses (host:port); default: what the source's nodes publish. */
  readonly seeds?: readonly string[];
  /** For `mode: proxy`: the one address the target connects to. */
  readonly proxyAddress?: string;
  /** Index patterns an auto-follow rule follows (indices created later); default: the selection's wildcards. */
  readonly autoFollow?: readonly string[];
  /** With security on both sides: the roles CCR acts with on each side (`use_roles`). */
  readonly useRoles: { readonly leader: string; readonly follower: string };
}

export interface ValidateSettings {
  /** `full` compares every document; `sample` a seeded random sample per index (`--sample N`). */
  readonly mode: "full" | "sample";
  /** Documents drawn per side and index in sample mode. */
  readonly sampleSize: number;
  /** Seed of the sample: the same seed over the same data draws the same documents. */
  readonly seed: number;
  /** How old the last passed validation may be when cutover starts. */
  readonly maxAgeMs: number;
  /** While sync runs: how long to wait for it to catch up before re-checking differences. */
  readonly settleWaitMs: number;
  /** Allowed relative document-count difference per index (0 = counts must match exactly). */
  readonly countTolerance: number;
  /** Absolute path of the queries file (searches compared on both sides); `--queries` overrides it. */
  readonly queries?: string;
  /** Largest share of the gateway's shadow reads that may differ persistently (0 = none may). */
  readonly shadowMismatchMax: number;
  /** Users whose permissions are probed on both clusters and compared, status code by status code. */
  readonly probeUsers: readonly ProbeUser[];
}

/** A request a probe user sends to both clusters; its status codes must agree. */
export interface Probe {
  readonly method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly body?: unknown;
}

export interface ProbeUser {
  readonly name: string;
  /** The user name itself, or the environment variable that holds it. */
  readonly username: { readonly value: string } | { readonly env: string };
  /** The environment variable holding the password (read by `validate`, never stored). */
  readonly passwordEnv: string;
  /** Requests to compare; without them, a default set that changes nothing (see docs/validate.md). */
  readonly probes?: readonly Probe[];
}

export interface CutoverSettings {
  /** Put a write block on the source indices so no write lands on the old cluster after cutover. */
  readonly writeBlockSource: boolean;
  /** How long cutover waits for in-flight writes to drain to the target before giving up. */
  readonly drainTimeoutMs: number;
  /**
   * A shell command that moves clients to the target (DNS, load balancer), run at the switch with the
   * target's URL in BLUEGREEN_TARGET_URL; its exit status decides whether the switch happened.
   */
  readonly switchCommand?: string;
}

export interface RollbackSettings {
  /** Lift the write block cutover put on the source. */
  readonly unblockSource: boolean;
  /** Delete the indices the migration created on the target. Destructive. */
  readonly deleteTargetIndices: boolean;
}

/**
 * Deleting the source's data is deliberately not a setting: only `decommission --delete-source` with
 * the source cluster's name typed back does it, so no file copied between migrations can.
 */
export interface DecommissionSettings {
  /** Decommission refuses to run until the switch is this old (0: no soak). */
  readonly soakMs: number;
  /**
   * A last snapshot of the migrated source indices, into a repository already registered on the
   * source; `name` defaults to `<migration>-final-<UTC timestamp>`, chosen once and recorded.
   */
  readonly finalSnapshot?: { readonly repository: string; readonly name?: string };
}

export interface GatewaySettings {
  /** Default `HOST:PORT` for `bluegreen gateway` when --listen is not given. */
  readonly listen: string | undefined;
  /** Bearer token for the `/_bluegreen/` admin endpoints; without it they refuse every call. */
  readonly adminToken: Secret | undefined;
  /** Largest request body the gateway buffers for a write; larger ones are answered 413. */
  readonly maxBodyBytes: number;
  /** Give index requests and `_bulk` index/create actions without `_id` an id before forwarding. */
  readonly assignIds: boolean;
  /** How long the gateway waits for a cluster's answer. */
  readonly requestTimeoutMs: number;
  /** How long a write is held in `fenced` mode before it is answered 503. */
  readonly fenceHoldMs: number;
  /** The `Retry-After` given with that 503. */
  readonly retryAfterMs: number;
  /** In `target` mode, also capture writes (for a reverse sync back to the source). */
  readonly captureInTargetMode: boolean;
  /** Share of reads (0..1) also sent to the target in `capture` mode, answers compared (shadow reads). */
  readonly shadowReads: number;
  /**
   * The durable capture log (file backend): its directory (absolute), whether appends fsync, and
   * whether the client's answer waits for the outcome record too (the intent is always durable before
   * forwarding; without the outcome, replay re-reads the document from the source).
   */
  readonly log: CaptureLogSettings;
  /** Serve clients over HTTPS with this certificate and key (PEM, already read). */
  readonly tls: { readonly cert: string; readonly key: Secret } | undefined;
  /** Set when several gateways share one mode through a Kafka control topic; else the mode is local. */
  readonly shared: SharedModeSettings | undefined;
}

/** The shared mode (docs/gateway.md, "Several gateways"): where it lives and its timeouts. */
export interface SharedModeSettings {
  /** Compacted topic on the capture log's brokers holding mode switches and gateway heartbeats. */
  readonly controlTopic: string;
  /** How often a gateway publishes its heartbeat (and how long its reads of the topic poll). */
  readonly heartbeatMs: number;
  /** A gateway that has not read the control topic up to its end for this long refuses writes (503). */
  readonly leaseMs: number;
  /** A gateway silent this long (broker time) is left out of a switch's acknowledgement. */
  readonly memberTimeoutMs: number;
}

/** Where the gateway logs writes: `file` (segment files in `dir`) or `kafka` (`topic` on `brokers`). */
export interface CaptureLogSettings {
  readonly kind: "file" | "kafka";
  readonly dir: string;
  readonly fsync: boolean;
  readonly awaitOutcome: boolean;
  /**
   * true: a write's intent is fsynced before the write is forwarded. false (file log only): it is
   * written to the file before forwarding and fsynced while the cluster works; the answer still waits.
   */
  readonly syncBeforeForward: boolean;
  readonly brokers: readonly string[];
  readonly topic: string;
}

export interface ReplaySettings {
  /** Source index name → target index name, applied to every replayed write. */
  readonly indexRename: Readonly<Record<string, string>>;
  /** Documents per `_bulk` request to the target. */
  readonly batchSize: number;
  /** Attempts for a batch the target rejects transiently (429, 5xx, unreachable) before replay stops. */
  readonly maxAttempts: number;
  /**
   * How long a logged write may wait for its outcome record before the replayer decides the gateway
   * stopped mid-request and resolves it by reading the document from the source.
   */
  readonly outcomeWaitMs: number;
  /**
   * The same for a by-query or admin request, which replay cannot settle from the source. The gateway
   * logs an outcome for every request the cluster answers within `gateway.requestTimeout`, so this is
   * that plus 5 s (never less than `outcomeWaitMs`): a long `_delete_by_query` is not given up early.
   */
  readonly requestOutcomeWaitMs: number;
  /** Absolute path of the NDJSON file permanent failures are written to. */
  readonly deadLetterPath: string;
}
