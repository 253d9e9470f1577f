/** What the test proxies in front of a real cluster share: reading a request and passing it on. */
import type { IncomingMessage } from "node:http";

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `req` (with `body` in place of its own) to `target`, with the client's headers. */
export function forward(target: string, req: IncomingMessage, body: Buffer): Promise<Response> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (typeof v === "string" && !["host", "content-length", "connection"].includes(k)) headers[k] = v;
  const method = req.method ?? "GET";
  return fetch(`${target}${req.url}`, {
    method,
    headers,
    ...(method === "GET" || method === "HEAD" ? {} : { body: new Uint8Array(body) }),
  });
}
