import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { type CaptureLog, openCaptureLog } from "../../src/capture/index.ts";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { type MigrationConfig, parseConfig } from "../../src/config/index.ts";
import { Gateway, stateModeStore } from "../../src/gateway/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { type ReplayReport, replay } from "../../src/replay/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import { MemoryLog } from "./gateway-memory-log.ts";
import { testSandbox } from "./sandbox.ts";

/**
 * The capture-log backends the gateway tests run against. Adding a backend (file, kafka) is one entry
 * here; every test that takes a `LogFactory` then runs against it too.
 */
export type LogFactory = (dir: string) => Promise<CaptureLog>;
export const LOG_FACTORIES: Readonly<Record<string, LogFactory>> = {
  memory: async () => new MemoryLog(),
  file: (dir) => openCaptureLog({ kind: "file", dir: join(dir, "log") }),
};

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
  replay(options?: { untilCaughtUp?: boolean }): Promise<ReplayReport>;
  close(): Promise<void>;
}

export function gatewayConfig(name: string, dir: string, extra = ""): MigrationConfig {
  const sandbox = testSandbox();
  const yaml = `version: 1
name: ${name}
source: { url: '${sandbox.source.url}' }
target: { url: '${sandbox.target.url}' }
state: { path: '${join(dir, "state.db")}' }
gateway: { adminToken: '${ADMIN_TOKEN}', fenceHold: 500ms, retryAfter: 2s${extra} }
replay: { outcomeWait: 2s, deadLetterPath: '${join(dir, "dead.ndjson")}' }
`;
  return parseConfig(yaml, { baseDir: dir, env: {} });
}

/** A gateway in this process on a free port of 127.0.0.1, with its own state file and log. */
export async function startGateway(name: string, factory: LogFactory, extra = ""): Promise<GatewayRig> {
  const dir = mkdtempSync(join(tmpdir(), "gw-"));
  const config = gatewayConfig(name, dir, extra);
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
  });
  const { url } = await gateway.listen("127.0.0.1", 0);
  const source = createCluster(config.source);
  const target = createCluster(config.target);
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
        source,
        target,
        settings: config.replay,
        logger,
        untilCaughtUp: options.untilCaughtUp ?? true,
        pollMs: 50,
      }),
    async close() {
      await gateway.close();
      await log.close();
      await Promise.all([source.close(), target.close()]);
      state.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Deletes every index with the given prefix on both clusters. */
export async function dropIndices(clusters: readonly Cluster[], prefix: string): Promise<void> {
  for (const cluster of clusters) {
    await cluster.request({ method: "DELETE", path: `/${prefix}*`, allowStatus: [404] });
  }
}
