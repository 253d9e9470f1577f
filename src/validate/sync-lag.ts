/**
 * How far sync is behind, for settling differences while writes still flow. With the gateway, the lag
 * is the capture log's end (asked of the running gateway, or read from the log) minus replay's stored
 * position. Other methods report no lag here yet.
 */
import { setTimeout as delay } from "node:timers/promises";
import { type LogPosition, lag } from "../capture/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { captureLogEnd } from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { replayPosition } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";

export interface SyncLag {
  readonly position: LogPosition | undefined;
  readonly lagRecords: number;
}

/** Undefined when the migration does not sync through the gateway. */
export async function syncLag(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<SyncLag | undefined> {
  if (config.sync.method !== "gateway") return undefined;
  const position = replayPosition(state);
  return { position, lagRecords: lag(position ?? {}, await captureLogEnd(config, state, logger)) };
}

/** Polls until replay has applied everything logged so far, or `timeoutMs` passed; the last reading. */
export async function waitCaughtUp(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<SyncLag | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await syncLag(config, state, logger);
    if (current === undefined || current.lagRecords === 0 || Date.now() >= deadline) return current;
    await delay(500, undefined, signal === undefined ? {} : { signal });
  }
}
