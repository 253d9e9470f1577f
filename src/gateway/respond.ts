import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { BadWrite } from "./bad-write.ts";
import type { HeaderLines } from "./upstream.ts";

/**
 * Answers the gateway gives itself, shaped like OpenSearch's own errors (`error.type`, `error.reason`,
 * `status`), so clients surface the reason instead of a parse failure.
 */
export function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  extraHeaders: OutgoingHttpHeaders = {},
  type = "bluegreen_gateway_exception",
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // root_cause as OpenSearch sends it: clients (and the REST test runner) read the type from there.
  const cause = { type, reason };
  const body = JSON.stringify({ error: { root_cause: [cause], ...cause }, status });
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json; charset=UTF-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A cluster's buffered answer, its header lines as the cluster sent them and its length as it is now. */
export function sendAnswer(res: ServerResponse, status: number, headers: HeaderLines, body: Buffer): void {
  const lines: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name = headers[i] as string;
    if (name.length === 14 && name.toLowerCase() === "content-length") continue;
    lines.push(name, headers[i + 1] as string);
  }
  lines.push("content-length", String(body.length));
  res.writeHead(status, lines);
  res.end(body);
}

/**
 * Buffers a write's body up to `max` bytes (after gunzip, if the client compressed it). Beyond that it
 * throws BadWrite(413) without reading the rest; the caller closes the connection.
 */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return decodeBody(await collect(req, max), req.headers["content-encoding"], max);
}

/**
 * The body as the cluster will read it. OpenSearch's HTTP layer (Netty's decompressor) inflates
 * `gzip`/`x-gzip` and `deflate`/`x-deflate` (zlib-wrapped or raw), names compared without case; the
 * gateway must capture the documents, not the compressed bytes, so it does the same.
 */
export function decodeBody(raw: Buffer, header: string | undefined, max: number): Buffer {
  const encoding = header?.trim().toLowerCase() ?? "";
  if (encoding === "" || encoding === "identity") return raw;
  const inflate =
    encoding === "gzip" || encoding === "x-gzip"
      ? gunzipSync
      : encoding === "deflate" || encoding === "x-deflate"
        ? isZlibWrapped(raw)
          ? inflateSync
          : inflateRawSync
        : undefined;
  if (inflate === undefined)
    throw new BadWrite(400, `content-encoding ${header} is not supported (use gzip, deflate or none)`);
  try {
    return inflate(raw, { maxOutputLength: max });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(max + 1, max);
    throw new BadWrite(400, `the ${encoding} body cannot be decompressed: ${(error as Error).message}`);
  }
}

/** A zlib header as Netty tells it from raw deflate: 0x78 in the first byte, the RFC 1950 check. */
function isZlibWrapped(raw: Buffer): boolean {
  const cmf = raw[0];
  const flg = raw[1];
  return cmf !== undefined && flg !== undefined && (cmf & 0x78) === 0x78 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * The raw body through plain listeners: an async iterator costs a promise and a queue per chunk on
 * every write, measurable at thousands of writes a second. Past `max` it stops listening and pauses
 * the request, so the 413 still reaches the client before the caller closes the connection.
 */
function collect(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > max) return Promise.reject(tooLarge(declared, max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error: Error | undefined): void => {
      req.off("data", data).off("end", end).off("error", settle).off("close", closed);
      if (error === undefined)
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
      else reject(error);
    };
    const data = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else {
        req.pause();
        settle(tooLarge(size, max));
      }
    };
    const end = (): void => settle(undefined);
    const closed = (): void =>
      settle(new Error("the client closed the connection before sending the whole body"));
    req.on("data", data).on("end", end).on("error", settle).on("close", closed);
  });
}

function tooLarge(size: number, max: number): BadWrite {
  return new BadWrite(
    413,
    `the request body (${size > max + 1 ? `${size} bytes` : `over ${max} bytes`}) exceeds gateway.maxBodySize (${max} bytes); split it into smaller requests`,
  );
}
