import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type CaptureLog, openCaptureLog } from "../../src/capture/index.ts";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { type MigrationConfig, parseConfig } from "../../src/config/index.ts";
import { Gateway, type GatewayMode, stateModeStore } from "../../src/gateway/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { type ReplayReport, replay } from "../../src/replay/index.ts";
import { type KafkaBroker, kafkaDown, kafkaUp } from "../../src/sandbox/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import { compareShadowSearch } from "../../src/validate/index.ts";
import { MemoryLog } from "./gateway-memory-log.ts";
import { type TestPair, testSandbox } from "./sandbox.ts";

/**
 * The capture-log backends the gateway tests run against. Adding a backend (file, kafka) is one entry
 * here; every test that takes a `LogFactory` then runs against it too.
 */
export type LogFactory = (dir: string) => Promise<CaptureLog>;

/**
 * A real single-node Kafka (KRaft), started on first use. Its port sits below Linux's ephemeral range
 * (32768-60999), where an outgoing connection could hold it when the broker binds (seen in CI).
 */
const KAFKA = { name: "gw-kafka", port: 31290 } as const;
let kafka: Promise<KafkaBroker> | undefined;

export const LOG_FACTORIES: Readonly<Record<string, LogFactory>> = {
  memory: async () => new MemoryLog(),
  // The same directory gatewayConfig gives gateway.log.dir, so a CLI child finds the same log.
  file: (dir) => openCaptureLog({ kind: "file", dir: join(dir, "log") }),
  // One partition (the default): by-query and admin records stay ordered with the document writes.
  kafka: async () => {
    kafka ??= kafkaUp(KAFKA);
    const broker = await kafka;
    return openCaptureLog({
      kind: "kafka",
      brokers: broker.brokers,
      topic: `gw-${randomBytes(4).toString("hex")}`,
    });
  },
};

/** Stops what the log factories started (the Kafka broker), unless BLUEGREEN_TEST_KAFKA_KEEP=1. */
export async function stopLogBackends(): Promise<void> {
  if (kafka === undefined || process.env.BLUEGREEN_TEST_KAFKA_KEEP === "1") return;
  kafka = undefined;
  await kafkaDown({ name: KAFKA.name });
}

export const ADMIN_TOKEN = "gw-test-admin-token";

export interface GatewayRig {
  readonly config: MigrationConfig;
  readonly dir: string;
  readonly state: StateStore;
  readonly log: CaptureLog;
  readonly gateway: Gateway;
  readonly url: string;
  readonly source: Cluster;
  readonly target: Cluster;
  /** Everything the gateway and replayer logged (JSON lines), for redaction checks. */
  readonly logLines: string[];
  /** Replays the log; `reverse` applies the target's logged writes to the source. */
  replay(options?: { untilCaughtUp?: boolean; reverse?: boolean }): Promise<ReplayReport>;
  /** Stops the gateway and closes the log (releasing its lock) but keeps state, clusters and files. */
  stopGateway(): Promise<void>;
  close(): Promise<void>;
}

export interface ConfigExtras {
  /** Extra `gateway:` keys, flow style, e.g. `maxBodySize: 65536`. */
  readonly gateway?: string;
  /** Extra `gateway.log:` keys. */
  readonly log?: string;
  /** Extra `replay:` keys. */
  readonly replay?: string;
  readonly listen?: string;
  /** The clusters, when not the main pair (e.g. a version path from `versionPaths()`). */
  readonly pair?: TestPair;
  /** More top-level YAML, e.g. `indices:` and `backfill:` blocks. */
  readonly yaml?: string;
}

/**
 * The migration file the gateway tests use (state, log and dead letters inside `dir`). Also written to
 * `dir/bluegreen.yaml`, so a CLI child process can run on the same state and log.
 */
export function gatewayConfig(name: string, dir: string, extras: ConfigExtras = {}): MigrationConfig {
  const sandbox = extras.pair ?? testSandbox();
  const more = (text: string | undefined) => (text === undefined ? "" : `, ${text}`);
  const yaml = `version: 1
name: ${name}
source: { url: '${sandbox.source.url}' }
target: { url: '${sandbox.target.url}' }
state: { path: '${join(dir, "state.db")}' }
gateway: { adminToken: '${ADMIN_TOKEN}', fenceHold: 500ms, retryAfter: 1s, log: { dir: '${join(dir, "log")}'${more(extras.log)} }${extras.listen === undefined ? "" : `, listen: '${extras.listen}'`}${more(extras.gateway)} }
replay: { ${extras.replay?.includes("outcomeWait") === true ? "" : "outcomeWait: 1s, "}deadLetterPath: '${join(dir, "dead.ndjson")}'${more(extras.replay)} }
${extras.yaml ?? ""}`;
  writeFileSync(join(dir, "bluegreen.yaml"), yaml);
  return parseConfig(yaml, { baseDir: dir, env: {} });
}

/** A gateway in this process on a free port of 127.0.0.1, with its own state file and log. */
export async function startGateway(
  name: string,
  factory: LogFactory,
  extras: ConfigExtras = {},
): Promise<GatewayRig> {
  const dir = mkdtempSync(join(tmpdir(), "gw-"));
  const config = gatewayConfig(name, dir, extras);
  const state = openState(config.state.path, { migrationName: config.name, fingerprint: config.fingerprint });
  const log = await factory(dir);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "debug", destination: sink });
  const gateway = new Gateway({
    source: config.source,
    target: config.target,
    settings: config.gateway,
    rename: config.replay.indexRename,
    log,
    modes: stateModeStore(state),
    logger,
    // Used only with gateway.shadowReads set; no sync hook: the target counts as current.
    shadow: { compareSearch: compareShadowSearch },
  });
  const { url } = await gateway.listen("127.0.0.1", 0);
  const source = createCluster(config.source);
  const target = createCluster(config.target);
  let stopped = false;
  const stopGateway = async () => {
    if (stopped) return;
    stopped = true;
    await gateway.close();
    await log.close();
  };
  return {
    config,
    dir,
    state,
    log,
    gateway,
    url,
    source,
    target,
    logLines,
    replay: (options = {}) =>
      replay({
        log,
        state,
        source: options.reverse === true ? target : source,
        target: options.reverse === true ? source : target,
        direction: options.reverse === true ? "reverse" : "forward",
        settings: config.replay,
        logger,
        untilCaughtUp: options.untilCaughtUp ?? true,
        pollMs: 50,
      }),
    stopGateway,
    async close() {
      await stopGateway();
      await Promise.all([source.close(), target.close()]);
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A gateway in this process with an in-memory log and mode, on a free port, built from a migration
 * file's settings with overrides (another target, shadow reads on): for tests that need a gateway in
 * front of clusters other than the sandbox pair's.
 */
export async function memoryGateway(
  config: MigrationConfig,
  overrides: {
    readonly target?: MigrationConfig["target"];
    readonly settings?: Partial<MigrationConfig["gateway"]>;
  },
): Promise<{ gateway: Gateway; url: string }> {
  let mode: GatewayMode | undefined;
  const gateway = new Gateway({
    source: config.source,
    target: overrides.target ?? config.target,
    settings: { ...config.gateway, ...overrides.settings },
    rename: {},
    log: new MemoryLog(),
    modes: {
      load: () => mode,
      save: (m) => {
        mode = m;
      },
    },
    logger: createLogger({ level: "silent" }),
    shadow: { compareSearch: compareShadowSearch },
  });
  return { gateway, url: (await gateway.listen("127.0.0.1", 0)).url };
}

/** Deletes every index with the given prefix on both clusters. */
export async function dropIndices(clusters: readonly Cluster[], prefix: string): Promise<void> {
  for (const cluster of clusters) {
    await cluster.request({ method: "DELETE", path: `/${prefix}*`, allowStatus: [404] });
  }
}

/**
 * For tests that run the gateway as a CLI child: a migration file in a fresh directory (`file`), an
 * index prefix, both clusters, and an `after` hook (call inside the describe) that removes it all.
 */
export function childRig(name: string, extras: ConfigExtras = {}) {
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  const config = gatewayConfig(`${name}-${randomBytes(3).toString("hex")}`, dir, extras);
  const P = `${name}-${randomBytes(4).toString("hex")}`;
  const source = createCluster(config.source);
  const target = createCluster(config.target);
  return {
    dir,
    config,
    file: join(dir, "bluegreen.yaml"),
    P,
    source,
    target,
    async close(): Promise<void> {
      await dropIndices([source, target], P);
      await Promise.all([source.close(), target.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
