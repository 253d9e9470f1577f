import type { Secret } from "./secret.ts";

/**
 * The normalized shape of one cluster's connection settings, as the config pipeline hands it to the
 * cluster layer. Secrets are already resolved (env var, file or literal) into `Secret`s.
 */
export interface ClusterConfig {
  /** Short label used in messages, logs and state: "source", "target" or a user-chosen name. */
  readonly name: string;
  /** Base URL (http or https); several for multi-node clusters, tried in order. */
  readonly urls: readonly string[];
  readonly auth: ClusterAuth;
  readonly tls: ClusterTls;
  /** Per-request timeout in milliseconds. */
  readonly requestTimeoutMs: number;
  readonly retry: RetryConfig;
}

export type ClusterAuth =
  | { readonly type: "none" }
  | { readonly type: "basic"; readonly username: string; readonly password: Secret }
  | {
      readonly type: "sigv4";
      readonly region: string;
      readonly service: "es" | "aoss";
      /** Explicit keys; when absent the AWS default chain (env vars) is used. */
      readonly accessKeyId?: Secret;
      readonly secretAccessKey?: Secret;
      readonly sessionToken?: Secret;
    };

export interface ClusterTls {
  /** PEM text of the trusted CAs; like Node's `ca` option it replaces the default roots. */
  readonly ca?: string;
  /** PEM text of a client certificate and its key, for mutual TLS. */
  readonly cert?: string;
  readonly key?: Secret;
  /** Explicit opt-in to skip certificate verification; never the default. */
  readonly insecure: boolean;
  readonly servername?: string;
}

export interface RetryConfig {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}
