/**
 * A proxy in front of a real cluster that holds back the requests whose body contains a marker until
 * the test releases them, and passes everything else straight through: a slow connection, so that a
 * write sent later reaches the cluster first. Only the order of arrival changes; the cluster judges
 * and applies every request itself.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { forward, readBody } from "./forward.ts";

export interface HoldProxy {
  readonly url: string;
  /** Resolves once a request with the marker has arrived and is being held. */
  held(): Promise<void>;
  /** Lets the held requests through. */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldProxy(target: string, marker: string): Promise<HoldProxy> {
  let arrived: () => void = () => undefined;
  let arrival = new Promise<void>((r) => {
    arrived = r;
  });
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (body.includes(marker)) {
        arrived();
        await gate;
      }
      const answer = await forward(target, req, body);
      const bytes = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        "content-type": answer.headers.get("content-type") ?? "application/json",
      });
      res.end(bytes);
    })().catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    held: () => arrival,
    release() {
      release();
      // The next marked request is held again.
      gate = new Promise<void>((r) => {
        release = r;
      });
      arrival = new Promise<void>((r) => {
        arrived = r;
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
