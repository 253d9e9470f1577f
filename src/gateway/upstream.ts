import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Readable, Writable } from "node:stream";
import { type Dispatcher, Pool } from "undici";
import type { ClusterConfig } from "../config/index.ts";

type DispatchController = Dispatcher.DispatchController;

/**
 * One cluster as the gateway forwards to it: a keep-alive undici Pool to its first URL. It never adds
 * credentials: the client's own Authorization header is passed through, so the gateway can never do
 * more than the client could do directly (the cluster config's `auth` is for bluegreen's own calls).
 */
export interface Answer {
  readonly status: number;
  readonly headers: HeaderLines;
  readonly body: Buffer;
}

/**
 * An answer's header lines as the cluster sent them, flat (name, value, name, value, …), the form
 * `writeHead` takes: names keep their case and repeats their order. HTTP says names are
 * case-insensitive, but some clients compare them exactly: Elasticsearch 7's REST test client reads
 * deprecation warnings only from a header named `Warning`, and a gateway that lowercased it hid them.
 */
export type HeaderLines = readonly string[];

/** Why a forward failed without an answer; `sent` says whether the cluster may have applied it. */
export class UpstreamFailure extends Error {
  readonly cluster: string;
  readonly sent: boolean;

  constructor(cluster: string, message: string, sent: boolean, cause: unknown) {
    super(message, { cause });
    this.name = "UpstreamFailure";
    this.cluster = cluster;
    this.sent = sent;
  }
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones the gateway recomputes. */
const DROP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authorization",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "host",
]);

export function forwardHeaders(
  headers: IncomingHttpHeaders,
  drop: readonly string[] = [],
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROP.has(name) || drop.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

/** The lines of an answer's head worth passing on, from undici's raw head (values as latin1 bytes). */
function headerLines(raw: DispatchController["rawHeaders"]): string[] {
  const out: string[] = [];
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = String(raw[i]);
      if (DROP.has(name.toLowerCase())) continue;
      const value = raw[i + 1] as Buffer | string;
      out.push(name, typeof value === "string" ? value : value.toString("latin1"));
    }
    return out;
  }
  for (const [name, value] of Object.entries(raw ?? {})) {
    if (value === undefined || DROP.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) out.push(name, one);
  }
  return out;
}

/** Header lines by lowercase name, repeats joined as Node joins them; for a tap that reads a few. */
function headerMap(lines: HeaderLines): OutgoingHttpHeaders {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const name = (lines[i] as string).toLowerCase();
    const value = lines[i + 1] as string;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/** Connect errors mean the request never left: safe to report as not applied. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "UND_ERR_CONNECT_TIMEOUT",
  "EHOSTUNREACH",
]);

function failure(cluster: string, error: unknown): UpstreamFailure {
  const code = (error as { code?: unknown }).code;
  const sent = !(typeof code === "string" && NOT_SENT.has(code));
  const reason = error instanceof Error ? error.message : String(error);
  return new UpstreamFailure(
    cluster,
    `cluster "${cluster}" ${sent ? "failed" : "is unreachable"}: ${reason}`,
    sent,
    error,
  );
}

/**
 * Sees a streamed read's bytes on their way through (shadow reads copy them), without holding them up:
 * the request body and the answer still flow at the pace of the two ends.
 */
export interface StreamTap {
  request(chunk: Buffer): void;
  head(status: number, headers: OutgoingHttpHeaders): void;
  response(chunk: Buffer): void;
}

async function* tapped(req: IncomingMessage, tap: StreamTap): AsyncGenerator<Buffer> {
  for await (const chunk of req) {
    tap.request(chunk as Buffer);
    yield chunk as Buffer;
  }
}

/** Writes into the client's response with its backpressure, showing each chunk to the tap. */
class TappedResponse extends Writable {
  readonly #res: ServerResponse;
  readonly #tap: StreamTap;

  constructor(res: ServerResponse, tap: StreamTap) {
    super();
    this.#res = res;
    this.#tap = tap;
    // A client that goes away mid-answer must stop the upstream read, as it does without a tap.
    res.once("close", () => {
      if (!res.writableFinished) this.destroy(new Error("the client closed the connection"));
    });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.#tap.response(chunk);
    if (this.#res.write(chunk)) done();
    else this.#res.once("drain", () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#res.end(() => done());
  }
}

export class Upstream {
  readonly name: string;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #timeoutMs: number;

  constructor(config: ClusterConfig, timeoutMs: number, connections = 128) {
    const url = new URL(config.urls[0] ?? "http://127.0.0.1:9200");
    this.name = config.name;
    this.#basePath = url.pathname.replace(/\/+$/, "");
    this.#timeoutMs = timeoutMs;
    const tls = config.tls;
    this.#pool = new Pool(url.origin, {
      connections,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: {
        rejectUnauthorized: tls.insecure !== true,
        ...(tls.ca === undefined ? {} : { ca: tls.ca }),
        ...(tls.cert === undefined ? {} : { cert: tls.cert }),
        ...(tls.key === undefined ? {} : { key: tls.key.reveal() }),
        ...(tls.servername === undefined ? {} : { servername: tls.servername }),
      },
    });
  }

  /**
   * Streams a request through in both directions (reads: nothing is buffered): the answer goes
   * straight into the client's response, and the upstream read pauses while it is full (backpressure).
   * A tap (shadow reads) sees the bytes on their way.
   */
  async stream(req: IncomingMessage, res: ServerResponse, path: string, tap?: StreamTap): Promise<void> {
    const hasBody =
      req.headers["content-length"] !== undefined || req.headers["transfer-encoding"] !== undefined;
    try {
      if (tap === undefined) await this.#pipe(req, res, path, hasBody);
      else
        await this.#pool.stream(
          {
            method: req.method as "GET",
            path: this.#basePath + path,
            headers: forwardHeaders(req.headers),
            body: hasBody ? Readable.from(tapped(req, tap), { objectMode: false }) : null,
            responseHeaders: "raw",
          },
          ({ statusCode, headers }) => {
            // With `responseHeaders: "raw"` undici hands over the flat list its type does not describe.
            const lines = headerLines(headers as unknown as string[]);
            res.writeHead(statusCode, lines as string[]);
            tap.head(statusCode, headerMap(lines));
            return new TappedResponse(res, tap);
          },
        );
    } catch (error) {
      // After the head went out the client sees a cut answer; before it, the caller answers 502.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      throw failure(this.name, error);
    }
  }

  /**
   * The untapped stream: a bare dispatch handler writing into the client's response, pausing the
   * upstream read while the response is full. (`pool.stream` does the same through a stream factory
   * per request, at a measurable cost per read.)
   */
  #pipe(req: IncomingMessage, res: ServerResponse, path: string, hasBody: boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pool.dispatch(
        {
          method: req.method as "GET",
          path: this.#basePath + path,
          headers: forwardHeaders(req.headers),
          body: hasBody ? req : null,
        },
        {
          onRequestStart(controller) {
            // A client that goes away mid-answer stops the upstream read.
            res.once("close", () => {
              if (!res.writableFinished) controller.abort(new Error("the client closed the connection"));
            });
            res.on("drain", () => controller.resume());
          },
          onResponseStart(controller, statusCode) {
            res.writeHead(statusCode, headerLines(controller.rawHeaders));
          },
          onResponseData(controller, chunk) {
            if (!res.write(chunk)) controller.pause();
          },
          onResponseEnd() {
            // Not on 'finish': a client gone before the last byte left would never see it.
            res.end();
            resolve();
          },
          onResponseError(_controller, error) {
            reject(error);
          },
        },
      );
    });
  }

  /**
   * Sends a buffered write and buffers the answer (the gateway needs its status and body). A bare
   * dispatch handler collects the chunks: `request()` builds a body stream per answer, which cost
   * several percent of the gateway's CPU per write (bench/request-target.ts).
   */
  send(
    method: string,
    path: string,
    headers: Record<string, string | string[]>,
    body: Buffer | undefined,
  ): Promise<Answer> {
    const name = this.name;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let head: string[] = [];
      this.#pool.dispatch(
        {
          method: method as "POST",
          path: this.#basePath + path,
          headers: body === undefined ? headers : { ...headers, "content-length": String(body.length) },
          body: body ?? null,
          headersTimeout: this.#timeoutMs,
        },
        {
          onRequestStart() {},
          onResponseStart(controller, statusCode) {
            status = statusCode;
            head = headerLines(controller.rawHeaders);
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
            resolve({ status, headers: head, body: bytes });
          },
          onResponseError(_controller, error) {
            reject(failure(name, error));
          },
        },
      );
    });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /** Closes without waiting for requests in flight (shadow reads a stalled cluster never answers). */
  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
