import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { LogPosition } from "../capture/index.ts";
import type { Secret } from "../config/index.ts";
import { isBluegreenError } from "../errors/index.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { GATEWAY_MODES, type GatewayMode, isGatewayMode } from "./mode.ts";
import { readBody, sendError, sendJson } from "./respond.ts";
import type { ShadowWindow } from "./shadow-window.ts";

/** What the admin endpoint needs from the gateway. */
export interface AdminSubject {
  readonly mode: GatewayMode;
  readonly inflightWrites: number;
  readonly metrics: GatewayMetrics;
  setMode(mode: GatewayMode): Promise<unknown>;
  /** The capture log's end position (what a backfill marks as "replay from here"). */
  logEnd(): Promise<LogPosition>;
  /** Shadow reads since their window opened; undefined when `gateway.shadowReads` is 0. */
  shadowWindow(): ShadowWindow | undefined;
}

const TOKEN_ENDPOINTS = new Set(["/_bluegreen/mode", "/_bluegreen/log-end", "/_bluegreen/shadow"]);

/**
 * `/_bluegreen/…` is reserved on the client listener (no index name can start with "_", so it never
 * shadows a cluster API). These requests are answered by the gateway and never forwarded.
 *
 * - `GET /_bluegreen/metrics`: Prometheus text, unauthenticated (no document data in it);
 * - `GET /_bluegreen/mode`, `PUT /_bluegreen/mode {"mode": "fenced"}`: bearer `gateway.adminToken`;
 * - `GET /_bluegreen/log-end`: the log's end position, for a backfill in another process (the file
 *   log has a single owner, the gateway): bearer token.
 * - `GET /_bluegreen/shadow`: the shadow reads' counts since their window opened (what validate
 *   reads): bearer token, as the recent mismatches name document ids.
 */
export async function handleAdmin(
  gateway: AdminSubject,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  token: Secret | undefined,
): Promise<void> {
  if (pathname === "/_bluegreen/metrics" && req.method === "GET") {
    const text = await gateway.metrics.text();
    res.writeHead(200, { "content-type": gateway.metrics.registry.contentType });
    res.end(text);
    return;
  }
  if (!TOKEN_ENDPOINTS.has(pathname)) {
    sendError(
      res,
      404,
      `no gateway endpoint ${req.method} ${pathname} (there are /_bluegreen/mode, /_bluegreen/log-end, /_bluegreen/shadow and /_bluegreen/metrics)`,
    );
    return;
  }
  if (token === undefined) {
    sendError(res, 403, "the admin endpoint is disabled: set gateway.adminToken in the migration file");
    return;
  }
  if (!sameToken(req.headers.authorization, token.reveal())) {
    sendError(res, 401, "missing or wrong admin token (send Authorization: Bearer <gateway.adminToken>)", {
      "www-authenticate": 'Bearer realm="bluegreen-gateway"',
    });
    return;
  }
  if (pathname === "/_bluegreen/shadow") {
    const window = gateway.shadowWindow();
    sendJson(
      res,
      200,
      window === undefined ? { enabled: false } : { enabled: true, mode: gateway.mode, ...window },
    );
    return;
  }
  if (pathname === "/_bluegreen/log-end") {
    sendJson(res, 200, { end: await gateway.logEnd() });
    return;
  }
  if (req.method === "GET") {
    sendJson(res, 200, { mode: gateway.mode, inflightWrites: gateway.inflightWrites });
    return;
  }
  if (req.method !== "PUT" && req.method !== "POST") {
    sendError(res, 405, `${req.method} is not allowed on /_bluegreen/mode (use GET or PUT)`);
    return;
  }
  let mode: unknown;
  try {
    mode = (JSON.parse((await readBody(req, 4_096)).toString("utf8")) as { mode?: unknown }).mode;
  } catch {
    sendError(res, 400, 'the body must be JSON like {"mode": "fenced"}');
    return;
  }
  if (!isGatewayMode(mode)) {
    sendError(
      res,
      400,
      `${JSON.stringify(mode)} is not a gateway mode; use one of: ${GATEWAY_MODES.join(", ")}`,
    );
    return;
  }
  let result: unknown;
  try {
    result = await gateway.setMode(mode);
  } catch (error) {
    // A gateway sharing its mode refuses to be switched alone (its mode store says why).
    if (!isBluegreenError(error, "BG_GATEWAY_SHARED")) throw error;
    sendError(res, 409, `${error.message} ${error.fix ?? ""}`.trim());
    return;
  }
  sendJson(res, 200, { ...(result as object), inflightWrites: gateway.inflightWrites });
}

function sameToken(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith("Bearer ")) return false;
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(header.slice(7)), digest(token));
}
