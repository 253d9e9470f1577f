/** The request/response shapes every layer of the cluster stack speaks (dispatch, retry, logging). */

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH";

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface ClusterRequest {
  readonly method: HttpMethod;
  /** Path relative to the cluster URL, e.g. "/_cluster/health" (a missing leading slash is added). */
  readonly path: string;
  readonly querystring?: Readonly<Record<string, QueryValue>>;
  /** A JSON value, an already serialised JSON string, or bytes sent as they are (see `headers`). */
  readonly body?: unknown;
  /**
   * An NDJSON body (`_bulk`, `_msearch`): one entry per line, objects are serialised; a Buffer is sent
   * as it is (replay builds bulks around documents' own bytes).
   */
  readonly bulkBody?: readonly unknown[] | string | Buffer;
  /** Extra request headers, e.g. the Content-Type of a body replayed in the format it came in. */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether repeating the request cannot change the outcome. Defaults by method: GET/HEAD/PUT/DELETE
   * yes, POST/PATCH no. Set it on read-only POSTs (`_search`, `_count`, `_mget`) so they are retried.
   */
  readonly idempotent?: boolean;
  /** Overrides the cluster's per-request timeout (each attempt gets the full budget). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** HTTP statuses the caller handles itself; `request()` returns them instead of throwing. */
  readonly allowStatus?: readonly number[];
  /**
   * Return a successful (< 300) answer's body as its raw text instead of parsed JSON: for callers
   * that pass large parts of it on unchanged (the stream backfill). Error answers are still parsed.
   */
  readonly raw?: boolean;
  /**
   * With `raw`: a successful answer as a byte string (json/bytes-text.ts), one character per byte,
   * instead of decoded UTF-8 text. For the copier, which passes each `_source` on as the bytes it came as.
   */
  readonly rawBytes?: boolean;
}

export type ResponseHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface ClusterResponse<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: ResponseHeaders;
  /** How many attempts it took (1 when it was not retried). */
  readonly attempts: number;
}

/**
 * One HTTP exchange. Answers every HTTP status (even 5xx) with a response; rejects only when no
 * response arrived, with a `TransportFailure`. Retry, logging and timeouts are wrappers around it.
 */
export type Dispatch = (request: ClusterRequest) => Promise<ClusterResponse>;

/** Anything that can send a request the way `Cluster.request` does; what detection helpers need. */
export interface Requester {
  request<T = unknown>(request: ClusterRequest): Promise<ClusterResponse<T>>;
}
