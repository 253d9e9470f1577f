/** The one way in: the driver for this migration's sync method, and its lag for validate and cutover. */
import { setTimeout as delay } from "node:timers/promises";
import type { MigrationConfig } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import { ccrDriver } from "./ccr/driver.ts";
import { gatewayDriver } from "./gateway.ts";
import { syncMethodOf } from "./method.ts";
import type { SyncDriver, SyncLag } from "./types.ts";

/** Undefined with `sync.method: none`, and with `auto` before the sync step decided. */
export function openSync(config: MigrationConfig, state: StateStore, logger: Logger): SyncDriver | undefined {
  const method = syncMethodOf(config, state);
  if (method === "gateway") return gatewayDriver(config, state, logger);
  if (method === "ccr") return ccrDriver(config, state, logger);
  return undefined;
}

/** How far sync is behind; undefined when nothing syncs (or CCR was stopped at cutover). */
export async function syncLag(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<SyncLag | undefined> {
  const driver = openSync(config, state, logger);
  if (driver === undefined) return undefined;
  try {
    return await driver.lag();
  } finally {
    await driver.close();
  }
}

/** Polls until sync has carried over everything so far, or `timeoutMs` passed; the last reading. */
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
 * Reads something on both clusters (`read`) until the readings agree, waiting for sync to catch up
 * before each new reading, for at most `timeoutMs`; the last reading. While clients keep writing, two
 * clusters read a moment apart differ by the writes in flight, for no reason but timing; a difference
 * sync does not close within the time is a real one. With nothing syncing, one reading.
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
  while (!agrees(reading) && Date.now() < deadline) {
    await delay(200, undefined, signal === undefined ? {} : { signal });
    const lag = await waitCaughtUp(config, state, logger, Math.max(0, deadline - Date.now()), signal);
    if (lag === undefined) break;
    reading = await read();
  }
  return reading;
}
