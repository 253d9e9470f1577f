import type { Server, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { sendError } from "./respond.ts";

/** A request on a connection still open while stopping: never forwarded nor logged, so a retry is safe. */
export function refuseWhileStopping(res: ServerResponse): void {
  sendError(res, 503, "the gateway is shutting down; retry", { connection: "close", "retry-after": "1" });
}

/**
 * How long a stopping listener still reads requests from connections it would otherwise close as
 * idle. A client may have just sent a request on one: its bytes are on the way or not read yet, so the
 * server still sees the connection idle. Cut then, the client cannot tell whether the write happened;
 * answered 503 with `connection: close`, it knows the write was not made and can retry elsewhere.
 */
export const LATE_REQUEST_GRACE_MS = 200;

/**
 * Closes a listener the way a stop should: for `graceMs`, while any connection is open, requests
 * that still arrive are answered (the caller refuses them once stopping); then no new connections,
 * keep-alive connections closed as soon as they go idle, up to `drainMs` for requests in progress
 * (`active()`), then whatever is left is cut. Resolves with whether everything finished in time.
 */
export async function drainServer(
  server: Server,
  active: () => number,
  drainMs: number,
  graceMs = LATE_REQUEST_GRACE_MS,
): Promise<boolean> {
  const graceEnd = Date.now() + Math.min(graceMs, drainMs);
  while (Date.now() < graceEnd && (await openConnections(server)) > 0) await sleep(5);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const deadline = Date.now() + drainMs;
  while (active() > 0 && Date.now() < deadline) {
    server.closeIdleConnections();
    await sleep(5);
  }
  const drained = active() === 0;
  server.closeAllConnections();
  await closed;
  return drained;
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
