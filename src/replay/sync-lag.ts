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
import type { StateStore } from "../state/index.ts";
import { replayPosition } from "./hold.ts";

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

/**
 * Reads something on both clusters (`read`) until the readings agree, waiting for replay to catch up
 * before each one, for at most `timeoutMs`; the last reading. While clients keep writing, two clusters
 * read a moment apart differ by the writes in flight, for no reason but timing; a difference sync does
 * not close within the time is a real one. Without gateway sync there is nothing to wait for: one reading.
 */
export async function settledReading<T>(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  read: () => Promise<T>,
  agrees: (reading: T) => boolean,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let reading = await read();
  while (config.sync.method === "gateway" && !agrees(reading) && Date.now() < deadline) {
    await delay(200, undefined, signal === undefined ? {} : { signal });
    await waitCaughtUp(config, state, logger, Math.max(0, deadline - Date.now()), signal);
    reading = await read();
  }
  return reading;
}
