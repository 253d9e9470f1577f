/**
 * Replay must give the target every effect a logged write had on the source, not only the last
 * document state: an index a write auto-created (even if the document was deleted right after), the
 * fields an earlier version added to the mapping, indices that resize and rollover create, and the
 * outcomes of a `_bulk` whose answer the client asked for in another format. Found by running
 * OpenSearch's REST API YAML tests through the gateway (issue 9).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encode as encodeCbor } from "cborg";
import { stringify as stringifyYaml } from "yaml";
import { createCluster, type Requester } from "../../src/cluster/index.ts";
import { decodeRecord } from "../../src/gateway/index.ts";
import { encodeSmile, type SmileValue } from "../../src/gateway/smile.ts";
import { createLogger } from "../../src/log/index.ts";
import { ReplayMetrics, TargetWriter } from "../../src/replay/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { startFaultProxy } from "../support/fault-proxy.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { plainClusterConfig, testSandbox } from "../support/sandbox.ts";

const P = `rp-eff-${process.pid}`;
const JSON_HEADERS = { "content-type": "application/json" };

describe("replay gives the target every effect of the logged writes", () => {
  let rig: GatewayRig;
  before(async () => {
    rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
      // Long enough that a write without a logged outcome would hold the replay past the test's end.
      replay: "outcomeWait: 10m",
    });
  });
  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  const send = async (
    method: string,
    path: string,
    body?: string | Uint8Array,
    headers: Record<string, string> = JSON_HEADERS,
  ) => {
    const res = await fetch(`${rig.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, text: await res.text() };
  };

  /** Waits (up to 30 s) for `index` to be at least yellow on `cluster`; its health status. */
  const yellow = async (cluster: Requester, index: string) =>
    (
      await cluster.request<{ status: string }>({
        method: "GET",
        path: `/_cluster/health/${index}`,
        querystring: { wait_for_status: "yellow", timeout: "30s" },
      })
    ).body.status;

  /** Both sides refreshed, then compared by content digest. */
  const sameAfterRefresh = async (index: string) => {
    for (const cluster of [rig.source, rig.target])
      await cluster.request({ method: "POST", path: `/${index}/_refresh` });
    return assertSameContent(rig.source, index, rig.target);
  };

  /** `<logs>-000001` behind the write alias `<logs>`, holding three refreshed documents. */
  const rolloverSeries = async (logs: string) => {
    await send(
      "PUT",
      `/${logs}-000001`,
      `{"settings":{"number_of_shards":1},"aliases":{"${logs}":{"is_write_index":true}}}`,
    );
    for (let i = 0; i < 3; i++) await send("PUT", `/${logs}/_doc/a${i}?refresh=true`, `{"i":${i}}`);
  };

  const mapping = async (cluster: Requester, index: string) =>
    (
      await cluster.request<Record<string, { mappings: unknown }>>({
        method: "GET",
        path: `/${index}/_mapping`,
      })
    ).body[index]?.mappings;

  test("an index auto-created by a write that was deleted at once exists on the target, with its mapping", async () => {
    assert.equal((await send("PUT", `/${P}-auto/_doc/1`, '{"made_by":"auto-create","n":7}')).status, 201);
    assert.equal((await send("DELETE", `/${P}-auto/_doc/1`)).status, 200);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    assert.deepEqual(await mapping(rig.target, `${P}-auto`), await mapping(rig.source, `${P}-auto`));
    await assertSameContent(rig.source, `${P}-auto`, rig.target);
  });

  // Found by Elasticsearch 7.10's REST suite through the gateway: a typed write its mapping refused
  // left the index it made on the source only. The same holds for any document a mapping refuses.
  test("an index a refused write made exists on the target too; a refusal that made none makes none", async () => {
    const template = `/_index_template/${P}-refused`;
    const shape = `{"index_patterns":["${P}-refused-*"],"template":{"mappings":{"properties":{"n":{"type":"long"}}}}}`;
    assert.equal((await send("PUT", template, shape)).status, 200);
    try {
      assert.equal((await send("PUT", `/${P}-refused-1/_doc/1`, '{"n":"not a number"}')).status, 400);
      const bulk = `{"index":{"_index":"${P}-refused-2","_id":"1"}}\n{"n":"nor this"}\n`;
      const answer = await send("POST", "/_bulk", bulk, { "content-type": "application/x-ndjson" });
      assert.match(answer.text, /"status":400/);
      // An index name OpenSearch refuses: nothing was made, and replay must not try.
      assert.equal((await send("PUT", `/${P}-REFUSED/_doc/1`, '{"n":1}')).status, 400);
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      for (const index of [`${P}-refused-1`, `${P}-refused-2`]) {
        assert.deepEqual(await mapping(rig.target, index), await mapping(rig.source, index), index);
        assert.equal((await sameAfterRefresh(index)).sourceCount, 0);
      }
    } finally {
      for (const cluster of [rig.source, rig.target])
        await cluster.request({ method: "DELETE", path: template, allowStatus: [404] });
    }
  });

  test("fields added by an earlier version of a document stay in the target's mapping", async () => {
    await send("PUT", `/${P}-map`, '{"settings":{"number_of_shards":1}}');
    await send("PUT", `/${P}-map/_doc/1`, '{"first":"text that maps a field"}');
    await send("PUT", `/${P}-map/_doc/1`, '{"second":42}');
    await rig.replay();
    const target = JSON.stringify(await mapping(rig.target, `${P}-map`));
    assert.match(target, /"first"/);
    assert.deepEqual(await mapping(rig.target, `${P}-map`), await mapping(rig.source, `${P}-map`));
    await assertSameContent(rig.source, `${P}-map`, rig.target);
  });

  test("_bulk answered as SMILE, YAML or CBOR still logs every item's outcome", async () => {
    const bulk = `{"index":{"_index":"${P}-fmt","_id":"1"}}\n{"a":1}\n{"delete":{"_index":"${P}-fmt","_id":"nope"}}\n{"create":{"_index":"${P}-fmt","_id":"2"}}\n{"b":9007199254740993}\n`;
    const smile = await fetch(`${rig.url}/_bulk`, {
      method: "POST",
      headers: { ...JSON_HEADERS, accept: "application/smile" },
      body: bulk,
    });
    assert.equal(smile.headers.get("content-type"), "application/smile");
    await smile.arrayBuffer();
    const yaml = await send(
      "POST",
      "/_bulk?format=yaml",
      bulk.replaceAll('"1"', '"3"').replaceAll('"2"', '"4"'),
    );
    assert.match(yaml.text, /^---/);
    const cbor = await fetch(`${rig.url}/_bulk`, {
      method: "POST",
      headers: { ...JSON_HEADERS, accept: "application/cbor" },
      body: bulk.replaceAll('"1"', '"5"').replaceAll('"2"', '"6"'),
    });
    assert.equal(cbor.headers.get("content-type"), "application/cbor");
    await cbor.arrayBuffer();
    // A document write's outcome is logged behind its answer, so it may land a moment later.
    const unmatched = async () => {
      const records = (await rig.log.read({}, 100_000)).map((r) => decodeRecord(r.value));
      const key = (r: (typeof records)[number]) => `${r?.rid}#${r?.t === "req" ? 0 : (r as { n: number }).n}`;
      const outcomes = new Set(records.filter((r) => r?.t === "out").map(key));
      return records
        .filter((r) => r?.t !== "out")
        .map(key)
        .filter((k) => !outcomes.has(k));
    };
    let missing = await unmatched();
    for (let tries = 0; missing.length > 0 && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      missing = await unmatched();
    }
    assert.deepEqual(missing, []);
    // Read item by item, in every format: none left for replay to copy from the source.
    const unknown = (await rig.log.read({}, 100_000))
      .map((r) => decodeRecord(r.value))
      .filter((r) => r?.t === "out" && r.unknown === true);
    assert.deepEqual(unknown, []);
    // With outcomeWait at 10 minutes, finishing at all proves nothing waited for a missing outcome.
    const report = await rig.replay();
    assert.equal(report.lagRecords, 0);
    await assertSameContent(rig.source, `${P}-fmt`, rig.target);
  });

  test("allocation filters naming the source's nodes are left out; the target index is green", async () => {
    const nodes = await rig.source.request<{ nodes: Record<string, { name: string }> }>({
      method: "GET",
      path: "/_nodes/_local",
    });
    const name = Object.values(nodes.body.nodes)[0]?.name ?? "";
    assert.notEqual(name, "");
    const settings = `{"settings":{"number_of_shards":1,"index.routing.allocation.include._name":"${name}"}}`;
    assert.equal((await send("PUT", `/${P}-pin`, settings)).status, 200);
    await send("PUT", `/${P}-pin/_doc/1`, '{"pinned":true}');
    // Only the filter: nothing is left for the target, which must not fail the replay either.
    const only = `{"index":{"routing":{"allocation":{"require":{"_id":"abc"},"exclude":{"_ip":"10.0.0.1"}}}}}`;
    assert.equal((await send("PUT", `/${P}-pin/_settings`, only)).status, 200);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    assert.notEqual(await yellow(rig.target, `${P}-pin`), "red");
    const flat = await rig.target.request<Record<string, { settings: Record<string, unknown> }>>({
      method: "GET",
      path: `/${P}-pin/_settings`,
      querystring: { flat_settings: "true" },
    });
    const keys = Object.keys(flat.body[`${P}-pin`]?.settings ?? {});
    assert.deepEqual(
      keys.filter((k) => k.includes("allocation")),
      [],
    );
    await assertSameContent(rig.source, `${P}-pin`, rig.target);
  });

  // Clients may send any body format OpenSearch takes; a pinned index made in each must come out green.
  const formats: readonly [string, string, (body: Record<string, unknown>) => string | Uint8Array][] = [
    // OpenSearch tells YAML from other content by its document marker.
    ["YAML", "application/yaml", (body) => `---\n${stringifyYaml(body)}`],
    ["CBOR", "application/cbor", (body) => encodeCbor(body)],
    ["SMILE", "application/smile", (body) => encodeSmile(toSmile(body))],
  ];
  for (const [format, contentType, encode] of formats) {
    test(`an index pinned to a source node by a ${format} body is created unpinned on the target`, async () => {
      const index = `${P}-pin-${format.toLowerCase()}`;
      const nodes = await rig.source.request<{ nodes: Record<string, unknown> }>({
        method: "GET",
        path: "/_nodes/_local",
      });
      const id = Object.keys(nodes.body.nodes)[0] ?? "";
      const body = {
        settings: { index: { number_of_shards: 1, "routing.allocation.include._id": id } },
        mappings: { properties: { big: { type: "long", null_value: 9007199254740993n } } },
      };
      const created = await send("PUT", `/${index}`, encode(body), { "content-type": contentType });
      assert.equal(created.status, 200, created.text);
      await send("PUT", `/${index}/_doc/1`, '{"big":9007199254740993}');
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      assert.notEqual(await yellow(rig.target, index), "red");
      const got = await rig.target.request<string>({ method: "GET", path: `/${index}/_mapping`, raw: true });
      assert.match(got.body, /"null_value":9007199254740993\b/);
      await assertSameContent(rig.source, index, rig.target);
    });
  }

  test("_split, _clone and _rollover are replayed: the indices they create exist on the target", async () => {
    await send(
      "PUT",
      `/${P}-rs`,
      `{"settings":{"number_of_shards":1},"aliases":{"${P}-alias":{"is_write_index":true}}}`,
    );
    for (let i = 0; i < 20; i++) await send("PUT", `/${P}-rs/_doc/${i}`, `{"i":${i}}`);
    await send("PUT", `/${P}-rs/_block/write`);
    assert.equal(
      (await send("POST", `/${P}-rs/_split/${P}-rs-split`, '{"settings":{"index.number_of_shards":2}}'))
        .status,
      200,
    );
    assert.equal((await send("POST", `/${P}-rs/_clone/${P}-rs-clone`)).status, 200);
    await send("PUT", `/${P}-rs/_settings`, '{"index.blocks.write":false}');
    assert.equal((await send("POST", `/${P}-alias/_rollover/${P}-rs-next`)).status, 200);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    for (const index of [`${P}-rs`, `${P}-rs-split`, `${P}-rs-clone`, `${P}-rs-next`])
      await assertSameContent(rig.source, index, rig.target);
    const alias = await rig.target.request<Record<string, unknown>>({
      method: "GET",
      path: `/_alias/${P}-alias`,
    });
    assert.ok(`${P}-rs-next` in alias.body, JSON.stringify(alias.body));
  });

  test("an index opened in the background takes the writes logged after the open on the target too", async () => {
    const index = `${P}-reopen`;
    await send("PUT", `/${index}`, '{"settings":{"number_of_shards":1}}');
    await send("PUT", `/${index}/_doc/before`, '{"n":1}');
    assert.equal((await send("POST", `/${index}/_close`)).status, 200);
    // task_execution_timeout is taken only in the background: replay must drop it with the flag.
    const opened = await send("POST", `/${index}/_open?wait_for_completion=false&task_execution_timeout=30s`);
    assert.match(opened.text, /"task"/, opened.text);
    await yellow(rig.source, index);
    assert.equal((await send("PUT", `/${index}/_doc/after`, '{"n":2}')).status, 201);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    assert.equal((await sameAfterRefresh(index)).sourceCount, 2);
  });

  test("a rollover sent as YAML, answered as YAML, rolls on the target as it did on the source", async () => {
    const logs = `${P}-ylogs`;
    await rolloverSeries(logs);
    const yaml = { "content-type": "application/yaml" };
    const rolled = await send("POST", `/${logs}/_rollover`, "---\nconditions:\n  max_docs: 2\n", yaml);
    assert.match(rolled.text, /rolled_over: true/, rolled.text);
    await send("PUT", `/${logs}/_doc/after`, '{"i":9}');
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    for (const index of [`${logs}-000001`, `${logs}-000002`]) await sameAfterRefresh(index);
  });

  test("a snapshot restored on the source is restored on the target too, before the writes after it", async () => {
    const index = `${P}-restored`;
    const repo = `${P}-repo`;
    // Registered through the gateway, on a location both clusters reach (a shared file system here).
    const location = join(testSandbox().snapshotRepoPath, `${P}-repo`);
    const registered = await send(
      "PUT",
      `/_snapshot/${repo}`,
      JSON.stringify({ type: "fs", settings: { location } }),
    );
    assert.equal(registered.status, 200, registered.text);
    await send("PUT", `/${index}`, '{"settings":{"number_of_shards":1}}');
    await send("PUT", `/${index}/_doc/kept`, '{"n":1}');
    await send("PUT", `/${index}/_doc/gone`, '{"n":2}');
    // Taken straight on the source: a snapshot changes no index, so the gateway need not see it.
    await rig.source.request({ method: "POST", path: `/${index}/_refresh` });
    await rig.source.request({
      method: "PUT",
      path: `/_snapshot/${repo}/s1`,
      querystring: { wait_for_completion: "true" },
      body: { indices: index, include_global_state: false },
    });
    await send("DELETE", `/${index}/_doc/kept`);
    await send("PUT", `/${index}/_doc/later`, '{"n":3}');
    assert.equal((await send("POST", `/${index}/_close`)).status, 200);
    // In the background, as clients usually restore: the write after it waits on the source.
    const restore = await send("POST", `/_snapshot/${repo}/s1/_restore`, `{"indices":"${index}"}`);
    assert.equal(restore.status, 200, restore.text);
    await yellow(rig.source, index);
    assert.equal((await send("PUT", `/${index}/_doc/after`, '{"n":4}')).status, 201);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    const { sourceCount } = await sameAfterRefresh(index);
    // kept and gone from the snapshot, after written once it was back: later went with the restore.
    assert.equal(sourceCount, 3);
    // The target's copy of the registration is read-only: it never writes to the source's repository.
    const onTarget = await rig.target.request<Record<string, { settings: Record<string, unknown> }>>({
      method: "GET",
      path: `/_snapshot/${repo}`,
    });
    assert.equal(String(onTarget.body[repo]?.settings.readonly), "true");
    await rig.source.request({ method: "DELETE", path: `/_snapshot/${repo}/s1` });
    assert.equal((await send("DELETE", `/_snapshot/${repo}`)).status, 200);
    assert.equal((await rig.replay()).deadLettered, 0);
    const gone = await rig.target.request({ method: "GET", path: `/_snapshot/${repo}`, allowStatus: [404] });
    assert.equal(gone.status, 404);
  });

  test("a rollover with conditions does on the target what it did on the source, whatever the target's counts", async () => {
    const logs = `${P}-logs`;
    await rolloverSeries(logs);
    // Met on the source, which counts three documents; the target, not yet refreshed, counts none.
    const rolled = await send("POST", `/${logs}/_rollover`, '{"conditions":{"max_docs":2}}');
    assert.match(
      rolled.text,
      new RegExp(
        `"rolled_over":true.*"new_index":"${logs}-000002"|"new_index":"${logs}-000002".*"rolled_over":true`,
      ),
    );
    for (let i = 0; i < 2; i++) await send("PUT", `/${logs}/_doc/b${i}`, `{"i":${i}}`);
    // Not met on the source; a dry run changes nothing either.
    const kept = await send("POST", `/${logs}/_rollover`, '{"conditions":{"max_docs":1000}}');
    assert.match(kept.text, /"rolled_over":false/);
    await send("POST", `/${logs}/_rollover?dry_run=true`);
    await send("PUT", `/${logs}/_doc/c0`, '{"i":0}');
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    for (const index of [`${logs}-000001`, `${logs}-000002`]) await sameAfterRefresh(index);
    const onTarget = await rig.target.request({
      method: "HEAD",
      path: `/${logs}-000003`,
      allowStatus: [404],
    });
    assert.equal(
      onTarget.status,
      404,
      "the rollovers that did not roll on the source do not roll on the target",
    );
  });
});

describe("replay retries keep the order of writes to one document", () => {
  const sandbox = testSandbox();
  const source = createCluster(plainClusterConfig("source", sandbox.source.url));
  const target = createCluster(plainClusterConfig("target", sandbox.target.url));
  const dir = mkdtempSync(join(tmpdir(), "rp-order-"));
  const index = `${P}-order`;
  after(async () => {
    await dropIndices([target], index);
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("an older version refused with 429 never lands over the newer one accepted after it", async () => {
    // Every 4th item is refused: item 4 (version 1 of doc "d") fails, item 5 (version 2) succeeds.
    const proxy = await startFaultProxy(sandbox.target.url, { every429: 1_000, itemRejectEvery: 4 });
    const flaky = createCluster(plainClusterConfig("target-via-proxy", proxy.url));
    try {
      const writer = new TargetWriter({
        source,
        target: flaky,
        rename: {},
        batchSize: 100,
        maxAttempts: 5,
        deadLetterPath: join(dir, "dead.ndjson"),
        logger: createLogger({ level: "silent" }),
        metrics: new ReplayMetrics(),
        sleep: async () => undefined,
      });
      const at = { partition: 0, timestampMs: Date.now() };
      const doc = (id: string, text: string, offset: number) => ({
        ...at,
        offset,
        kind: "index" as const,
        index,
        id,
        routing: undefined,
        pipeline: undefined,
        doc: { bytes: Buffer.from(text), contentType: "application/json" },
      });
      const result = await writer.apply([
        doc("f1", '{"v":0}', 1),
        doc("f2", '{"v":0}', 2),
        doc("f3", '{"v":0}', 3),
        doc("d", '{"v":1}', 4),
        doc("d", '{"v":2}', 5),
      ]);
      assert.equal(proxy.stats.rejectedItems > 0, true);
      assert.equal(result.deadLettered, 0);
      const got = await target.request<{ _source: { v: number } }>({
        method: "GET",
        path: `/${index}/_doc/d`,
      });
      assert.deepEqual(got.body._source, { v: 2 });
    } finally {
      await flaky.close();
      await proxy.close();
    }
  });
});

function toSmile(value: unknown): SmileValue {
  if (typeof value === "bigint") return { kind: "long", value };
  if (typeof value === "number") return { kind: "int", value: BigInt(value) };
  if (Array.isArray(value)) return value.map(toSmile);
  if (value !== null && typeof value === "object")
    return new Map(Object.entries(value).map(([k, v]) => [k, toSmile(v)]));
  return value as SmileValue;
}
