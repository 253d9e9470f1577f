/**
 * Real third-party clients through the gateway: elasticdump imports a file (documents with and without
 * ids) into the gateway URL and exports it back through the gateway (scroll reads); replay makes the
 * target equal. And the client's credentials never reach the gateway's logs. Then the official
 * OpenSearch JavaScript client and the legacy Elasticsearch 7 client (7.13.0, the last without the
 * product check that refuses OpenSearch and Elasticsearch OSS) against the gateway in front of every
 * source the suite runs: what they read through it is what they read directly, the product check's
 * inputs and a compatibility-header write are answered as the source answers them, and replay makes
 * the target equal.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client as OpenSearchClient } from "@opensearch-project/opensearch";
import { assertSameContent } from "../support/digest.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { type TestPair, versionPaths } from "../support/sandbox.ts";

const P = `gw-cli-${randomBytes(4).toString("hex")}`;
const ELASTICDUMP = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "elasticdump");

async function elasticdump(args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [ELASTICDUMP, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const [code] = await once(child, "exit");
  assert.equal(code, 0, `elasticdump ${args.join(" ")} failed:\n${output}`);
  return output;
}

describe("third-party clients through the gateway", () => {
  let rig: GatewayRig;
  before(async () => {
    rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
  });
  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  test("elasticdump imports into the gateway and exports through it; replay → source ≡ target", async () => {
    const input = join(rig.dir, "input.ndjson");
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify({
        _index: P,
        ...(i % 3 === 0 ? {} : { _id: `d${i}` }),
        _source: { i, tag: `t${i % 7}` },
      }),
    );
    writeFileSync(input, `${lines.join("\n")}\n`);
    await elasticdump([`--input=${input}`, `--output=${rig.url}/${P}`, "--type=data", "--limit=50"]);
    await rig.source.request({ method: "POST", path: `/${P}/_refresh` });
    const count = await rig.source.request<{ count: number }>({ method: "GET", path: `/${P}/_count` });
    assert.equal(count.body.count, 300);

    const exported = join(rig.dir, "export.ndjson");
    await elasticdump([`--input=${rig.url}/${P}`, `--output=${exported}`, "--type=data", "--limit=64"]);
    const back = readFileSync(exported, "utf8")
      .split("\n")
      .filter((l) => l !== "");
    assert.equal(back.length, 300);

    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    await assertSameContent(rig.source, P, rig.target);
  });

  test("the client's Authorization header never reaches the gateway's logs", async () => {
    const secret = "sup3r-s3cret-pw";
    const authorization = `Basic ${Buffer.from(`gw-user:${secret}`).toString("base64")}`;
    const headers = { authorization, "content-type": "application/json" };
    // A write, a read, a refused write and a dual-mode write: every log path the gateway has.
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-1`, { method: "PUT", headers, body: '{"a":1}' })
    ).arrayBuffer();
    await (await fetch(`${rig.url}/${P}/_doc/auth-1`, { headers })).arrayBuffer();
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-2`, { method: "PUT", headers, body: "{broken" })
    ).arrayBuffer();
    await rig.gateway.setMode("dual");
    await (
      await fetch(`${rig.url}/${P}/_doc/auth-3`, { method: "PUT", headers, body: '{"a":3}' })
    ).arrayBuffer();
    await rig.gateway.setMode("capture");
    const logged = rig.logLines.join("");
    assert.ok(rig.logLines.length > 3, "the gateway logged nothing: the check would prove nothing");
    assert.ok(!logged.includes(secret) && !logged.includes(authorization.slice(6)), "credentials in the log");
    assert.ok(!/authorization/i.test(logged));
  });
});

/** What both clients' document calls look like: the same API names, `{ body }` responses. */
interface DocumentClient {
  index(params: Record<string, unknown>): Promise<{ body: unknown }>;
  bulk(params: Record<string, unknown>): Promise<{ body: unknown }>;
  update(params: Record<string, unknown>): Promise<{ body: unknown }>;
  delete(params: Record<string, unknown>): Promise<{ body: unknown }>;
  get(params: Record<string, unknown>): Promise<{ body: unknown }>;
  mget(params: Record<string, unknown>): Promise<{ body: unknown }>;
  search(params: Record<string, unknown>): Promise<{ body: unknown }>;
  count(params: Record<string, unknown>): Promise<{ body: unknown }>;
  close(): Promise<void>;
}

/* 7.13.0's package exports hide its typings from ESM resolution; it is loaded as the CommonJS it is. */
const { Client: ElasticsearchClient } = createRequire(import.meta.url)("@elastic/elasticsearch") as {
  Client: new (options: { node: string }) => DocumentClient;
};

const CLIENTS: Readonly<Record<string, (node: string) => DocumentClient>> = {
  "@opensearch-project/opensearch": (node) => new OpenSearchClient({ node }) as unknown as DocumentClient,
  "@elastic/elasticsearch@7": (node) => new ElasticsearchClient({ node }),
};

/** Writes of every kind the clients make: by id, without id, bulk index/update/delete, update, delete. */
async function clientWrites(client: DocumentClient, index: string): Promise<void> {
  for (let i = 0; i < 20; i++) await client.index({ index, id: `c${i}`, body: { i, tag: `t${i % 3}` } });
  await client.index({ index, body: { generated: true } });
  const bulk = await client.bulk({
    body: [
      { index: { _index: index, _id: "b1" } },
      { i: 101, tag: "bulk" },
      { update: { _index: index, _id: "c3" } },
      { doc: { tag: "bulk-updated" } },
      { delete: { _index: index, _id: "c4" } },
    ],
  });
  assert.equal((bulk.body as { errors: boolean }).errors, false, JSON.stringify(bulk.body));
  await client.update({ index, id: "c5", body: { doc: { tag: "updated" } } });
  await client.delete({ index, id: "c6" });
}

/** The reads, as plain data to compare: a get, an mget, a search and a count. */
async function clientReads(client: DocumentClient, index: string): Promise<unknown> {
  const get = (await client.get({ index, id: "c3" })).body as { _source: unknown };
  const mget = (await client.mget({ index, body: { ids: ["c1", "c4", "c5"] } })).body as {
    docs: { _id: string; found: boolean; _source?: unknown }[];
  };
  const search = (await client.search({ index, body: { query: { term: { tag: "updated" } } } })).body as {
    hits: { hits: { _id: string }[] };
  };
  const count = (await client.count({ index })).body as { count: number };
  return {
    get: get._source,
    mget: mget.docs.map((d) => [d._id, d.found, d._source]),
    search: search.hits.hits.map((h) => h._id),
    count: count.count,
  };
}

/** Exactly what a 7.14+ Elasticsearch client's product check reads from `GET /`. */
async function productCheckInputs(url: string): Promise<unknown> {
  const res = await fetch(`${url}/`);
  const body = (await res.json()) as { tagline?: string; version?: Record<string, unknown> };
  return {
    status: res.status,
    product: res.headers.get("x-elastic-product"),
    tagline: body.tagline,
    number: body.version?.number,
    flavor: body.version?.build_flavor,
    distribution: body.version?.distribution,
  };
}

/** A write with the media type an Elasticsearch 8 client (or a 7.x one in compatibility mode) sends. */
async function compatibilityWrite(url: string, index: string): Promise<number> {
  const media = "application/vnd.elasticsearch+json; compatible-with=7";
  const res = await fetch(`${url}/${index}/_doc/compat-1`, {
    method: "PUT",
    headers: { "content-type": media, accept: media },
    body: JSON.stringify({ compat: true }),
  });
  await res.arrayBuffer();
  return res.status;
}

const SOURCES: Readonly<Record<string, () => TestPair>> = {
  "OpenSearch 2.11": () => versionPaths()["2.11 → 2.19"] as TestPair,
  "OpenSearch 1.3": () => versionPaths()["1.3 → 2.19"] as TestPair,
  "OpenSearch 2.19": () => versionPaths()["2.19 → 3"] as TestPair,
  "Elasticsearch 7.10 OSS": () => versionPaths()["es-7.10 → 3"] as TestPair,
};

for (const [sourceName, pairOf] of Object.entries(SOURCES)) {
  describe(`JavaScript clients through the gateway in front of ${sourceName}`, () => {
    const Q = `gw-js-${randomBytes(4).toString("hex")}`;
    let rig: GatewayRig;
    before(async () => {
      rig = await startGateway(Q, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
        pair: pairOf(),
      });
    });
    after(async () => {
      await dropIndices([rig.source, rig.target], Q);
      await rig.close();
    });

    test("the product check reads through the gateway what it reads from the source", async () => {
      assert.deepEqual(await productCheckInputs(rig.url), await productCheckInputs(pairOf().source.url));
    });

    test("a compatibility-header write is answered as the source answers it, and replays nowhere", async () => {
      const direct = await compatibilityWrite(pairOf().source.url, `${Q}-compat`);
      const through = await compatibilityWrite(rig.url, `${Q}-compat`);
      assert.equal(through, direct);
      assert.equal((await rig.replay()).deadLettered, 0);
      const onTarget = await rig.target.request({
        method: "GET",
        path: `/${Q}-compat/_doc/compat-1`,
        allowStatus: [404],
      });
      const onSource = await rig.source.request({
        method: "GET",
        path: `/${Q}-compat/_doc/compat-1`,
        allowStatus: [404],
      });
      assert.equal(onTarget.status, onSource.status);
    });

    for (const [clientName, make] of Object.entries(CLIENTS)) {
      test(`${clientName}: writes and reads through the gateway; reads equal direct; replay → source ≡ target`, async () => {
        const index = `${Q}-${clientName.includes("elastic") ? "es" : "os"}`;
        const [viaGateway, direct] = [make(rig.url), make(pairOf().source.url)];
        try {
          await clientWrites(viaGateway, index);
          await rig.source.request({ method: "POST", path: `/${index}/_refresh` });
          assert.deepEqual(await clientReads(viaGateway, index), await clientReads(direct, index));
          assert.equal((await rig.replay()).deadLettered, 0);
          await assertSameContent(rig.source, index, rig.target);
        } finally {
          await Promise.all([viaGateway.close(), direct.close()]);
        }
      });
    }
  });
}
