/**
 * A running gateway records itself (pid, host, the URL it really listens on) in the migration's state
 * file and removes the record when it stops cleanly. Other commands (backfill for the log's end,
 * `gateway mode`, `status`) find it there whatever `--listen` it was started with; a record left by
 * a kill -9 is recognised by its dead pid.
 */
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import {
  describeProcess,
  type ProcessRef,
  processAlive,
  type StateStore,
  thisProcess,
} from "../state/index.ts";
import { callAdmin } from "./admin-client.ts";

const STEP = "gateway";
const PREFIX = "running/";

export interface GatewayRecord extends ProcessRef {
  /** The URL the gateway listens on, as it reported it (the host may be a wildcard address). */
  readonly url: string;
  readonly since: string;
  /** Which capture log it owns, in words (`log DIR` or `kafka topic T`). */
  readonly log: string;
}

export interface RecordedGateway extends GatewayRecord {
  /** False when its process is gone (a kill -9 leaves the record); undefined when on another host. */
  readonly alive: boolean | undefined;
}

/** Records this process as a running gateway; the returned function removes the record. */
export function recordRunningGateway(state: StateStore, where: { url: string; log: string }): () => void {
  const me = thisProcess();
  const key = `${PREFIX}${me.host}/${me.pid}`;
  const record: GatewayRecord = { ...me, ...where, since: new Date().toISOString() };
  state.transaction(() => {
    state.putCheckpoint(STEP, key, record);
    state.appendEvent({ step: STEP, type: "gateway.started", data: record });
  });
  return () => {
    state.transaction(() => {
      state.deleteCheckpoint(STEP, key);
      state.appendEvent({ step: STEP, type: "gateway.stopped", data: { pid: me.pid, host: me.host } });
    });
  };
}

/** Every gateway record, newest first, with whether its process still runs. */
export function recordedGateways(state: StateStore): RecordedGateway[] {
  return state
    .listCheckpoints(STEP)
    .filter((c) => c.key.startsWith(PREFIX))
    .map((c) => c.value as GatewayRecord)
    .map((r) => ({ ...r, alive: processAlive(r) }))
    .sort((a, b) => b.since.localeCompare(a.since));
}

/** A wildcard listen address is reached through loopback. */
export function reachableUrl(url: string): string {
  return url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:");
}

export interface GatewayAttempt {
  readonly url: string;
  readonly record: RecordedGateway | undefined;
  readonly error: string;
}

export type GatewayAnswer =
  | { readonly answer: Record<string, unknown>; readonly url: string }
  | { readonly answer: undefined; readonly tried: readonly GatewayAttempt[] };

/**
 * Calls an admin endpoint of this migration's running gateway: the recorded live ones first, then
 * `gateway.listen`. A refusal (wrong token) is thrown; unreachable ones are reported in `tried`.
 */
export async function askGateway(
  config: MigrationConfig,
  state: StateStore,
  path: string,
  body?: unknown,
  timeoutMs?: number,
): Promise<GatewayAnswer> {
  const scheme = config.gateway.tls === undefined ? "http" : "https";
  const candidates: { url: string; record: RecordedGateway | undefined }[] = recordedGateways(state)
    .filter((r) => r.alive !== false)
    .map((record) => ({ url: reachableUrl(record.url), record }));
  const configured = config.gateway.listen === undefined ? undefined : `${scheme}://${config.gateway.listen}`;
  if (configured !== undefined && !candidates.some((c) => c.url === reachableUrl(configured)))
    candidates.push({ url: reachableUrl(configured), record: undefined });
  const token = config.gateway.adminToken;
  if (token === undefined) {
    const error = "the migration file sets no gateway.adminToken, so bluegreen cannot call it";
    return { answer: undefined, tried: candidates.map((c) => ({ ...c, error })) };
  }
  const tried: GatewayAttempt[] = [];
  for (const candidate of candidates) {
    try {
      return { answer: await callAdmin(candidate.url, token, path, body, timeoutMs), url: candidate.url };
    } catch (error) {
      if (!isBluegreenError(error, "BG_GATEWAY_ADMIN") || !error.retryable) throw error;
      tried.push({ ...candidate, error: error.message });
    }
  }
  return { answer: undefined, tried };
}

/** What was tried, for a message: each attempt's error already names its URL. */
export function describeAttempts(tried: readonly GatewayAttempt[]): string {
  return tried
    .map((t) => (t.error.includes(t.url) ? t.error : `${t.url}: ${t.error}`).replace(/\.$/, ""))
    .join("; ");
}

/** `pid 123, http://127.0.0.1:9500` for a recorded gateway. */
export function describeGateway(record: GatewayRecord): string {
  return `${describeProcess(record)}, ${record.url}`;
}

/**
 * The capture log is locked by a gateway this command could not reach: say which gateway (pid,
 * address) owns it and how to reach it, instead of "run one gateway per log".
 */
export function unreachableOwnerError(
  config: MigrationConfig,
  tried: readonly GatewayAttempt[],
  locked: BluegreenError,
): BluegreenError {
  const owner = tried.find((t) => t.record !== undefined);
  const dir = config.gateway.log.kind === "file" ? config.gateway.log.dir : config.gateway.log.topic;
  const attempts = describeAttempts(tried);
  if (owner?.record !== undefined) {
    const { record } = owner;
    return new BluegreenError(
      "BG_GATEWAY_ADMIN",
      `A gateway (${describeGateway(record)}) owns the capture log ${dir}, but it could not be asked for the log's end (${attempts}).`,
      {
        fix:
          config.gateway.adminToken === undefined
            ? "Set gateway.adminToken in the migration file, the same value the gateway runs with, and run again."
            : `Check that the gateway answers at ${owner.url} (curl ${owner.url}/_bluegreen/metrics) and runs with the same gateway.adminToken; if it hangs, stop it (kill ${record.pid}), start it again and run again.`,
        details: { pid: record.pid, host: record.host, url: record.url, dir },
        cause: locked,
        retryable: true,
      },
    );
  }
  return new BluegreenError(
    "BG_GATEWAY_ADMIN",
    `Another process (${String(locked.details.owner ?? "owner unknown")}) owns the capture log ${dir}, and no gateway of this migration ${tried.length === 0 ? "is recorded in the state file or set as gateway.listen" : `answered (${attempts})`}.`,
    {
      fix: "If it is a gateway, restart it with this bluegreen (it records its address in the state file) or set gateway.listen to its address; if it is a `bluegreen replay` that opened the log itself, stop it, start the gateway, and run again.",
      details: { dir },
      cause: locked,
      retryable: true,
    },
  );
}
