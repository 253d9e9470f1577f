/**
 * No credential may surface in what a failure leaves behind: the error message, its JSON, its
 * inspected form (cause chain included) or the debug log. Every failure mode is tried against a
 * local fault server with each kind of credential.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { inspect } from "node:util";
import { createCluster } from "../../src/cluster/index.ts";
import type { ClusterAuth, ClusterConfig } from "../../src/config/cluster-config.ts";
import { Secret } from "../../src/config/secret.ts";
import { BluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";

const PASSWORD = "Pa55-w0rd-do-not-leak";
const SECRET_KEY = "wJalrXUtnFEMI-SECRET-do-not-leak";
const SESSION_TOKEN = "session-token-do-not-leak";

type Handler = (res: ServerResponse, req: IncomingMessage) => void;

async function serve(
  handler: Handler,
): Promise<{ url: string; authorizations: string[]; close(): Promise<void> }> {
  const authorizations: string[] = [];
  const server = createServer((req, res) => {
    if (typeof req.headers.authorization === "string") authorizations.push(req.headers.authorization);
    req.resume();
    req.on("end", () => handler(res, req));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const status =
  (code: number, body: unknown = { error: { type: "some_exception", reason: "nope" } }): Handler =>
  (res) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };

const auths: Record<string, ClusterAuth> = {
  basic: { type: "basic", username: "bluegreen", password: new Secret(PASSWORD) },
  sigv4: {
    type: "sigv4",
    region: "eu-west-1",
    service: "es",
    accessKeyId: new Secret("AKIDEXAMPLE"),
    secretAccessKey: new Secret(SECRET_KEY),
    sessionToken: new Secret(SESSION_TOKEN),
  },
  url: { type: "none" },
};

const faults: Record<string, { handler: Handler; method: "GET" | "POST"; code: string }> = {
  "401": { handler: status(401, "Unauthorized"), method: "GET", code: "BG_CLUSTER_AUTH" },
  "403": { handler: status(403), method: "GET", code: "BG_CLUSTER_FORBIDDEN" },
  "404": { handler: status(404), method: "GET", code: "BG_CLUSTER_RESPONSE" },
  "503": { handler: status(503), method: "GET", code: "BG_CLUSTER_THROTTLED" },
  reset: { handler: (_res, req) => req.socket.destroy(), method: "POST", code: "BG_CLUSTER_UNREACHABLE" },
  timeout: { handler: () => {}, method: "GET", code: "BG_CLUSTER_TIMEOUT" },
  refused: { handler: status(200), method: "GET", code: "BG_CLUSTER_UNREACHABLE" },
};

for (const [authName, auth] of Object.entries(auths)) {
  for (const [faultName, fault] of Object.entries(faults)) {
    test(`no credential leaks: ${authName} auth, ${faultName}`, async () => {
      const server = await serve(fault.handler);
      if (faultName === "refused") await server.close();
      const url =
        authName === "url" ? server.url.replace("http://", `http://bluegreen:${PASSWORD}@`) : server.url;
      const logLines: string[] = [];
      const logger = createLogger({
        level: "trace",
        destination: { write: (line: string) => logLines.push(line) },
      });
      const config: ClusterConfig = {
        name: "target",
        urls: [url],
        auth,
        tls: { insecure: false },
        requestTimeoutMs: 150,
        retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 },
      };
      const cluster = createCluster(config, { logger });
      let caught: unknown;
      try {
        // A remote reindex carries a password in its body; no failure may echo the body either.
        const body = { source: { remote: { host: "http://old:9200", username: "u", password: PASSWORD } } };
        await cluster.request({
          method: fault.method,
          path: "/_reindex",
          body,
          idempotent: fault.method === "GET",
        });
      } catch (error) {
        caught = error;
      } finally {
        await cluster.close();
        await server.close();
      }
      assert.ok(caught instanceof BluegreenError, `expected a BluegreenError, got ${String(caught)}`);
      assert.equal(caught.code, fault.code);
      const outputs = {
        message: caught.message,
        fix: caught.fix ?? "",
        json: JSON.stringify(caught.toJSON()),
        inspected: inspect(caught, { depth: 12 }),
        log: logLines.join(""),
      };
      assert.ok(outputs.log.length > 0, "the attempt was logged");
      if (faultName !== "refused") assert.ok(server.authorizations.length > 0, "credentials were sent");
      const forbidden = [
        PASSWORD,
        encodeURIComponent(PASSWORD),
        Buffer.from(`bluegreen:${PASSWORD}`).toString("base64"),
        SECRET_KEY,
        SESSION_TOKEN,
        ...server.authorizations,
      ];
      for (const [where, text] of Object.entries(outputs)) {
        for (const secret of forbidden) {
          assert.ok(!text.includes(secret), `${where} contains a credential (${secret.slice(0, 12)}…)`);
        }
        assert.ok(
          !/authorization/i.test(text) || where === "inspected",
          `${where} mentions an Authorization header`,
        );
      }
    });
  }
}
