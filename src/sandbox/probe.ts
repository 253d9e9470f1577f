import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

export interface ProbeTarget {
  readonly url: string;
  readonly ca?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface ProbeResult {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A bare GET used only to wait for sandbox nodes: the cluster layer's retries and error mapping would
 * get in the way of a tight readiness poll, and this must work before any config exists.
 */
export function probe(target: ProbeTarget, path: string, timeoutMs = 5000): Promise<ProbeResult> {
  const url = new URL(path, target.url);
  const headers: Record<string, string> = { accept: "application/json" };
  if (target.username !== undefined && target.password !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString("base64")}`;
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: "GET", headers, timeout: timeoutMs, ...(target.ca ? { ca: target.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // Not JSON (e.g. a security plugin's plain-text 503 while it initializes): keep the text.
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
