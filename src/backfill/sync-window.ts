/**
 * The seam between backfill and replay when the gateway keeps the target in sync (`sync.method:
 * gateway`). Before the copy reads the source, the log's end is marked (replay starts there, so no
 * write falls between the two) and replay is held; once every index is copied the hold is released
 * and replay applies what was written meanwhile. Without the hold a replayed write could land between
 * the copy's read and write of the same document and be overwritten with the older version.
 */

import type { LogPosition } from "../capture/index.ts";
import { isBluegreenError } from "../errors/index.ts";
import { callAdmin, openConfiguredLog } from "../gateway/index.ts";
import { holdReplay, markBackfillStart, releaseReplay } from "../replay/index.ts";
import type { BackfillContext } from "./types.ts";

/** The log end from a running gateway (it owns the file log), else from the log itself. */
async function logEnd(ctx: BackfillContext): Promise<LogPosition> {
  const { gateway } = ctx.config;
  if (gateway.adminToken !== undefined && gateway.listen !== undefined) {
    const base = `${gateway.tls === undefined ? "http" : "https"}://${gateway.listen}`;
    try {
      return (await callAdmin(base, gateway.adminToken, "/_bluegreen/log-end")).end as LogPosition;
    } catch (error) {
      // Not running: read the log directly below. Any other refusal (wrong token) is the user's to fix.
      if (!isBluegreenError(error, "BG_GATEWAY_ADMIN") || !error.retryable) throw error;
    }
  }
  const log = await openConfiguredLog(ctx.config);
  try {
    return await log.end();
  } finally {
    await log.close();
  }
}

export async function openSyncWindow(ctx: BackfillContext): Promise<void> {
  if (ctx.config.sync.method !== "gateway") return;
  holdReplay(ctx.state, "backfill");
  const end = await logEnd(ctx);
  const position = await markBackfillStart({ end: async () => end }, ctx.state);
  ctx.logger.info({ position }, "backfill: replay marked and held until the copy is done");
}

export function closeSyncWindow(ctx: BackfillContext): void {
  if (ctx.config.sync.method !== "gateway") return;
  releaseReplay(ctx.state);
}
