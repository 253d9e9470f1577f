/**
 * The parts of the official client (`@opensearch-project/opensearch`) that bluegreen uses: its
 * Transport, connection pool, Connection and errors. They are loaded from the package's `lib/` files,
 * not its entry point: the entry point also loads the typed API surface (several hundred modules),
 * about 150 ms of every command's start-up, and nothing here calls it. The types still come from the
 * entry point; a type-only import loads nothing.
 */
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import type * as Official from "@opensearch-project/opensearch";

const load = createRequire(import.meta.url);

export const Connection: typeof Official.Connection = load(
  "@opensearch-project/opensearch/lib/Connection.js",
);
export const errors: typeof Official.errors = load("@opensearch-project/opensearch/lib/errors.js");
const Transport: typeof Official.Transport = load("@opensearch-project/opensearch/lib/Transport.js");
const Serializer: typeof Official.Serializer = load("@opensearch-project/opensearch/lib/Serializer.js");
const { ConnectionPool }: { ConnectionPool: typeof Official.ConnectionPool } = load(
  "@opensearch-project/opensearch/lib/pool/index.js",
);

export type Connection = Official.Connection;

export interface OfficialTransportOptions {
  readonly nodes: readonly string[];
  readonly Connection: typeof Official.Connection;
  readonly ssl: NonNullable<Official.ClientOptions["ssl"]>;
  readonly requestTimeout: number;
  readonly nodeSelector: (connections: Official.Connection[]) => Official.Connection;
  readonly name: string;
}

/** The official client's transport over its own connection pool, as its Client builds them. */
export interface OfficialTransport {
  readonly transport: Official.Transport;
  close(): Promise<void>;
}

/** What `new Client(options)` sets up, minus the API surface: retries stay off (ours wrap it). */
export function createOfficialTransport(options: OfficialTransportOptions): OfficialTransport {
  const events = new EventEmitter();
  const emit = events.emit.bind(events);
  const connectionPool = new ConnectionPool({
    pingTimeout: 3000,
    resurrectStrategy: "ping",
    ssl: options.ssl,
    Connection: options.Connection,
    emit,
    sniffEnabled: false,
  });
  for (const node of options.nodes) connectionPool.addConnection(node);
  const transport = new Transport({
    emit,
    connectionPool,
    serializer: new Serializer(),
    maxRetries: 0,
    requestTimeout: options.requestTimeout,
    sniffEndpoint: "_nodes/_all/http",
    nodeSelector: options.nodeSelector,
    name: options.name,
  });
  return {
    transport,
    close: () => new Promise<void>((resolve) => connectionPool.empty(resolve)),
  };
}
