/**
 * A fault-injecting HTTP proxy in front of a real cluster, for the copier's retry logic only: it
 * answers some `_bulk` requests with 429 outright and rejects some items of others with
 * es_rejected_execution_exception (those items are not forwarded, so the target never saw them).
 * Everything else passes through to the real cluster untouched.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { forward, readBody } from "./forward.ts";

export interface FaultProxy {
  readonly url: string;
  readonly stats: { bulkRequests: number; rejected429: number; rejectedItems: number };
  close(): Promise<void>;
}

export interface FaultOptions {
  /** Every n-th `_bulk` request is answered 429 without being forwarded. */
  readonly every429: number;
  /** Fraction of items (by a deterministic counter) rejected as es_rejected_execution_exception. */
  readonly itemRejectEvery: number;
}

export async function startFaultProxy(target: string, options: FaultOptions): Promise<FaultProxy> {
  const stats = { bulkRequests: 0, rejected429: 0, rejectedItems: 0 };
  let itemCounter = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? "").split("?")[0] ?? "";
      if (req.method === "POST" && path.endsWith("/_bulk")) {
        stats.bulkRequests++;
        if (stats.bulkRequests % options.every429 === 0) {
          stats.rejected429++;
          res.writeHead(429, { "content-type": "application/json" });
          res.end(
            JSON.stringify({
              error: { type: "es_rejected_execution_exception", reason: "injected" },
              status: 429,
            }),
          );
          return;
        }
        const lines = body
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== "");
        const keep: string[] = [];
        const rejectedAt = new Set<number>();
        for (let i = 0; i < lines.length; i += 2) {
          itemCounter++;
          if (itemCounter % options.itemRejectEvery === 0) rejectedAt.add(i / 2);
          else keep.push(lines[i] as string, lines[i + 1] as string);
        }
        stats.rejectedItems += rejectedAt.size;
        const upstream = await forward(
          target,
          req,
          Buffer.from(keep.length === 0 ? "" : `${keep.join("\n")}\n`),
        );
        const parsed =
          keep.length === 0
            ? { errors: false, items: [] }
            : ((await upstream.json()) as { errors?: boolean; items?: unknown[] });
        const real = [...(parsed.items ?? [])];
        const items: unknown[] = [];
        for (let k = 0; k < lines.length / 2; k++) {
          items.push(
            rejectedAt.has(k)
              ? {
                  index: {
                    status: 429,
                    error: { type: "es_rejected_execution_exception", reason: "injected: queue full" },
                  },
                }
              : real.shift(),
          );
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ errors: parsed.errors === true || rejectedAt.size > 0, items }));
        return;
      }
      const upstream = await forward(target, req, body);
      const out = Buffer.from(await upstream.arrayBuffer());
      res.writeHead(upstream.status, {
        "content-type": upstream.headers.get("content-type") ?? "application/json",
      });
      res.end(out);
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
