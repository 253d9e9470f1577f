import { once } from "node:events";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { GatewaySettings } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { fixRequestTargets } from "./request-target-listen.ts";

export interface Listening {
  readonly server: Server;
  readonly host: string;
  readonly port: number;
  readonly url: string;
}

/** Opens the client listener (HTTPS when `gateway.tls` is set); a taken port is BG_GATEWAY_LISTEN. */
export async function openListener(
  handler: RequestListener,
  host: string,
  port: number,
  tls: GatewaySettings["tls"],
): Promise<Listening> {
  // Longer than the usual 60 s idle timeout of client pools, so the gateway is never the side that
  // closes a connection a client is about to reuse.
  const keepAliveTimeout = 65_000;
  const server =
    tls === undefined
      ? createHttpServer({ keepAliveTimeout }, handler)
      : createHttpsServer({ cert: tls.cert, key: tls.key.reveal(), keepAliveTimeout }, handler);
  // OpenSearch serves `GET _nodes/plugins`; Node would answer it 400 before the handler could see it.
  fixRequestTargets(server, tls === undefined ? "connection" : "secureConnection");
  server.listen(port, host);
  try {
    await Promise.race([once(server, "listening"), once(server, "error").then(([e]) => Promise.reject(e))]);
  } catch (error) {
    throw new BluegreenError(
      "BG_GATEWAY_LISTEN",
      `The gateway cannot listen on ${host}:${port}: ${(error as Error).message}.`,
      {
        fix: "Pick a free port (or stop the process holding it) and check the host is an address of this machine.",
        details: { host, port },
        cause: error,
      },
    );
  }
  const actual = (server.address() as AddressInfo).port;
  const scheme = tls === undefined ? "http" : "https";
  return {
    server,
    host,
    port: actual,
    url: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${actual}`,
  };
}
