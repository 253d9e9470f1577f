import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import { BadWrite } from "./bad-write.ts";

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

export function sendAnswer(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: Buffer,
): void {
  res.writeHead(status, { ...headers, "content-length": body.length });
  res.end(body);
}

/**
 * Buffers a write's body up to `max` bytes (after gunzip, if the client compressed it). Beyond that it
 * throws BadWrite(413) without reading the rest; the caller closes the connection.
 */
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > max) throw tooLarge(declared, max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw tooLarge(size, max);
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  const encoding = req.headers["content-encoding"];
  if (encoding === undefined || encoding === "identity") return raw;
  if (encoding !== "gzip")
    throw new BadWrite(400, `content-encoding ${encoding} is not supported (use gzip or none)`);
  try {
    return gunzipSync(raw, { maxOutputLength: max });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(max + 1, max);
    throw new BadWrite(400, `the gzip body cannot be decompressed: ${(error as Error).message}`);
  }
}

function tooLarge(size: number, max: number): BadWrite {
  return new BadWrite(
    413,
    `the request body (${size > max + 1 ? `${size} bytes` : `over ${max} bytes`}) exceeds gateway.maxBodySize (${max} bytes); split it into smaller requests`,
  );
}
