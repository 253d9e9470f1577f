import type { ClientRequest, ClientRequestArgs, IncomingMessage } from "node:http";
import { unzipSync } from "node:zlib";
import type { Logger } from "../log/index.ts";
import { displayUrl, errorCode, failureKindOf, TransportFailure } from "./errors.ts";
import { Connection, errors, type OfficialTransport } from "./official-client.ts";
import type { ClusterRequest, ClusterResponse, Dispatch, ResponseHeaders } from "./types.ts";

/** What a request decorator may change just before the bytes go out: headers (auth) and path (SigV4). */
export interface OutgoingRequest {
  method: string;
  hostname: string;
  port: string | number | undefined;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
}

export type RequestDecorator = (request: OutgoingRequest) => void;

type ConnectionCallback = (err: Error | null, response: IncomingMessage | null) => void;
type ConnectionParams = Parameters<Connection["request"]>[0];

const ignore = (): void => {};

/**
 * The official client's Connection, adapted at the two points it falls short: credentials are added
 * to each outgoing request (so they exist in plain text only while it is built), and the socket
 * error's `code` (ECONNREFUSED, SELF_SIGNED_CERT_IN_CHAIN, ...) survives as `cause` instead of being
 * flattened into a message string.
 */
export function connectionClass(decorate: RequestDecorator): typeof Connection {
  return class BluegreenConnection extends Connection {
    override buildRequestObject(params: unknown): ClientRequestArgs {
      const built = super.buildRequestObject(params) as ClientRequestArgs & { body?: unknown };
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(built.headers ?? {})) {
        if (value !== undefined) headers[name.toLowerCase()] = String(value);
      }
      const outgoing: OutgoingRequest = {
        method: built.method ?? "GET",
        hostname: built.hostname ?? "localhost",
        port: built.port ?? undefined,
        path: built.path ?? "/",
        headers,
        body: typeof built.body === "string" || Buffer.isBuffer(built.body) ? built.body : undefined,
      };
      decorate(outgoing);
      built.headers = outgoing.headers;
      built.path = outgoing.path;
      return built;
    }

    override request(params: ConnectionParams, callback: ConnectionCallback): ClientRequest {
      let socketError: unknown;
      let req: ClientRequest | undefined;
      req = super.request(params, (err, response) => {
        if (err !== null && socketError !== undefined && err.cause === undefined) err.cause = socketError;
        if (err === null && req !== undefined) {
          // The client leaves a listener that console.logs late socket errors to stdout, which would
          // corrupt `--json` output; a late error after a complete response is of no interest.
          req.removeAllListeners("error");
          req.on("error", ignore);
        }
        callback(err, response);
      });
      if (typeof req?.prependListener === "function") {
        req.prependListener("error", (error: unknown) => {
          socketError ??= error;
        });
      }
      return req;
    }
  };
}

function connectionUrl(error: unknown): string | undefined {
  const url = (error as { meta?: { meta?: { connection?: { url?: unknown } } } }).meta?.meta?.connection?.url;
  return url instanceof URL ? displayUrl(url) : undefined;
}

/**
 * Turns what the official client rejects with into a response (HTTP errors) or a TransportFailure.
 * Its error objects are never passed on as a `cause`: their `meta`/`data` hold the request params,
 * and a request body can hold credentials (a remote reindex's `source.remote.password`).
 */
export function fromClientError(error: unknown): ClusterResponse | Error {
  if (error instanceof errors.ResponseError) {
    return {
      status: error.meta.statusCode ?? 0,
      body: error.meta.body,
      headers: (error.meta.headers ?? {}) as ResponseHeaders,
      attempts: 1,
    };
  }
  const url = connectionUrl(error);
  if (error instanceof errors.TimeoutError) {
    return new TransportFailure("timeout", "the socket went idle", { url, cause: error });
  }
  if (error instanceof errors.ConnectionError) {
    const cause = error.cause;
    const code = errorCode(cause);
    const kind = failureKindOf(code) ?? "reset";
    // OpenSSL errors carry a readable `reason` next to a message full of source locations; Node
    // appends advice about --use-system-ca to verification errors, which contradicts our fix line.
    const reason = (cause as { reason?: unknown } | undefined)?.reason;
    const raw = cause instanceof Error ? cause.message : error.message;
    const openssl = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(raw)?.[1];
    const message =
      typeof reason === "string" && reason !== ""
        ? reason
        : (openssl ?? raw.replace(/; if the root CA .*$/s, ""));
    return new TransportFailure(kind, message, { code, url, cause });
  }
  if (error instanceof errors.NoLivingConnectionsError) {
    return new TransportFailure("unreachable", "no node of the cluster is reachable");
  }
  if (error instanceof errors.DeserializationError || error instanceof errors.RequestAbortedError) {
    return new TransportFailure("protocol", error.message, { url, sent: true });
  }
  if (error instanceof errors.OpenSearchClientError) {
    return new Error(`${error.name}: ${error.message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function querystringOf(request: ClusterRequest): Record<string, string | number | boolean> | undefined {
  if (request.querystring === undefined) return undefined;
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(request.querystring)) {
    if (value === undefined) continue;
    out[key] = Array.isArray(value) ? value.join(",") : (value as string | number | boolean);
  }
  return out;
}

/** Where decodeChunks joins an answer's chunks, reused by every answer after, up to JOINED_MAX. */
let joined = Buffer.alloc(0);
const JOINED_MAX = 8 * 1024 * 1024;

/**
 * The chunks as one text (UTF-8, or a byte string: `latin1`), joined in one reused buffer rather than a
 * new one per answer: the copier reads megabytes a page, and a fresh buffer's pages fault in on first
 * touch. The copy and the decode run without a pause, so concurrent reads cannot share the buffer; both
 * decodes copy out of it.
 */
function decodeChunks(chunks: readonly Buffer[], encoding: "utf8" | "latin1"): string {
  if (chunks.length === 1) return (chunks[0] as Buffer).toString(encoding);
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  // A rare large answer is not worth keeping its size around for.
  if (size > JOINED_MAX) return Buffer.concat(chunks, size).toString(encoding);
  if (joined.length < size)
    joined = Buffer.allocUnsafe(Math.min(JOINED_MAX, Math.max(size, joined.length * 2)));
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(joined, at);
  return joined.toString(encoding, 0, size);
}

/**
 * Reads an answer the client handed over as a stream (`asStream`): the text of a successful one, the
 * parsed JSON of an error (so error mapping sees the usual shape).
 */
async function readRaw(
  stream: IncomingMessage,
  headers: Record<string, unknown>,
  bytes: boolean,
): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const compressed = String(headers["content-encoding"] ?? "").toLowerCase();
  const ok = (stream.statusCode ?? 0) < 300;
  // An error answer is read as text whatever was asked for: its message goes into ours.
  const as = ok && bytes ? "latin1" : "utf8";
  const text =
    compressed.includes("gzip") || compressed.includes("deflate")
      ? unzipSync(Buffer.concat(chunks)).toString(as)
      : decodeChunks(chunks, as);
  if (ok) return text;
  try {
    return text === "" ? text : (JSON.parse(text) as unknown);
  } catch {
    return text;
  }
}

/**
 * The innermost dispatch: one attempt through the official client's transport, its own retries off.
 * Aborting `request.signal` aborts the HTTP request and rejects with the signal's reason.
 */
export function transportDispatch(client: OfficialTransport): Dispatch {
  return (request) =>
    new Promise<ClusterResponse>((resolve, reject) => {
      const signal = request.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let settled = false;
      let call: { abort(): void } | undefined;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        action();
      };
      const onAbort = (): void =>
        settle(() => {
          call?.abort();
          reject(signal?.reason);
        });
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        const body = request.body as Record<string, unknown> | string | undefined;
        const bulkBody = request.bulkBody as Record<string, unknown>[] | string | Buffer | undefined;
        const pending = client.transport.request(
          {
            method: request.method,
            path: request.path.startsWith("/") ? request.path : `/${request.path}`,
            querystring: querystringOf(request),
            ...(body === undefined ? {} : { body }),
            ...(bulkBody === undefined ? {} : { bulkBody: bulkBody }),
          },
          {
            maxRetries: 0,
            ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
            ...(request.raw === true ? { asStream: true } : {}),
            ...(request.timeoutMs === undefined ? {} : { requestTimeout: request.timeoutMs }),
          },
        );
        call = pending;
        pending.then(
          (result) =>
            request.raw === true
              ? readRaw(result.body as IncomingMessage, result.headers ?? {}, request.rawBytes === true).then(
                  (body) =>
                    settle(() =>
                      resolve({
                        status: result.statusCode ?? 0,
                        body,
                        headers: (result.headers ?? {}) as ResponseHeaders,
                        attempts: 1,
                      }),
                    ),
                  (error: unknown) =>
                    settle(() =>
                      reject(
                        new TransportFailure("reset", (error as Error).message, { sent: true, cause: error }),
                      ),
                    ),
                )
              : settle(() =>
                  resolve({
                    status: result.statusCode ?? 0,
                    body: result.body,
                    headers: (result.headers ?? {}) as ResponseHeaders,
                    attempts: 1,
                  }),
                ),
          (error: unknown) =>
            settle(() => {
              const outcome = fromClientError(error);
              if (outcome instanceof Error) reject(outcome);
              else resolve(outcome);
            }),
        );
      } catch (error) {
        settle(() => reject(error));
      }
    });
}

/**
 * Gives each attempt a deadline. The deadline travels as an AbortSignal, so the layer below aborts the
 * socket the same way it does for a caller's cancellation, and rejects with the timeout failure.
 */
export function withTimeout(dispatch: Dispatch, defaultTimeoutMs: number): Dispatch {
  return async (request) => {
    const timeoutMs = request.timeoutMs ?? defaultTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => {
      deadline.abort(new TransportFailure("timeout", `no answer within ${timeoutMs} ms`, { sent: true }));
    }, timeoutMs);
    const signal =
      request.signal === undefined ? deadline.signal : AbortSignal.any([request.signal, deadline.signal]);
    try {
      return await dispatch({ ...request, signal, timeoutMs });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Debug-logs each attempt with method, path, status (or failure kind) and duration; nothing else. */
export function withLogging(dispatch: Dispatch, logger: Logger | undefined): Dispatch {
  if (logger === undefined) return dispatch;
  return async (request) => {
    const started = performance.now();
    const base = { method: request.method, path: request.path };
    try {
      const response = await dispatch(request);
      logger.debug(
        { ...base, status: response.status, durationMs: Math.round(performance.now() - started) },
        "request",
      );
      return response;
    } catch (error) {
      const failure =
        error instanceof TransportFailure ? error.kind : error instanceof Error ? error.name : "error";
      logger.debug(
        { ...base, failure, durationMs: Math.round(performance.now() - started) },
        "request failed",
      );
      throw error;
    }
  };
}
