import type { Server, ServerResponse } from "node:http";
import { sendError } from "./respond.ts";

/** A request on a connection still open while stopping: never forwarded nor logged, so a retry is safe. */
export function refuseWhileStopping(res: ServerResponse): void {
  sendError(res, 503, "the gateway is shutting down; retry", { connection: "close", "retry-after": "1" });
}

/**
 * Closes a listener the way a stop should: no new connections, keep-alive connections closed as soon
 * as they go idle, up to `drainMs` for requests in progress (`active()`), then whatever is left is cut.
 * Resolves with whether everything finished in time.
 */
export async function drainServer(server: Server, active: () => number, drainMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const deadline = Date.now() + drainMs;
  while (active() > 0 && Date.now() < deadline) {
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 5));
  }
  const drained = active() === 0;
  server.closeAllConnections();
  await closed;
  return drained;
}
