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
import { openMigrationState, type StateStore } from "../state/index.ts";
import { callAdmin } from "./admin-client.ts";
import { Gateway } from "./gateway.ts";
import { GatewayMetrics } from "./metrics.ts";
import { stateModeStore } from "./mode.ts";
import { askGateway, recordRunningGateway } from "./registry.ts";
import type { ShadowHooks } from "./shadow.ts";
import { SharedModeMember } from "./shared/member.ts";

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
  /** Stops accepting, drains in-flight requests (bounded), then closes the log and the state. */
  close(): Promise<{ readonly drained: boolean }>;
}

/** The capture log a migration file configures, in words. */
export function describeLog(config: MigrationConfig): string {
  const log = config.gateway.log;
  return log.kind === "kafka" ? `kafka topic ${log.topic}` : `log ${log.dir}`;
}

/**
 * Opens state and log, starts the gateway on `listen` and records it in the state file (so other
 * commands find it whatever address it listens on); `close` undoes all of it.
 */
export async function serveGateway(
  config: MigrationConfig,
  listen: Listen,
  logger: Logger,
  /** Needed when gateway.shadowReads is set: given the state file the gateway opened. */
  shadow?: (state: StateStore) => ShadowHooks,
): Promise<RunningGateway> {
  const state = openMigrationState(config);
  let log: CaptureLog | undefined;
  let member: SharedModeMember | undefined;
  const metrics = new GatewayMetrics();
  try {
    log = await openConfiguredLog(config, metrics);
    // Shared: the mode comes from the control topic, read to its end before the first client.
    if (config.gateway.shared !== undefined) member = await SharedModeMember.join(config, logger, state);
    const gateway = new Gateway({
      source: config.source,
      target: config.target,
      settings: config.gateway,
      rename: config.replay.indexRename,
      log,
      modes: member?.store ?? stateModeStore(state),
      logger,
      metrics,
      ...(shadow === undefined ? {} : { shadow: shadow(state) }),
    });
    member?.attach(gateway);
    const { url } = await gateway.listen(listen.host, listen.port);
    member?.listening(url);
    const forget = recordRunningGateway(state, { url, log: describeLog(config) });
    const opened = log;
    return {
      gateway,
      url,
      log: opened,
      state,
      async close() {
        try {
          return await gateway.close();
        } finally {
          // Only once drained: until then a switch must keep waiting for this gateway.
          await member?.leave();
          // The log closes only after the last in-flight write's outcome, so it reopens without recovery.
          await opened.close();
          forget();
          state.close();
        }
      },
    };
  } catch (error) {
    await member?.leave();
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
 * The capture log's end: asked of the running gateway (it owns the file log; found through the state
 * file whatever address it listens on), else read from the log itself (read-only when locked).
 */
export async function captureLogEnd(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<LogPosition> {
  const asked = await askGateway(config, state, "/_bluegreen/log-end");
  if (asked.answer !== undefined) return asked.answer.end as LogPosition;
  const log = await openReplayLog(config, logger);
  try {
    return await log.end();
  } finally {
    await log.close();
  }
}
