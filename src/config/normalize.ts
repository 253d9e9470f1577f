import { dirname, resolve } from "node:path";
import { normalizeCluster, type ResolveContext, readPem } from "./normalize-cluster.ts";
import { type ConfigPath, type Problem, problem } from "./problems.ts";
import type { RawConfig, RawProbeUser } from "./schema.ts";
import { Secret } from "./secret.ts";
import type { CcrSettings, MigrationConfig, ProbeUser } from "./types.ts";

export type { ResolveContext };

export type Draft = Omit<MigrationConfig, "fingerprint">;

/** Where each normalized URL came from, so rules can point at `source.url` rather than `source.urls[0]`. */
export interface UrlOrigins {
  readonly source: readonly ConfigPath[];
  readonly target: readonly ConfigPath[];
}

export interface Normalized {
  readonly draft: Draft;
  readonly urlOrigins: UrlOrigins;
  readonly problems: readonly Problem[];
}

/**
 * Raw schema output → normalized config: reads secrets and PEM files, applies path and URL rules. It
 * always returns a best-effort draft (placeholders where something failed) so the cross-field rules can
 * still run and the operator sees every problem at once.
 */
export function normalize(raw: RawConfig, ctx: ResolveContext, configPath: string | undefined): Normalized {
  const problems: Problem[] = [];
  const source = normalizeCluster(raw.source, "source", ctx, problems);
  const target = normalizeCluster(raw.target, "target", ctx, problems);
  const draft: Draft = {
    version: raw.version,
    name: raw.name,
    source: source.cluster,
    target: target.cluster,
    indices: raw.indices,
    state: { path: resolve(ctx.baseDir, raw.state.path ?? `.bluegreen/${raw.name}.db`) },
    prepare: raw.prepare,
    backfill: normalizeBackfill(raw.backfill, ctx, raw.state.path ?? `.bluegreen/${raw.name}.db`),
    sync: { method: raw.sync.method, maxLagMs: raw.sync.maxLag, ccr: normalizeCcr(raw.sync.ccr) },
    validate: {
      mode: raw.validate.mode,
      sampleSize: raw.validate.sampleSize,
      seed: raw.validate.seed,
      countTolerance: raw.validate.countTolerance,
      maxAgeMs: raw.validate.maxAge,
      settleWaitMs: raw.validate.settleWait,
      ...(raw.validate.queries === undefined ? {} : { queries: resolve(ctx.baseDir, raw.validate.queries) }),
      shadowMismatchMax: raw.validate.shadowMismatchMax,
      probeUsers: raw.validate.probeUsers.map((u, i) => normalizeProbeUser(u, i, problems)),
    },
    cutover: {
      writeBlockSource: raw.cutover.writeBlockSource,
      drainTimeoutMs: raw.cutover.drainTimeout,
      ...(raw.cutover.switchCommand === undefined ? {} : { switchCommand: raw.cutover.switchCommand }),
    },
    rollback: raw.rollback,
    decommission: {
      soakMs: raw.decommission.soak ?? 0,
      ...(raw.decommission.finalSnapshot === undefined
        ? {}
        : {
            finalSnapshot: {
              repository: raw.decommission.finalSnapshot.repository,
              ...(raw.decommission.finalSnapshot.name === undefined
                ? {}
                : { name: raw.decommission.finalSnapshot.name }),
            },
          }),
    },
    gateway: normalizeGateway(raw.gateway, raw.name, ctx, problems),
    replay: {
      indexRename: raw.replay.indexRename,
      batchSize: raw.replay.batchSize,
      maxAttempts: raw.replay.maxAttempts,
      outcomeWaitMs: raw.replay.outcomeWait,
      requestOutcomeWaitMs: Math.max(raw.replay.outcomeWait, raw.gateway.requestTimeout + 5_000),
      deadLetterPath: resolve(
        ctx.baseDir,
        raw.replay.deadLetterPath ?? `.bluegreen/${raw.name}-dead-letters.ndjson`,
      ),
    },
    configPath,
  };
  return { draft, urlOrigins: { source: source.origins, target: target.origins }, problems };
}

function normalizeGateway(
  raw: RawConfig["gateway"],
  name: string,
  ctx: ResolveContext,
  problems: Problem[],
): MigrationConfig["gateway"] {
  const path: ConfigPath = ["gateway", "tls"];
  if (raw.log.kind === "kafka" && (raw.log.brokers ?? []).length === 0) {
    problems.push(
      problem(
        ["gateway", "log", "brokers"],
        "is required for kind kafka",
        "list the bootstrap brokers: brokers: [kafka1:9092]",
      ),
    );
  }
  if (raw.log.kind === "kafka" && !raw.log.syncBeforeForward) {
    problems.push(
      problem(
        ["gateway", "log", "syncBeforeForward"],
        "can be false only with kind file: a Kafka record is nowhere before the broker acknowledges it, so a write forwarded earlier could be lost with the gateway",
        "remove syncBeforeForward, or use kind: file",
      ),
    );
  }
  const cert =
    raw.tls === undefined ? undefined : readPem(raw.tls.cert, [...path, "cert"], ctx, problems, "invalid");
  const key =
    raw.tls === undefined ? undefined : readPem(raw.tls.key, [...path, "key"], ctx, problems, "secret");
  return {
    listen: raw.listen,
    adminToken: raw.adminToken === undefined ? undefined : new Secret(raw.adminToken),
    maxBodyBytes: raw.maxBodySize,
    assignIds: raw.assignIds,
    requestTimeoutMs: raw.requestTimeout,
    fenceHoldMs: raw.fenceHold,
    retryAfterMs: raw.retryAfter,
    captureInTargetMode: raw.captureInTargetMode,
    shadowReads: raw.shadowReads,
    log: {
      kind: raw.log.kind,
      dir: resolve(ctx.baseDir, raw.log.dir ?? `.bluegreen/${name}-log`),
      fsync: raw.log.fsync,
      awaitOutcome: raw.log.awaitOutcome,
      syncBeforeForward: raw.log.syncBeforeForward,
      brokers: raw.log.brokers ?? [],
      topic: raw.log.topic ?? `bluegreen-${name}`,
    },
    tls: cert === undefined || key === undefined ? undefined : { cert, key: new Secret(key) },
    shared: normalizeShared(raw, name, problems),
  };
}

/**
 * The lease must outlast a few heartbeats (a gateway's reads poll for one heartbeat), and a silent
 * gateway may be left out of a switch only once it has surely failed closed: memberTimeout > lease.
 */
function normalizeShared(
  raw: RawConfig["gateway"],
  name: string,
  problems: Problem[],
): MigrationConfig["gateway"]["shared"] {
  const shared = raw.shared;
  if (shared === undefined) return undefined;
  const at = (key: string): ConfigPath => ["gateway", "shared", key];
  if (raw.log.kind !== "kafka")
    problems.push(
      problem(
        ["gateway", "shared"],
        "needs gateway.log.kind kafka (a file log has one writer, so one gateway, whose mode is in the state file)",
        "set gateway.log: { kind: kafka, brokers: [...] }, or remove gateway.shared",
      ),
    );
  if (shared.lease < 2 * shared.heartbeat)
    problems.push(
      problem(
        at("lease"),
        `(${shared.lease} ms) is shorter than two heartbeats (${2 * shared.heartbeat} ms)`,
        "make lease at least twice gateway.shared.heartbeat, e.g. heartbeat: 1s, lease: 5s",
      ),
    );
  if (shared.memberTimeout <= shared.lease + shared.heartbeat)
    problems.push(
      problem(
        at("memberTimeout"),
        `(${shared.memberTimeout} ms) does not exceed lease + heartbeat (${shared.lease + shared.heartbeat} ms)`,
        "make memberTimeout longer than lease + heartbeat, so a gateway left out of a switch has already refused writes, e.g. lease: 5s, memberTimeout: 15s",
      ),
    );
  const controlTopic = shared.controlTopic ?? `${raw.log.topic ?? `bluegreen-${name}`}-control`;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(controlTopic))
    problems.push(
      problem(
        at("controlTopic"),
        `"${controlTopic}" is not a Kafka topic name`,
        "use 1-249 characters of a-z, A-Z, 0-9, '.', '_' or '-'",
      ),
    );
  return {
    controlTopic,
    heartbeatMs: shared.heartbeat,
    leaseMs: shared.lease,
    memberTimeoutMs: shared.memberTimeout,
  };
}

/** The env var names are kept, not read: only `validate` needs the credentials, and reads them then. */
function normalizeProbeUser(raw: RawProbeUser, i: number, problems: Problem[]): ProbeUser {
  const path: ConfigPath = ["validate", "probeUsers", i];
  if ((raw.username === undefined) === (raw.usernameEnv === undefined)) {
    problems.push(
      problem(
        [...path, raw.username === undefined ? "usernameEnv" : "username"],
        raw.username === undefined ? "is required (or username)" : "and usernameEnv are both set",
        "give the user name once: username: alice, or usernameEnv: A_VARIABLE_HOLDING_IT",
      ),
    );
  }
  for (const [j, p] of (raw.probes ?? []).entries()) {
    if (!p.path.startsWith("/"))
      problems.push(
        problem([...path, "probes", j, "path"], `"${p.path}" does not start with /`, `write "/${p.path}"`),
      );
  }
  return {
    name: raw.name,
    username: raw.usernameEnv !== undefined ? { env: raw.usernameEnv } : { value: raw.username ?? "" },
    passwordEnv: raw.passwordEnv,
    ...(raw.probes === undefined ? {} : { probes: raw.probes }),
  };
}

function normalizeBackfill(
  raw: RawConfig["backfill"],
  ctx: ResolveContext,
  statePath: string,
): MigrationConfig["backfill"] {
  const { stream, ...rest } = raw;
  const { keepAlive, leaseTtl, transform, failedDocsDir, slices, docsPerSecond, mbPerSecond, ...tuning } =
    stream;
  return {
    ...rest,
    batchSize: raw.batchSize,
    repository: raw.repository,
    stream: {
      ...tuning,
      slices,
      docsPerSecond,
      mbPerSecond,
      transform: transform === undefined ? undefined : resolve(ctx.baseDir, transform),
      failedDocsDir: resolve(ctx.baseDir, failedDocsDir ?? dirname(statePath)),
      keepAliveMs: keepAlive,
      leaseTtlMs: leaseTtl,
    },
  };
}

function normalizeCcr(raw: RawConfig["sync"]["ccr"]): CcrSettings {
  return {
    alias: raw.alias,
    mode: raw.mode,
    useRoles: raw.useRoles,
    ...(raw.seeds === undefined ? {} : { seeds: raw.seeds }),
    ...(raw.proxyAddress === undefined ? {} : { proxyAddress: raw.proxyAddress }),
    ...(raw.autoFollow === undefined ? {} : { autoFollow: raw.autoFollow }),
  };
}
