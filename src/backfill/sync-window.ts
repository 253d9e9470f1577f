/**
 * The seam between backfill and replay when the gateway keeps the target in sync (`sync.method:
 * gateway`). Before the copy reads the source, the log's end is marked (replay starts there, so no
 * write falls between the two) and replay is held; once every index is copied the hold is released
 * and replay applies what was written meanwhile. Without the hold a replayed write could land between
 * the copy's read and write of the same document and be overwritten with the older version.
 */

import type { LogPosition } from "../capture/index.ts";
import { isBluegreenError } from "../errors/index.ts";
import type { BackfillContext } from "./types.ts";

/**
 * Loaded only when the gateway syncs: the gateway's HTTP stack, metrics and Kafka client are a third
 * of a second of loading in the thread that copies, which every other copy would pay for nothing.
 */
async function parts() {
  const [gateway, replay] = await Promise.all([import("../gateway/index.ts"), import("../replay/index.ts")]);
  return { gateway, replay };
}

async function gatewaySyncs(ctx: BackfillContext): Promise<boolean> {
  if (ctx.config.sync.method !== "auto" && ctx.config.sync.method !== "gateway") return false;
  const { syncMethodOf } = await import("../sync/index.ts");
  return syncMethodOf(ctx.config, ctx.state) === "gateway";
}

/**
 * The log end from the running gateway (it owns the file log), found through the state file whatever
 * address it listens on, else from the log itself; a log locked by a gateway that does not answer is
 * an error naming that gateway.
 */
async function logEnd(ctx: BackfillContext): Promise<LogPosition> {
  const { askGateway, openConfiguredLog, unreachableOwnerError } = (await parts()).gateway;
  const asked = await askGateway(ctx.config, ctx.state, "/_bluegreen/log-end");
  if (asked.answer !== undefined) return asked.answer.end as LogPosition;
  let log: Awaited<ReturnType<typeof openConfiguredLog>>;
  try {
    log = await openConfiguredLog(ctx.config);
  } catch (error) {
    if (!isBluegreenError(error, "BG_CAPTURE_LOCKED")) throw error;
    throw unreachableOwnerError(ctx.config, asked.tried, error);
  }
  try {
    return await log.end();
  } finally {
    await log.close();
  }
}

export async function openSyncWindow(ctx: BackfillContext): Promise<void> {
  if (!(await gatewaySyncs(ctx))) return;
  const { holdReplay, markBackfillStart } = (await parts()).replay;
  holdReplay(ctx.state, "backfill");
  const end = await logEnd(ctx);
  const position = await markBackfillStart({ end: async () => end }, ctx.state);
  ctx.logger.info({ position }, "backfill: replay marked and held until the copy is done");
}

export async function closeSyncWindow(ctx: BackfillContext): Promise<void> {
  if (!(await gatewaySyncs(ctx))) return;
  (await parts()).replay.releaseReplay(ctx.state);
}
