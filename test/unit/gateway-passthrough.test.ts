/**
 * What the gateway sends upstream, seen by a header probe standing in for the cluster (no OpenSearch
 * behaviour is imitated: it only records what arrives). The gateway must pass the client's own
 * Authorization through and never add the credentials the migration file holds for bluegreen itself.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Agent, fetch as undiciFetch } from "undici";
import { parseConfig } from "../../src/config/index.ts";
import { Gateway, type GatewayMode } from "../../src/gateway/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { MemoryLog } from "../support/gateway-memory-log.ts";

let probe: Server;
let gateway: Gateway;
let url: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; bytes: number }[] = [];

before(async () => {
  probe = createServer((req, res) => {
    let bytes = 0;
    req.on("data", (d: Buffer) => {
      bytes += d.length;
    });
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, bytes });
      if (req.url?.startsWith("/big")) {
        // A large read answer, streamed back in chunks.
        res.writeHead(200, { "content-type": "application/json" });
        for (let i = 0; i < 200; i++) res.write(`${"x".repeat(10_000)}\n`);
        res.end();
        return;
      }
      res.writeHead(201, { "content-type": "application/json" }).end('{"_id":"probe","result":"created"}');
    });
  });
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const port = (probe.address() as AddressInfo).port;
  const config = parseConfig(
    `version: 1\nname: gw-probe\nsource: { url: 'http://127.0.0.1:${port}', auth: { type: basic, username: tool, password: tool-secret } }\ntarget: { url: 'http://127.0.0.1:${port}/t', auth: { type: basic, username: tool, password: tool-secret } }\n`,
    { baseDir: "/tmp", env: {} },
  );
  let mode: GatewayMode | undefined;
  gateway = new Gateway({
    source: config.source,
    target: config.target,
    settings: config.gateway,
    rename: {},
    log: new MemoryLog(),
    modes: {
      load: () => mode,
      save: (m) => {
        mode = m;
      },
    },
    logger: createLogger({ level: "silent" }),
  });
  url = (await gateway.listen("127.0.0.1", 0)).url;
});

after(async () => {
  await gateway.close();
  probe.close();
});

test("the client's Authorization passes through; the tool's credentials are never added", async () => {
  seen.length = 0;
  await (
    await fetch(`${url}/i/_search`, { headers: { authorization: "Bearer client-token" } })
  ).arrayBuffer();
  await (
    await fetch(`${url}/i/_doc/1`, {
      method: "PUT",
      body: "{}",
      headers: { "content-type": "application/json" },
    })
  ).arrayBuffer();
  assert.equal(seen[0]?.headers.authorization, "Bearer client-token");
  assert.equal(seen[1]?.headers.authorization, undefined);
  const toolToken = Buffer.from("tool:tool-secret").toString("base64");
  assert.ok(!JSON.stringify(seen).includes(toolToken));
});

test("hop-by-hop headers are dropped; a write is forwarded with its recomputed length", async () => {
  seen.length = 0;
  await (
    await fetch(`${url}/i/_doc/2`, {
      method: "PUT",
      body: '{"a":1}',
      headers: {
        "content-type": "application/json",
        "proxy-authorization": "Basic eA==",
        "x-opaque-id": "trace-1",
      },
    })
  ).arrayBuffer();
  const h = seen[0]?.headers ?? {};
  assert.equal(h["proxy-authorization"], undefined);
  assert.equal(h["x-opaque-id"], "trace-1");
  assert.equal(h["content-length"], "7");
});

test("large read answers stream through whole; the target's base path is kept in target mode", async () => {
  const res = await fetch(`${url}/big`);
  assert.equal((await res.text()).length, 200 * 10_001);
  await gateway.setMode("target");
  seen.length = 0;
  await (await fetch(`${url}/i/_count`)).arrayBuffer();
  assert.equal(seen[0]?.url, "/t/i/_count");
  await gateway.setMode("capture");
});

test("gateway.tls serves clients over HTTPS", async () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-tls-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    const port = (probe.address() as AddressInfo).port;
    const config = parseConfig(
      `version: 1\nname: gw-tls\nsource: { url: 'http://127.0.0.1:${port}' }\ntarget: { url: 'http://127.0.0.1:${port}/t' }\ngateway: { tls: { cert: cert.pem, key: key.pem } }\n`,
      { baseDir: dir, env: {} },
    );
    const secure = new Gateway({
      source: config.source,
      target: config.target,
      settings: config.gateway,
      rename: {},
      log: new MemoryLog(),
      modes: { load: () => undefined, save: () => {} },
      logger: createLogger({ level: "silent" }),
    });
    const { url: httpsUrl } = await secure.listen("127.0.0.1", 0);
    const agent = new Agent({ connect: { ca: readFileSync(join(dir, "cert.pem"), "utf8") } });
    try {
      assert.match(httpsUrl, /^https:/);
      const res = await undiciFetch(`${httpsUrl}/i/_doc/9`, {
        method: "PUT",
        body: "{}",
        headers: { "content-type": "application/json" },
        dispatcher: agent,
      });
      assert.equal(res.status, 201);
    } finally {
      await agent.close();
      await secure.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
