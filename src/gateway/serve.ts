import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import {
  type CaptureLog,
  type CommitTiming,
  type LogPosition,
  openCaptureLog,
  openFileLogReader,
} from "../capture/index.ts";
import type { MigrationConfig, Secret } from "../config/index.ts";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { openState, type StateStore } from "../state/index.ts";
import { callAdmin } from "./admin-client.ts";
import { Gateway } from "./gateway.ts";
import { GatewayMetrics } from "./metrics.ts";
import { stateModeStore } from "./mode.ts";

export interface Listen {
  readonly host: string;
  readonly port: number;
}

/** `HOST:PORT`, `[v6]:PORT` or `:PORT` (loopback). */
export function parseListen(text: string): Listen {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || !Number.isInteger(port) || port > 65_535) {
    throw new BluegreenError("BG_USAGE", `"${text}" is not a listen address.`, {
      fix: "Write HOST:PORT, e.g. 127.0.0.1:9400 (or [::1]:9400; port 0 picks a free one).",
    });
  }
  return { host: match[1] ?? (match[2] === "" ? "127.0.0.1" : (match[2] ?? "127.0.0.1")), port };
}

export function openMigrationState(config: MigrationConfig): StateStore {
  mkdirSync(dirname(config.state.path), { recursive: true });
  return openState(config.state.path, { migrationName: config.name, fingerprint: config.fingerprint });
}

/** The capture log the migration file configures; `metrics` gets the fsync time of each commit. */
export function openConfiguredLog(config: MigrationConfig, metrics?: GatewayMetrics): Promise<CaptureLog> {
  const settings = config.gateway.log;
  const onCommit = (c: CommitTiming) => {
    if (c.fsyncSeconds > 0) metrics?.fsyncLatency.observe(c.fsyncSeconds);
  };
  return settings.kind === "kafka"
    ? openCaptureLog({ kind: "kafka", brokers: settings.brokers, topic: settings.topic, onCommit })
    : openCaptureLog({ kind: "file", dir: settings.dir, fsync: settings.fsync, onCommit });
}

/**
 * The log for a replayer in its own process: the configured log, or, when a gateway owns the file log
 * (its single-writer lock), the same log opened read-only up to the end that gateway made durable.
 */
export async function openReplayLog(config: MigrationConfig, logger: Logger): Promise<CaptureLog> {
  const settings = config.gateway.log;
  try {
    return await openConfiguredLog(config);
  } catch (error) {
    if (settings.kind !== "file" || !isBluegreenError(error, "BG_CAPTURE_LOCKED")) throw error;
    logger.info({ dir: settings.dir }, "a gateway owns the capture log; replay reads it read-only");
    return openFileLogReader({ dir: settings.dir });
  }
}

export interface RunningGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly log: CaptureLog;
  readonly state: StateStore;
  close(): Promise<void>;
}

/** Opens state and log, starts the gateway on `listen`; `close` releases all three. */
export async function serveGateway(
  config: MigrationConfig,
  listen: Listen,
  logger: Logger,
): Promise<RunningGateway> {
  const state = openMigrationState(config);
  let log: CaptureLog | undefined;
  const metrics = new GatewayMetrics();
  try {
    log = await openConfiguredLog(config, metrics);
    const gateway = new Gateway({
      source: config.source,
      target: config.target,
      settings: config.gateway,
      rename: config.replay.indexRename,
      log,
      modes: stateModeStore(state),
      logger,
      metrics,
    });
    const { url } = await gateway.listen(listen.host, listen.port);
    const opened = log;
    return {
      gateway,
      url,
      log: opened,
      state,
      async close() {
        await gateway.close();
        await opened.close();
        state.close();
      },
    };
  } catch (error) {
    await log?.close();
    state.close();
    throw error;
  }
}

/** The log end a running gateway reports (`GET /_bluegreen/log-end`), for `markBackfillStart`. */
export function gatewayLogEnd(url: string, token: Secret): Pick<CaptureLog, "end"> {
  return {
    async end() {
      return (await callAdmin(url, token, "/_bluegreen/log-end")).end as LogPosition;
    },
  };
}

/**
 * The capture log's end: asked of the running gateway (it owns the file log), else read from the log
 * itself (read-only when a gateway holds its lock).
 */
export async function captureLogEnd(config: MigrationConfig, logger: Logger): Promise<LogPosition> {
  const { gateway } = config;
  if (gateway.adminToken !== undefined && gateway.listen !== undefined) {
    const base = `${gateway.tls === undefined ? "http" : "https"}://${gateway.listen}`;
    try {
      return (await callAdmin(base, gateway.adminToken, "/_bluegreen/log-end")).end as LogPosition;
    } catch (error) {
      // Not running: read the log below. Any other refusal (a wrong token) is the user's to fix.
      if (!isBluegreenError(error, "BG_GATEWAY_ADMIN") || !error.retryable) throw error;
    }
  }
  const log = await openReplayLog(config, logger);
  try {
    return await log.end();
  } finally {
    await log.close();
  }
}
