/**
 * Bad input against a gateway in front of the real clusters.
 * - Malformed writes are OpenSearch's to judge: the gateway logs them as they came, forwards them, and
 *   the client gets the source's own answer, byte for byte what it gets without the gateway; the
 *   logged outcome is the refusal, so replay skips them (and makes only the empty index they made).
 * - What the gateway refuses itself (size, encoding, its admin API) gets a clear answer and leaves
 *   nothing in the log; a write the source never received is logged as "not applied".
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { decodeRecord, Gateway, stateModeStore } from "../../src/gateway/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { ADMIN_TOKEN, dropIndices, type GatewayRig, startGateway } from "../support/gateway-harness.ts";
import { MemoryLog } from "../support/gateway-memory-log.ts";

const P = `gw-bad-${randomBytes(4).toString("hex")}`;
const json = { "content-type": "application/json" };

/** A document PUT the gateway must answer 503 (+ Retry-After) because of its capture log. */
async function putRefused(url: string, reason: RegExp): Promise<void> {
  const res = await fetch(url, { method: "PUT", headers: json, body: '{"a":1}' });
  assert.equal(res.status, 503);
  assert.match(((await res.json()) as { error: { reason: string } }).error.reason, reason);
  assert.equal(res.headers.get("retry-after"), "1");
}
const ndjson = { "content-type": "application/x-ndjson" };

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer | ReadableStream<Uint8Array>;
  readonly status: number;
  readonly reason: RegExp;
}

/** Writes OpenSearch refuses as a whole: answered by the source, exactly as without the gateway. */
const MALFORMED: readonly Omit<Case, "status" | "reason">[] = [
  { name: "malformed JSON document", method: "PUT", path: `/${P}-m/_doc/1`, headers: json, body: '{"a":' },
  {
    name: "document that is not an object",
    method: "POST",
    path: `/${P}-m/_doc`,
    headers: json,
    body: "[1,2]",
  },
  { name: "malformed update body", method: "POST", path: `/${P}-m/_update/1`, headers: json, body: "nope" },
  {
    name: "malformed _bulk action line",
    method: "POST",
    path: "/_bulk",
    headers: ndjson,
    body: `{"index":{"_index":"${P}-m"}}\n{"a":1}\n{oops\n`,
  },
  {
    name: "_bulk action without its document",
    method: "POST",
    path: "/_bulk",
    headers: ndjson,
    body: `{"index":{"_index":"${P}-m"}}\n`,
  },
  {
    name: "_bulk delete without _id",
    method: "POST",
    path: `/${P}-m/_bulk`,
    headers: ndjson,
    body: '{"delete":{}}\n',
  },
  {
    name: "_bulk with an unknown action",
    method: "POST",
    path: `/${P}-m/_bulk`,
    headers: ndjson,
    body: '{"upsert":{}}\n{}\n',
  },
  {
    name: "_bulk naming no index",
    method: "POST",
    path: "/_bulk",
    headers: ndjson,
    body: '{"index":{}}\n{"a":1}\n',
  },
  {
    name: "_bulk without its final newline",
    method: "POST",
    path: `/${P}-m/_bulk`,
    headers: ndjson,
    body: '{"index":{}}\n{"a":1}',
  },
  { name: "empty _bulk", method: "POST", path: "/_bulk", headers: ndjson, body: "\n" },
  {
    name: "_bulk in YAML",
    method: "POST",
    path: `/${P}-m/_bulk`,
    headers: { "content-type": "application/yaml" },
    body: "---\nindex: {}\n",
  },
  {
    name: "_bulk as text/plain",
    method: "POST",
    path: `/${P}-m/_bulk`,
    headers: { "content-type": "text/plain" },
    body: '{"index":{}}\n{"a":1}\n',
  },
  {
    name: "malformed delete-by-query",
    method: "POST",
    path: `/${P}-m/_delete_by_query`,
    headers: json,
    body: "{",
  },
];

/** A body sent in pieces with no content-length, so only the bytes read can show it is too large. */
function chunked(body: Buffer, piece = 8_192): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let at = 0; at < body.length; at += piece) controller.enqueue(body.subarray(at, at + piece));
      controller.close();
    },
  });
}

/** What the gateway refuses itself, before anything is forwarded or logged. */
const CASES: readonly Case[] = [
  {
    name: "oversized body",
    method: "POST",
    path: "/_bulk",
    headers: ndjson,
    body: Buffer.alloc(70_000, 0x20),
    status: 413,
    reason: /exceeds gateway.maxBodySize \(65536 bytes\)/,
  },
  {
    name: "oversized body sent in chunks",
    method: "POST",
    path: "/_bulk",
    headers: ndjson,
    body: chunked(Buffer.alloc(70_000, 0x20)),
    status: 413,
    reason: /the request body \(\d+ bytes\) exceeds gateway.maxBodySize \(65536 bytes\)/,
  },
  {
    name: "oversized once decompressed",
    method: "PUT",
    path: `/${P}/_doc/1`,
    headers: { ...json, "content-encoding": "gzip" },
    body: gzipSync(`{"a":"${"x".repeat(80_000)}"}`),
    status: 413,
    reason: /exceeds gateway.maxBodySize/,
  },
  {
    name: "unsupported content-encoding",
    method: "PUT",
    path: `/${P}/_doc/1`,
    headers: { ...json, "content-encoding": "br" },
    body: "{}",
    status: 400,
    reason: /content-encoding br is not supported \(use gzip, deflate or none\)/,
  },
  {
    name: "unknown mode",
    method: "PUT",
    path: "/_bluegreen/mode",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    body: '{"mode":"turbo"}',
    status: 400,
    reason: /"turbo" is not a gateway mode; use one of: capture, dual, fenced, target/,
  },
  {
    name: "mode switch without the token",
    method: "PUT",
    path: "/_bluegreen/mode",
    body: '{"mode":"target"}',
    status: 401,
    reason: /missing or wrong admin token/,
  },
  {
    name: "mode switch with a wrong token",
    method: "PUT",
    path: "/_bluegreen/mode",
    headers: { authorization: "Bearer guess" },
    body: '{"mode":"target"}',
    status: 401,
    reason: /missing or wrong admin token/,
  },
  {
    name: "unknown admin endpoint",
    method: "GET",
    path: "/_bluegreen/secrets",
    status: 404,
    reason: /no gateway endpoint GET \/_bluegreen\/secrets/,
  },
];

describe("bad input", () => {
  let rig: GatewayRig;
  before(async () => {
    rig = await startGateway(P, async () => new MemoryLog(), { gateway: "maxBodySize: 65536" });
  });
  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  for (const c of MALFORMED) {
    test(`${c.name}: the source's own answer, as without the gateway`, async () => {
      const request = {
        method: c.method,
        headers: c.headers ?? {},
        ...(c.body === undefined ? {} : { body: c.body }),
      };
      const direct = await fetch(`${rig.config.source.urls[0]}${c.path}`, request);
      const through = await fetch(`${rig.url}${c.path}`, request);
      assert.ok(direct.status >= 400, `${direct.status}`);
      assert.equal(through.status, direct.status);
      assert.equal(through.headers.get("content-type"), direct.headers.get("content-type"));
      assert.equal(await through.text(), await direct.text());
      assert.equal(rig.gateway.mode, "capture");
    });
  }

  test("malformed writes are logged with their refusal; replay applies none, and makes the index they made", async () => {
    // OpenSearch makes a missing index before it parses the document, so the refused documents left
    // an empty `-m` index on the source; replay gives the target that index, and nothing else.
    const source = await rig.source.request({ method: "HEAD", path: `/${P}-m` });
    assert.equal(source.status, 200, "the source made the index while refusing the documents");
    const report = await rig.replay();
    assert.equal(report.applied, 1, "one action: the index made, no document");
    assert.equal(report.deadLettered, 0);
    assert.ok(report.skipped >= MALFORMED.length, `skipped ${report.skipped}`);
    for (const cluster of [rig.source, rig.target])
      await cluster.request({ method: "POST", path: `/${P}-m/_refresh` });
    assert.equal((await assertSameContent(rig.source, `${P}-m`, rig.target)).sourceCount, 0);
  });

  for (const c of CASES) {
    test(`${c.name} → ${c.status}`, async () => {
      const before = (await rig.log.end())["0"];
      const res = await fetch(`${rig.url}${c.path}`, {
        method: c.method,
        headers: c.headers ?? {},
        ...(c.body === undefined ? {} : { body: c.body }),
        ...(c.body instanceof ReadableStream ? { duplex: "half" } : {}),
      });
      assert.equal(res.status, c.status);
      const body = (await res.json()) as { error: { type: string; reason: string } };
      assert.equal(body.error.type, "bluegreen_gateway_exception");
      assert.match(body.error.reason, c.reason);
      assert.equal((await rig.log.end())["0"], before, "nothing may be logged for a refused request");
      assert.equal(rig.gateway.mode, "capture");
    });
  }

  test("the capture log failing → 503 and the write never reaches the source", async () => {
    (rig.log as MemoryLog).failAppends = new Error("disk full");
    try {
      await putRefused(`${rig.url}/${P}-nolog/_doc/1`, /capture log is unavailable.*disk full/);
    } finally {
      (rig.log as MemoryLog).failAppends = undefined;
    }
    const exists = await rig.source.request({ method: "HEAD", path: `/${P}-nolog` });
    assert.equal(exists.status, 404);
  });
});

describe("syncBeforeForward false: the fsync fails after the write went out", () => {
  test("→ 503 saying so, and the gateway's log names the documents to copy", async () => {
    const log = new MemoryLog();
    const rig = await startGateway(`${P}-sync`, async () => log, { log: "syncBeforeForward: false" });
    try {
      log.failSync = new Error("I/O error");
      await putRefused(
        `${rig.url}/${P}-sync/_doc/d1`,
        /capture log is unavailable, so the write was forwarded but may be missing from the log: I\/O error/,
      );
      // The write did reach the source: the case the setting accepts, and the log line says what to copy.
      const got = await rig.source.request({ method: "GET", path: `/${P}-sync/_doc/d1`, allowStatus: [404] });
      assert.equal(got.status, 200);
      const line = rig.logLines.find((l) => l.includes("fsync failed after the write was forwarded"));
      assert.ok(line?.includes(`${P}-sync/d1`), line);
    } finally {
      log.failSync = undefined;
      await dropIndices([rig.source, rig.target], `${P}-sync`);
      await rig.close();
    }
  });
});

describe("a cluster that is down", () => {
  test("→ 502 naming the cluster; logged only as 'not applied', which replay skips", async () => {
    const rig = await startGateway(`${P}-down`, async () => new MemoryLog());
    // A second gateway on the rig's log and state, whose source is a closed port.
    const down = new Gateway({
      source: { ...rig.config.source, urls: ["http://127.0.0.1:31798"] }, // closed; below the ephemeral range
      target: rig.config.target,
      settings: rig.config.gateway,
      rename: {},
      log: rig.log,
      modes: stateModeStore(rig.state),
      logger: createLogger({ level: "silent" }),
    });
    const { url } = await down.listen("127.0.0.1", 0);
    try {
      const write = await fetch(`${url}/${P}-down/_doc/1`, { method: "PUT", headers: json, body: '{"a":1}' });
      assert.equal(write.status, 502);
      assert.match(
        ((await write.json()) as { error: { reason: string } }).error.reason,
        /cluster "source" is unreachable/,
      );
      const read = await fetch(`${url}/${P}-down/_search`);
      assert.equal(read.status, 502);
      const records = (await rig.log.read({}, 100)).map((r) => decodeRecord(r.value));
      assert.deepEqual(
        records.map((r) => (r?.t === "out" ? `out:${r.status}` : r?.t)),
        ["op", "out:0"],
      );
      const report = await rig.replay();
      assert.equal(report.skipped, 1);
      assert.equal(report.applied, 0);
      const onTarget = await rig.target.request({ method: "HEAD", path: `/${P}-down` });
      assert.equal(onTarget.status, 404);
    } finally {
      await down.close();
      await rig.close();
    }
  });
});
