/**
 * Shadow reads through a real gateway on the sandbox pair: reads that match are counted as matches,
 * a document written to the target behind the gateway's back is a mismatch (metric, log line with ids
 * and no document text, admin endpoint, validate's shadow check), the client's answers are the
 * source's bytes, and a target that never answers holds up no client: its shadow reads fill the slots
 * and the rest are dropped and counted.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { createCluster } from "../../src/cluster/index.ts";
import type { Gateway, ShadowWindow } from "../../src/gateway/index.ts";
import { SLOTS } from "../../src/gateway/shadow.ts";
import { checkShadow } from "../../src/validate/index.ts";
import {
  ADMIN_TOKEN,
  dropIndices,
  type GatewayRig,
  gatewayConfig,
  LOG_FACTORIES,
  memoryGateway,
  startGateway,
} from "../support/gateway-harness.ts";

const memory = LOG_FACTORIES.memory as NonNullable<(typeof LOG_FACTORIES)["memory"]>;
const P = `gw-shadow-${randomBytes(4).toString("hex")}`;
const DOCS = 5;

/** Waits until the window satisfies `done` (shadow reads finish after the client's answer). */
async function windowWhen(read: () => ShadowWindow | undefined, done: (w: ShadowWindow) => boolean) {
  for (let i = 0; i < 600; i++) {
    const w = read();
    if (w !== undefined && done(w)) return w;
    await delay(50);
  }
  assert.fail(`the shadow window never got there: ${JSON.stringify(read())}`);
}

async function bytes(url: string, init: RequestInit = {}): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, init);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

const SEARCH = {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ query: { match_all: {} }, sort: [{ n: "asc" }] }),
};

/** A search answer without `took`, the one field that differs between two asks. */
function withoutTook(body: Buffer): unknown {
  const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
  delete parsed.took;
  return parsed;
}

describe("shadow reads against the sandbox pair", () => {
  let rig: GatewayRig;
  let sourceUrl = "";

  before(async () => {
    rig = await startGateway(P, memory, { gateway: "shadowReads: 1" });
    sourceUrl = rig.config.source.urls[0] ?? "";
    for (const cluster of [rig.source, rig.target]) {
      await cluster.request({
        method: "PUT",
        path: `/${P}`,
        body: { mappings: { properties: { n: { type: "long" } } } },
      });
      for (let n = 1; n <= DOCS; n++)
        await cluster.request({ method: "PUT", path: `/${P}/_doc/d${n}`, body: { n, note: `doc ${n}` } });
      await cluster.request({ method: "POST", path: `/${P}/_refresh` });
    }
  });

  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  test("reads that match: the client gets the source's bytes; each read is compared and matches", async () => {
    const get = await bytes(`${rig.url}/${P}/_doc/d1`);
    assert.deepEqual(get, await bytes(`${sourceUrl}/${P}/_doc/d1`));
    const count = await bytes(`${rig.url}/${P}/_count`);
    assert.deepEqual(count, await bytes(`${sourceUrl}/${P}/_count`));
    const search = await bytes(`${rig.url}/${P}/_search`, SEARCH);
    assert.equal(search.status, 200);
    assert.deepEqual(
      withoutTook(search.body),
      withoutTook((await bytes(`${sourceUrl}/${P}/_search`, SEARCH)).body),
    );
    // A gzip answer the client asked for is still compared (the gateway decodes its copy).
    const zipped = await fetch(`${rig.url}/${P}/_doc/d2`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(zipped.status, 200);
    await zipped.arrayBuffer();
    const w = await windowWhen(
      () => rig.gateway.shadowWindow(),
      (x) => x.compared >= 4,
    );
    assert.equal(w.compared, 4, JSON.stringify(w));
    assert.equal(w.matched, 4, JSON.stringify(w));
    assert.equal(w.mismatched, 0);
    assert.deepEqual(Object.keys(w.byKind).sort(), ["count", "get", "search"]);
  });

  test("a document only the target has is a mismatch: counted, logged by id without its text, reported", async () => {
    const secret = `text-never-logged-${randomBytes(4).toString("hex")}`;
    await rig.target.request({
      method: "PUT",
      path: `/${P}/_doc/only-target`,
      body: { n: 99, note: secret },
    });
    await rig.target.request({ method: "POST", path: `/${P}/_refresh` });
    const before = rig.gateway.shadowWindow()?.compared ?? 0;
    const search = await bytes(`${rig.url}/${P}/_search`, SEARCH);
    assert.equal(
      (JSON.parse(search.body.toString()) as { hits: { total: { value: number } } }).hits.total.value,
      DOCS,
    );
    assert.equal((await bytes(`${rig.url}/${P}/_doc/only-target`)).status, 404);
    const w = await windowWhen(
      () => rig.gateway.shadowWindow(),
      (x) => x.mismatched + x.settled >= 2 && x.compared >= before + 2,
    );
    assert.equal(w.mismatched, 2, JSON.stringify(w));
    assert.equal(w.settled, 0);
    assert.deepEqual(w.recent.map((m) => `${m.kind} ${m.path}: ${m.differences.join("; ")}`).sort(), [
      `get /${P}/_doc/only-target: found on the target only`,
      `search /${P}/_search: total ${DOCS} ≠ ${DOCS + 1}; ${DOCS} hit(s) on the first page ≠ ${DOCS + 1}`,
    ]);
    const metrics = await (await fetch(`${rig.url}/_bluegreen/metrics`)).text();
    assert.match(metrics, /bluegreen_gateway_shadow_reads_total\{kind="search",result="mismatch"\} 1/);
    assert.match(metrics, /bluegreen_gateway_shadow_mismatches_total\{kind="get",part="found"\} 1/);
    const lines = rig.logLines.filter((l) => l.includes("shadow read mismatch"));
    assert.equal(lines.length, 2);
    assert.ok(lines.some((l) => l.includes("only-target")));
    assert.ok(
      rig.logLines.every((l) => !l.includes(secret)),
      "a document's text reached the log",
    );

    const denied = await fetch(`${rig.url}/_bluegreen/shadow`);
    assert.equal(denied.status, 401);
    const asked = (await (
      await fetch(`${rig.url}/_bluegreen/shadow`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    ).json()) as ShadowWindow & { enabled: boolean };
    assert.equal(asked.enabled, true);
    assert.equal(asked.mismatched, 2);
    assert.ok(JSON.stringify(asked).includes(secret) === false);

    // validate's check reads the same window from the gateway (found through gateway.listen).
    const listen = new URL(rig.url).host;
    const config = { ...rig.config, gateway: { ...rig.config.gateway, listen } };
    const check = await checkShadow(config, rig.state);
    assert.ok(check !== undefined);
    assert.equal(check.passed, false, check.summary);
    assert.match(check.summary, new RegExp(`2 of ${w.compared} mirrored read\\(s\\) differ`));
    const tolerant = { ...config, validate: { ...config.validate, shadowMismatchMax: 0.5 } };
    assert.equal((await checkShadow(tolerant, rig.state))?.passed, true);
  });

  test("outside capture mode nothing is mirrored, and the window opens anew", async () => {
    await rig.gateway.setMode("dual");
    await bytes(`${rig.url}/${P}/_doc/d1`);
    const w = rig.gateway.shadowWindow();
    assert.ok(w !== undefined);
    assert.equal(w.compared, 0);
    assert.match(w.why, /mode changed from capture to dual/);
    assert.match(w.paused ?? "", /dual mode/);
    await rig.gateway.setMode("capture");
  });
});

describe("a target that never answers", () => {
  const dir = mkdtempSync(join(tmpdir(), "gw-stall-"));
  const config = gatewayConfig(`${P}-stall`, dir);
  const source = createCluster(config.source);
  const index = `${P}-stall`;
  /** Accepts each request and never answers it. */
  const received: IncomingMessage[] = [];
  const stall = createServer((req) => void received.push(req));
  let gateway: Gateway | undefined;

  after(async () => {
    await gateway?.close();
    stall.closeAllConnections();
    stall.close();
    await source.request({ method: "DELETE", path: `/${index}`, allowStatus: [404] });
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("delays no client: beyond the slots, picked reads are dropped and counted", async () => {
    stall.listen(0, "127.0.0.1");
    await once(stall, "listening");
    await source.request({ method: "PUT", path: `/${index}/_doc/1`, body: { n: 1 } });
    const started = await memoryGateway(config, {
      target: { ...config.target, urls: [`http://127.0.0.1:${(stall.address() as AddressInfo).port}`] },
      // Longer than the test: the stalled shadow reads hold their slots until the gateway closes.
      settings: { shadowReads: 1, requestTimeoutMs: 600_000 },
    });
    gateway = started.gateway;
    const url = started.url;
    const direct = await bytes(`${config.source.urls[0]}/${index}/_doc/1`);
    const extra = 4;
    for (let i = 0; i < SLOTS + extra; i++) assert.deepEqual(await bytes(`${url}/${index}/_doc/1`), direct);
    // Every client had its answer, and the target has answered nothing.
    for (let i = 0; i < 600 && received.length < SLOTS; i++) await delay(50);
    assert.equal(received.length, SLOTS);
    const w = gateway.shadowWindow();
    assert.equal(w?.skipped.busy, extra, JSON.stringify(w));
    assert.equal(w?.compared, 0);
    // Closing does not wait for the target either.
    assert.deepEqual(await gateway.close(), { drained: true });
    gateway = undefined;
  });
});
