import { z } from "zod";
import { duration, flag, fraction, httpUrl, indexPattern, integer, slug } from "./scalars.ts";
import {
  BACKFILL_METHODS,
  CONCRETE_METHODS,
  REINDEX_DEFAULTS,
  SNAPSHOT_DEFAULTS,
  SYNC_METHODS,
} from "./types.ts";

/**
 * The raw shape of `bluegreen.yaml` after env substitution. Every object is strict, so a misspelt key is
 * an error instead of a silently ignored setting. Defaults live here; cross-field checks live in
 * rules.ts; anything that touches the file system or environment lives in normalize.ts.
 */

const text = z.string().min(1);

export const AUTH_TYPES = ["none", "basic", "sigv4"] as const;

/**
 * One flat object rather than a union per type: normalize.ts then says "region only applies to sigv4"
 * instead of the union's all-or-nothing "no variant matched".
 */
const auth = z.strictObject({
  type: z.enum(AUTH_TYPES),
  username: text.optional(),
  password: z.string().optional(),
  passwordEnv: text.optional(),
  passwordFile: text.optional(),
  region: text.optional(),
  service: z.enum(["es", "aoss"]).optional(),
  accessKeyId: text.optional(),
  secretAccessKey: text.optional(),
  sessionToken: text.optional(),
});
export type RawAuth = z.infer<typeof auth>;

const tls = z.strictObject({
  ca: text.optional(),
  cert: text.optional(),
  key: text.optional(),
  insecure: flag().default(false),
  servername: text.optional(),
});
export type RawTls = z.infer<typeof tls>;

const retry = z.strictObject({
  maxAttempts: integer(1, 100).default(5),
  initialDelay: duration().default(200),
  maxDelay: duration().default(10_000),
});

const cluster = z.strictObject({
  name: slug("cluster").optional(),
  url: httpUrl().optional(),
  urls: z.array(httpUrl()).optional(),
  auth: auth.optional(),
  tls: tls.prefault({}),
  requestTimeout: duration({ min: 1 }).default(30_000),
  retry: retry.prefault({}),
});
export type RawCluster = z.infer<typeof cluster>;

/** A request a probe user sends to both clusters in `validate.probeUsers`. */
const probe = z.strictObject({
  method: z.enum(["GET", "HEAD", "POST", "PUT", "DELETE"]),
  path: text,
  body: z.unknown().optional(),
});

/** Credentials come from the environment only: a probe user's password never sits in the file. */
const probeUser = z.strictObject({
  name: text,
  username: text.optional(),
  usernameEnv: text.optional(),
  passwordEnv: text,
  probes: z.array(probe).min(1).optional(),
});
export type RawProbeUser = z.infer<typeof probeUser>;

const version = z.unknown().transform((input, ctx): 1 => {
  if (input === 1 || input === "1") return 1;
  const what =
    input === undefined ? "is required" : `${JSON.stringify(input)} is not a version this bluegreen reads`;
  const fix =
    input === undefined
      ? "add `version: 1` at the top of the file"
      : "this bluegreen reads version 1; upgrade bluegreen or write the file for version 1";
  ctx.addIssue({ code: "custom", message: what, params: { fix } });
  return z.NEVER;
});

export const rawConfigSchema = z.strictObject({
  version,
  name: slug("migration"),
  source: cluster,
  target: cluster,
  indices: z
    .strictObject({
      include: z.array(indexPattern()).default(["*"]),
      exclude: z.array(indexPattern()).default([]),
      includeHidden: flag().default(false),
    })
    .prefault({}),
  state: z.strictObject({ path: text.optional() }).prefault({}),
  prepare: z
    .strictObject({
      templates: flag().default(true),
      prune: flag().default(false),
      // Per-index settings that differ on purpose on the target; the first matching entry wins.
      overrides: z
        .array(
          z.strictObject({
            index: indexPattern(),
            shards: integer(1, 1024).optional(),
            replicas: integer(0, 32).optional(),
          }),
        )
        .default([]),
      backfillTuning: flag().default(false),
    })
    .prefault({}),
  backfill: z
    .strictObject({
      method: z.enum(BACKFILL_METHODS).default("auto"),
      batchSize: integer(1, 10_000).optional(),
      concurrency: integer(1, 32).default(2),
      repository: text.optional(),
      snapshot: z
        .strictObject({
          location: text.optional(),
          repositoryType: text.optional(),
          repositorySettings: z.record(z.string(), z.unknown()).optional(),
          indexSettings: z.record(z.string(), z.unknown()).optional(),
          replicas: integer(0, 100).optional(),
          keepSnapshot: flag().default(SNAPSHOT_DEFAULTS.keepSnapshot),
        })
        .optional(),
      reindex: z
        .strictObject({
          sourceUrl: httpUrl().optional(),
          rangeDocs: integer(1, 1_000_000_000).default(REINDEX_DEFAULTS.rangeDocs),
          rangeField: text.optional(),
          maxTasks: integer(1, 64).default(REINDEX_DEFAULTS.maxTasks),
          requestsPerSecond: z
            .union([z.literal(-1), z.number().positive()])
            .default(REINDEX_DEFAULTS.requestsPerSecond),
        })
        .optional(),
      rename: z.strictObject({ pattern: text, replacement: z.string() }).optional(),
      autoOrder: z.array(z.enum(CONCRETE_METHODS)).min(1).optional(),
      stream: z
        .strictObject({
          slices: integer(1, 1024).optional(),
          readers: integer(1, 64).default(2),
          bulkBytes: integer(64 * 1024, 100 * 1024 * 1024).default(2 * 1024 * 1024),
          bulkConcurrency: integer(1, 64).default(4),
          maxInFlightBytes: integer(1024 * 1024, 1024 * 1024 * 1024).default(32 * 1024 * 1024),
          docsPerSecond: integer(1, 10_000_000).optional(),
          mbPerSecond: integer(1, 100_000).optional(),
          transform: text.optional(),
          externalVersions: flag().default(false),
          tuneTarget: flag().default(true),
          asyncTranslog: flag().default(false),
          failedDocsDir: text.optional(),
          keepAlive: duration({ min: 1000 }).default(600_000),
          leaseIndex: text.default("bluegreen-backfill-leases"),
          leaseTtl: duration({ min: 1000 }).default(60_000),
        })
        .prefault({}),
    })
    .prefault({}),
  sync: z
    .strictObject({
      method: z.enum(SYNC_METHODS).default("none"),
      maxLag: duration().default(30_000),
      ccr: z
        .strictObject({
          alias: text.default("bluegreen-source"),
          mode: z.enum(["sniff", "proxy"]).default("sniff"),
          seeds: z.array(text).min(1).optional(),
          proxyAddress: text.optional(),
          autoFollow: z.array(text).optional(),
          useRoles: z.strictObject({ leader: text, follower: text }).default({
            leader: "cross_cluster_replication_leader_full_access",
            follower: "cross_cluster_replication_follower_full_access",
          }),
        })
        .prefault({}),
    })
    .prefault({}),
  validate: z
    .strictObject({
      mode: z.enum(["full", "sample"]).default("full"),
      sampleSize: integer(1, 1_000_000).default(1_000),
      seed: integer(0, 2_147_483_647).default(1),
      countTolerance: fraction().default(0),
      maxAge: duration({ min: 1 }).default(3_600_000),
      settleWait: duration().default(60_000),
      queries: text.optional(),
      shadowMismatchMax: fraction().default(0),
      probeUsers: z.array(probeUser).default([]),
    })
    .prefault({}),
  cutover: z
    .strictObject({
      writeBlockSource: flag().default(true),
      drainTimeout: duration({ min: 1 }).default(300_000),
      switchCommand: text.optional(),
    })
    .prefault({}),
  rollback: z
    .strictObject({ unblockSource: flag().default(true), deleteTargetIndices: flag().default(false) })
    .prefault({}),
  decommission: z
    .strictObject({
      soak: duration().optional(),
      finalSnapshot: z.strictObject({ repository: text, name: text.optional() }).optional(),
    })
    .prefault({}),
  // gateway/replay: the capturing proxy clients use during the migration, and the log's consumer.
  gateway: z
    .strictObject({
      listen: text.optional(),
      adminToken: text.optional(),
      maxBodySize: integer(1_024, 2_147_483_647).default(104_857_600),
      assignIds: flag().default(true),
      requestTimeout: duration({ min: 1 }).default(60_000),
      fenceHold: duration().default(10_000),
      retryAfter: duration({ min: 1_000 }).default(5_000),
      captureInTargetMode: flag().default(false),
      shadowReads: fraction().default(0),
      tls: z.strictObject({ cert: text, key: text }).optional(),
      // Several gateways sharing one mode through a Kafka control topic (docs/gateway.md).
      shared: z
        .strictObject({
          controlTopic: text.optional(),
          heartbeat: duration({ min: 50 }).default(1_000),
          lease: duration({ min: 100 }).default(5_000),
          memberTimeout: duration({ min: 200 }).default(15_000),
        })
        .optional(),
      log: z
        .strictObject({
          kind: z.enum(["file", "kafka"]).default("file"),
          dir: text.optional(),
          fsync: flag().default(true),
          awaitOutcome: flag().default(false),
          syncBeforeForward: flag().default(true),
          brokers: z.array(text).optional(),
          topic: text.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  replay: z
    .strictObject({
      indexRename: z.record(z.string().min(1), z.string().min(1)).default({}),
      batchSize: integer(1, 10_000).default(500),
      maxAttempts: integer(1, 100).default(8),
      outcomeWait: duration().default(30_000),
      deadLetterPath: text.optional(),
    })
    .prefault({}),
});
export type RawConfig = z.infer<typeof rawConfigSchema>;

/** Extra guidance when a whole required section or key is missing. */
export const REQUIRED_HINTS: Readonly<Record<string, string>> = {
  source: "add a `source:` section with at least `url: http://host:9200`",
  target: "add a `target:` section with at least `url: http://host:9200`",
  "source.auth.type": "add `type: none`, `type: basic` or `type: sigv4`",
  "target.auth.type": "add `type: none`, `type: basic` or `type: sigv4`",
};
