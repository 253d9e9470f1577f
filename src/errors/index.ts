/**
 * The single error catalogue. Every failure a user can see has a stable code here, an exit code and a
 * retryable flag; messages are built at the throw site, but the code never changes once published
 * (scripts and docs match on it); `test/unit/errors.test.ts` pins the shape.
 */

/**
 * `blocked`: the command waits on work only another command can do, and that command is not running
 * (the message names it); a script can tell "run that first" from a failure.
 * `approval`: `bluegreen run` stopped before a step that changes both clusters because nobody approved
 * it (no --yes, no terminal to ask on, or the answer was no); nothing failed.
 * `unconfirmed`: a shared gateway mode switch was decided (written to the control topic) but not every
 * live gateway confirmed it in time; the message names them. Not a success: do not go on as if it held.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, blocked: 3, approval: 4, unconfirmed: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

interface CatalogueEntry {
  readonly exit: ExitCode;
  /** Whether retrying the same operation later can succeed without anyone changing anything. */
  readonly retryable: boolean;
  readonly summary: string;
}

function entry(exit: ExitCode, retryable: boolean, summary: string): CatalogueEntry {
  return { exit, retryable, summary };
}

export const CATALOGUE = {
  BG_USAGE: entry(EXIT.usage, false, "The command line is invalid."),
  BG_CONFIG_NOT_FOUND: entry(EXIT.usage, false, "The migration file does not exist."),
  BG_CONFIG_PARSE: entry(EXIT.usage, false, "The migration file is not valid YAML."),
  BG_CONFIG_INVALID: entry(EXIT.usage, false, "The migration file breaks a rule of the schema."),
  BG_CONFIG_EXISTS: entry(EXIT.usage, false, "Refusing to overwrite an existing file."),
  BG_SECRET_UNRESOLVED: entry(EXIT.usage, false, "A secret names an env var or file that cannot be read."),
  BG_CLUSTER_UNREACHABLE: entry(EXIT.failure, true, "The cluster could not be reached."),
  BG_CLUSTER_TIMEOUT: entry(EXIT.failure, true, "The cluster did not answer in time."),
  BG_CLUSTER_TLS: entry(EXIT.failure, false, "The TLS handshake with the cluster failed."),
  BG_CLUSTER_AUTH: entry(EXIT.failure, false, "The cluster refused the credentials."),
  BG_CLUSTER_FORBIDDEN: entry(EXIT.failure, false, "The credentials lack a permission."),
  BG_CLUSTER_THROTTLED: entry(EXIT.failure, true, "The cluster kept rejecting requests (429/503)."),
  BG_CLUSTER_RESPONSE: entry(EXIT.failure, false, "The cluster answered with an error."),
  BG_CLUSTER_UNSUPPORTED: entry(
    EXIT.failure,
    false,
    "The cluster's distribution or version is not supported.",
  ),
  BG_SANDBOX_JAVA_MISSING: entry(EXIT.failure, false, "No suitable Java runtime was found."),
  BG_SANDBOX_MAVEN_MISSING: entry(EXIT.failure, false, "Maven (mvn) was not found."),
  BG_SANDBOX_ARTIFACT: entry(EXIT.failure, true, "An artifact could not be resolved from Maven Central."),
  BG_SANDBOX_PORT_IN_USE: entry(EXIT.failure, false, "A port the sandbox needs is taken."),
  BG_SANDBOX_START_FAILED: entry(EXIT.failure, false, "A sandbox node did not become healthy."),
  BG_SANDBOX_VERSION: entry(EXIT.usage, false, "The sandbox has no such version."),
  BG_SANDBOX_USER: entry(EXIT.failure, false, "The unprivileged sandbox user could not be prepared."),
  BG_SANDBOX_NOT_RUNNING: entry(EXIT.failure, false, "The sandbox is not running."),
  BG_SANDBOX_PLUGIN: entry(EXIT.failure, false, "A plugin zip for the sandbox could not be found."),
  BG_STATE_OPEN: entry(EXIT.failure, false, "The state file could not be opened."),
  BG_STATE_SCHEMA: entry(EXIT.failure, false, "The state file was written by a newer bluegreen."),
  BG_STATE_MISMATCH: entry(EXIT.usage, false, "The state file belongs to another migration."),
  BG_STEP_FAILED: entry(EXIT.failure, false, "A workflow step failed."),
  BG_PREFLIGHT_BLOCKED: entry(EXIT.failure, false, "Preflight found blockers."),
  // prepare (step 1)
  BG_PREPARE_BLOCKED: entry(EXIT.failure, false, "The target cannot take the source's metadata as it is."),
  BG_PREPARE_NO_MATCH: entry(EXIT.usage, false, "An index pattern matches nothing on the source."),
  // backfill: snapshot/restore, remote reindex and the auto planner
  BG_BACKFILL_PLAN: entry(EXIT.failure, false, "No backfill method can copy an index as configured."),
  BG_SNAPSHOT_FAILED: entry(EXIT.failure, false, "A snapshot or restore did not complete."),
  BG_REINDEX_ALLOWLIST: entry(EXIT.failure, false, "The target's remote-reindex allowlist lacks the source."),
  BG_REINDEX_FAILED: entry(EXIT.failure, false, "A remote reindex failed or copied a different count."),
  // capture log (src/capture): file and Kafka backends of the durable log
  BG_CAPTURE_OPTIONS: entry(EXIT.usage, false, "The capture log options are invalid."),
  BG_CAPTURE_LOCKED: entry(EXIT.failure, false, "Another process has the capture log open for writing."),
  BG_CAPTURE_WRITE: entry(EXIT.failure, true, "A capture log append could not be made durable."),
  BG_CAPTURE_CORRUPT: entry(EXIT.failure, false, "The capture log holds a record that fails its checksum."),
  BG_CAPTURE_POSITION: entry(EXIT.failure, false, "A capture log position is outside the stored records."),
  BG_CAPTURE_RECORD: entry(EXIT.failure, false, "A record is too large for the capture log."),
  BG_CAPTURE_CLOSED: entry(EXIT.failure, false, "The capture log was used after it was closed."),
  BG_CAPTURE_KAFKA: entry(EXIT.failure, true, "The Kafka cluster behind the capture log failed a request."),
  // gateway and replay (issue 5)
  BG_GATEWAY_MODE: entry(EXIT.usage, false, "The gateway has no such mode."),
  BG_GATEWAY_LISTEN: entry(EXIT.failure, false, "The gateway could not listen on its address."),
  BG_GATEWAY_ADMIN: entry(EXIT.failure, false, "The gateway's admin endpoint refused or failed the call."),
  BG_GATEWAY_SHARED: entry(EXIT.failure, true, "The shared mode's Kafka control topic could not be used."),
  BG_GATEWAY_MODE_CONFLICT: entry(EXIT.failure, false, "Another mode switch was decided first."),
  BG_GATEWAY_MODE_UNCONFIRMED: entry(
    EXIT.unconfirmed,
    true,
    "A shared mode switch was not confirmed by every live gateway.",
  ),
  BG_REPLAY_TARGET: entry(EXIT.failure, true, "The target kept failing replayed writes transiently."),
  BG_REPLAY_RECORD: entry(EXIT.failure, false, "A capture-log record cannot be decoded."),
  BG_REPLAY_DEAD_LETTER: entry(EXIT.failure, false, "The dead-letter file cannot be written."),
  BG_REPLAY_RUNNING: entry(
    EXIT.failure,
    false,
    "Another replayer of this direction already runs; two would apply records out of order.",
  ),
  BG_REPLAY_HELD: entry(
    EXIT.blocked,
    false,
    "Replay is held until a backfill finishes, and no backfill is running to lift the hold.",
  ),
  // backfill (step 2: stream copier, leases, workflow step)
  BG_BACKFILL_REJECTED: entry(
    EXIT.failure,
    false,
    "The target rejected documents it will not accept on retry.",
  ),
  BG_BACKFILL_TRANSFORM: entry(EXIT.usage, false, "The document transform module failed to load or run."),
  BG_BACKFILL_METHOD: entry(EXIT.usage, false, "The backfill method is not available here."),
  BG_DATA_STREAM: entry(EXIT.usage, false, "The selection reaches a data stream, which is not copied yet."),
  BG_SELECTION_NO_MATCH: entry(EXIT.usage, false, "The selection reaches nothing on the source."),
  BG_INDEX_CLOSED: entry(EXIT.usage, false, "The selection reaches a closed index, which cannot be read."),
  BG_BACKFILL_LEASE: entry(EXIT.failure, true, "The backfill lease index could not be used."),
  BG_BACKFILL_SOURCE: entry(EXIT.failure, true, "Reading documents from the source failed."),
  BG_VALIDATE_FAILED: entry(EXIT.failure, false, "Validation found the target differs from the source."),
  BG_VALIDATE_GATE: entry(EXIT.failure, false, "The readiness gate refuses: no fresh passed validation."),
  BG_VALIDATE_PROBE_AUTH: entry(EXIT.usage, false, "The source refuses a probe user's credentials."),
  BG_CUTOVER_BLOCKED: entry(EXIT.failure, false, "The source cannot be write-blocked as it is."),
  BG_CUTOVER_DRAIN: entry(EXIT.failure, true, "The last writes did not reach the target in time."),
  BG_CUTOVER_ISM: entry(EXIT.failure, true, "The target refused to attach an ISM policy at cutover."),
  BG_CUTOVER_SWITCH: entry(EXIT.failure, false, "The switch command failed; clients were not switched."),
  BG_CONFIRM: entry(EXIT.usage, false, "A step that changes both clusters needs confirmation (--yes)."),
  BG_APPROVAL: entry(EXIT.approval, false, "The run stopped before a step that needs approval."),
  BG_SYNC_NOT_READY: entry(EXIT.failure, true, "Sync is not running, or has not caught up."),
  BG_SYNC_CCR_IMPOSSIBLE: entry(
    EXIT.failure,
    false,
    "Cross-cluster replication cannot serve these clusters.",
  ),
  BG_SYNC_CCR: entry(EXIT.failure, true, "A cross-cluster replication call failed."),
  BG_DECOMMISSION_NOT_READY: entry(EXIT.failure, false, "Decommission needs a finished cutover."),
  BG_DECOMMISSION_SOAK: entry(EXIT.failure, false, "The soak period after cutover has not elapsed."),
  BG_QUERIES_INVALID: entry(
    EXIT.usage,
    false,
    "The queries file is missing, not valid YAML, or breaks its format.",
  ),
  BG_DEMO_PROOF: entry(
    EXIT.failure,
    false,
    "After the demo's migration the clusters differ from what clients were told.",
  ),
  BG_INTERNAL: entry(EXIT.failure, false, "An unexpected internal error (a bug: please report it)."),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof CATALOGUE;

export interface ErrorOptions {
  /** What the user should do about it; rendered on its own line. */
  readonly fix?: string;
  readonly cause?: unknown;
  /** Structured facts for `--json` output and logs. Must never hold secrets. */
  readonly details?: Readonly<Record<string, unknown>>;
  /** Overrides the catalogue default when the same code can be transient or not. */
  readonly retryable?: boolean;
}

export class BluegreenError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCode;
  readonly retryable: boolean;
  readonly fix: string | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BluegreenError";
    this.code = code;
    this.exitCode = CATALOGUE[code].exit;
    this.retryable = options.retryable ?? CATALOGUE[code].retryable;
    this.fix = options.fix;
    this.details = options.details ?? {};
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.fix === undefined ? {} : { fix: this.fix }),
      retryable: this.retryable,
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
    };
  }
}

export function isBluegreenError(value: unknown, code?: ErrorCode): value is BluegreenError {
  return value instanceof BluegreenError && (code === undefined || value.code === code);
}

/** Wraps anything thrown into a catalogue error so the CLI never prints a raw stack for a known failure. */
export function toBluegreenError(value: unknown): BluegreenError {
  if (value instanceof BluegreenError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new BluegreenError("BG_INTERNAL", message, { cause: value });
}
