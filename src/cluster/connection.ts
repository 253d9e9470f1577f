import type { ConnectionOptions as TlsOptions } from "node:tls";
import type { ClusterAuth, ClusterConfig, ClusterTls } from "../config/cluster-config.ts";
import { Secret } from "../config/secret.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { Cluster } from "./cluster.ts";
import { stripUserinfo } from "./errors.ts";
import { createOfficialTransport } from "./official-client.ts";
import { type RetryHooks, withRetry } from "./retry.ts";
import { resolveSigV4Credentials, signSigV4 } from "./sigv4.ts";
import {
  connectionClass,
  type RequestDecorator,
  transportDispatch,
  withLogging,
  withTimeout,
} from "./transport.ts";

export interface ClusterOptions {
  /** Debug lines per attempt and per retry (method, path, status, duration); silent when absent. */
  readonly logger?: Logger;
  /** Jitter source and sleep, injectable for tests. */
  readonly retryHooks?: Pick<RetryHooks, "random" | "sleep">;
  /** Where SigV4 looks for AWS_* variables when the config has no keys; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Clock for SigV4 signing; tests pin it. */
  readonly now?: () => Date;
}

export interface NodeUrls {
  /** The URLs without userinfo: what the client connects to and messages may show. */
  readonly urls: readonly string[];
  /** Credentials typed into a URL (`https://user:pass@host`), kept only as a Secret. */
  readonly userinfo: { readonly username: string; readonly password: Secret } | undefined;
}

/** Validates the URLs and moves any userinfo out of them, so no URL the client holds carries a password. */
export function splitNodeUrls(config: Pick<ClusterConfig, "name" | "urls">): NodeUrls {
  if (config.urls.length === 0) {
    throw new BluegreenError("BG_CONFIG_INVALID", `Cluster "${config.name}" has no URL.`, {
      details: { cluster: config.name },
    });
  }
  let userinfo: NodeUrls["userinfo"];
  const urls = config.urls.map((raw) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalidUrl(config.name, stripUserinfo(raw), "it is not a URL");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw invalidUrl(config.name, stripUserinfo(raw), "only http:// and https:// are supported");
    }
    if (url.username !== "" && userinfo === undefined) {
      userinfo = {
        username: decodeURIComponent(url.username),
        password: new Secret(decodeURIComponent(url.password)),
      };
    }
    url.username = "";
    url.password = "";
    return url.href;
  });
  return { urls, userinfo };
}

function invalidUrl(cluster: string, shown: string, why: string): BluegreenError {
  return new BluegreenError(
    "BG_CONFIG_INVALID",
    `Cluster "${cluster}" has an invalid URL "${shown}": ${why}.`,
    {
      details: { cluster, url: shown },
    },
  );
}

/** Node TLS options; certificate checks stay on unless `insecure` was asked for explicitly. */
export function tlsOptions(tls: ClusterTls): TlsOptions {
  return {
    rejectUnauthorized: tls.insecure !== true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    // The TLS layer needs the key itself; it is revealed into the agent's options and nowhere else.
    ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
    ...(tls.servername === undefined ? {} : { servername: tls.servername }),
  };
}

/** Builds the per-request hook that adds credentials; they are revealed only while a request is built. */
export function authDecorator(
  auth: ClusterAuth,
  cluster: string,
  options: Pick<ClusterOptions, "env" | "now"> = {},
): RequestDecorator | undefined {
  switch (auth.type) {
    case "none":
      return undefined;
    case "basic":
      return (request) => {
        const token = Buffer.from(`${auth.username}:${auth.password.reveal()}`).toString("base64");
        request.headers.authorization = `Basic ${token}`;
      };
    case "sigv4": {
      // Resolved once, up front: a missing key fails at startup, and signing itself cannot throw
      // (a throw inside the client's connection would leave it counting an open request forever).
      const credentials = resolveSigV4Credentials(auth, cluster, options.env);
      const now = options.now ?? (() => new Date());
      return (request) => {
        const signed = signSigV4(request, credentials, { region: auth.region, service: auth.service }, now());
        request.path = signed.path;
        request.headers = signed.headers;
      };
    }
  }
}

/**
 * Creates a Cluster from its normalized config: the official client underneath (its retries off, our
 * Connection for auth and error codes), wrapped as retry ∘ logging ∘ timeout ∘ transport.
 */
export function createCluster(config: ClusterConfig, options: ClusterOptions = {}): Cluster {
  const { urls, userinfo } = splitNodeUrls(config);
  const auth: ClusterAuth =
    config.auth.type === "none" && userinfo !== undefined ? { type: "basic", ...userinfo } : config.auth;
  const decorate = authDecorator(auth, config.name, options) ?? (() => {});
  const client = createOfficialTransport({
    nodes: urls,
    Connection: connectionClass(decorate),
    ssl: tlsOptions(config.tls),
    requestTimeout: config.requestTimeoutMs,
    // URLs are listed in order of preference: use the first live one, fail over to the next.
    nodeSelector: (connections) => {
      const [first] = connections;
      if (first === undefined) throw new Error("no connection to select");
      return first;
    },
    name: config.name,
  });
  const logger = options.logger?.child({ cluster: config.name });
  const attempt = withLogging(withTimeout(transportDispatch(client), config.requestTimeoutMs), logger);
  const dispatch = withRetry(attempt, config.retry, {
    ...options.retryHooks,
    onRetry: (event) =>
      logger?.debug(
        {
          method: event.request.method,
          path: event.request.path,
          attempt: event.attempt,
          delayMs: event.delayMs,
          reason: event.reason,
        },
        "retrying",
      ),
  });
  return new Cluster({
    name: config.name,
    client,
    dispatch,
    authType: auth.type,
    timeoutMs: config.requestTimeoutMs,
  });
}
