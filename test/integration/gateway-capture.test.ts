/**
 * Capture → replay against the real source and target: the mixed workload of issue 5 goes through
 * the gateway in capture mode (driven by the official OpenSearch JS client), replay applies the log to
 * the target, and the two indices must be equal by content digest. Runs once per log backend.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { after, describe, test } from "node:test";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { Secret } from "../../src/config/index.ts";
import { decodeRecord, gatewayLogEnd } from "../../src/gateway/index.ts";
import { markBackfillStart } from "../../src/replay/index.ts";
import { assertSameContent } from "../support/digest.ts";
import {
  ADMIN_TOKEN,
  dropIndices,
  type GatewayRig,
  LOG_FACTORIES,
  startGateway,
  stopLogBackends,
} from "../support/gateway-harness.ts";
import { mixedWorkload } from "../support/gateway-workload.ts";

const json = { "content-type": "application/json" };

after(stopLogBackends);

for (const [backend, factory] of Object.entries(LOG_FACTORIES)) {
  describe(`capture mode with the ${backend} log`, () => {
    const P = `gw-cap-${randomBytes(4).toString("hex")}`;
    let rig: GatewayRig | undefined;
    after(async () => {
      if (rig === undefined) return;
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    });

    test("mixed workload through the gateway, replayed: source ≡ target", async () => {
      rig = await startGateway(P, factory);
      assert.equal(rig.gateway.mode, "capture");
      const { autoIds } = await mixedWorkload(rig.url, `${P}-a`);
      // Auto ids were assigned by the gateway, so they exist on the source under that id.
      const got = await rig.source.request<{ found: boolean }>({
        method: "GET",
        path: `/${P}-a/_doc/${autoIds[0]}`,
      });
      assert.equal(got.body.found, true);
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      assert.equal(report.lagRecords, 0);
      assert.ok(report.applied > 100, `applied ${report.applied}`);
      await assertSameContent(rig.source, `${P}-a`, rig.target);
    });

    test("every logged write has its outcome; reads are not logged", async () => {
      assert.ok(rig !== undefined);
      const before = (await rig.log.end())["0"];
      await fetch(`${rig.url}/${P}-a/_search`, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      await fetch(`${rig.url}/${P}-a/_count`);
      assert.deepEqual((await rig.log.end())["0"], before);
      const records = await rig.log.read({}, 100_000);
      const decoded = records.map((r) => decodeRecord(r.value));
      assert.ok(decoded.every((d) => d !== undefined));
      const intents = new Set(
        decoded.filter((d) => d?.t !== "out").map((d) => `${d?.rid}#${d?.t === "op" ? d.n : 0}`),
      );
      const outcomes = new Set(
        decoded.filter((d) => d?.t === "out").map((d) => `${d?.rid}#${d?.t === "out" ? d.n : 0}`),
      );
      assert.deepEqual(outcomes, intents);
    });

    test("/_bluegreen/metrics counts requests by mode and outcome and times the log appends", async () => {
      assert.ok(rig !== undefined);
      const text = await (await fetch(`${rig.url}/_bluegreen/metrics`)).text();
      assert.match(
        text,
        /bluegreen_gateway_requests_total\{mode="capture",kind="write",outcome="2xx"\} [1-9]/,
      );
      assert.match(
        text,
        /bluegreen_gateway_requests_total\{mode="capture",kind="read",outcome="2xx"\} [1-9]/,
      );
      assert.match(text, /bluegreen_gateway_log_append_duration_seconds_count\{phase="intent"\} [1-9]/);
      assert.match(text, /bluegreen_gateway_log_appended_bytes_total [1-9]/);
      assert.match(text, /bluegreen_gateway_mode\{mode="capture"\} 1/);
    });

    test("replay resumes from its stored position and is idempotent", async () => {
      assert.ok(rig !== undefined);
      const again = await rig.replay();
      assert.equal(again.applied, 0);
      const client = await fetch(`${rig.url}/${P}-a/_doc/late`, {
        method: "PUT",
        body: JSON.stringify({ group: "late", n: 1 }),
        headers: { "content-type": "application/json" },
      });
      assert.equal(client.status, 201);
      const more = await rig.replay();
      assert.equal(more.applied, 1);
      await assertSameContent(rig.source, `${P}-a`, rig.target);
    });

    test("awkward ids and routing values, single and in _bulk, updated and deleted; replay → source ≡ target", async () => {
      assert.ok(rig !== undefined);
      const index = `${P}-ids`;
      const ids = [
        "a/b",
        "a b",
        "ü-é",
        "100%",
        "a+b",
        "?x",
        "#h",
        "a%2Fb",
        ".",
        "..",
        "_x",
        "-",
        "x".repeat(512),
      ];
      // Sent with node:http, which keeps the path as written: a URL parser would resolve "." and ".." away.
      const put = (id: string, routing: string | undefined, body: object) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const query = routing === undefined ? "" : `?routing=${encodeURIComponent(routing)}`;
          const origin = new URL(rig?.url ?? "");
          const req = httpRequest(
            {
              host: origin.hostname,
              port: origin.port,
              path: `/${index}/_doc/${encodeURIComponent(id)}${query}`,
              method: "PUT",
              headers: json,
            },
            (res) => {
              let text = "";
              res.on("data", (chunk: Buffer) => {
                text += chunk.toString();
              });
              res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
            },
          );
          req.on("error", reject);
          req.end(JSON.stringify(body));
        });
      for (const [i, id] of ids.entries()) {
        const answer = await put(id, i % 3 === 0 ? `r/${id.slice(0, 20)} ü` : undefined, { i });
        assert.equal(answer.status, 201, `${id}: ${answer.text}`);
      }
      const lines = ids.flatMap((id, i) => [
        JSON.stringify({
          index: { _index: index, _id: `bulk ${id}`.slice(0, 512), routing: i % 2 === 0 ? "r&1" : undefined },
        }),
        JSON.stringify({ i, bulk: true }),
      ]);
      lines.push(
        JSON.stringify({ update: { _index: index, _id: "a b" } }),
        JSON.stringify({ doc: { u: 1 } }),
      );
      lines.push(JSON.stringify({ delete: { _index: index, _id: "bulk a/b", routing: "r&1" } }));
      const bulk = await fetch(`${rig.url}/_bulk`, {
        method: "POST",
        body: `${lines.join("\n")}\n`,
        headers: { "content-type": "application/x-ndjson" },
      });
      const answer = (await bulk.json()) as { errors: boolean; items: unknown[] };
      assert.equal(answer.errors, false, JSON.stringify(answer).slice(0, 2000));
      const deleted = await fetch(
        `${rig.url}/${index}/_doc/${encodeURIComponent("a/b")}?routing=${encodeURIComponent("r/a/b ü")}`,
        { method: "DELETE" },
      );
      assert.equal(deleted.status, 200, await deleted.text());
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      await rig.source.request({ method: "POST", path: `/${index}/_refresh` });
      const count = await rig.source.request<{ count: number }>({ method: "GET", path: `/${index}/_count` });
      assert.equal(count.body.count, 2 * ids.length - 2);
      await assertSameContent(rig.source, index, rig.target);
    });

    test("compressed writes (gzip, zlib and raw deflate) are logged as documents; replay → source ≡ target", async () => {
      assert.ok(rig !== undefined);
      const index = `${P}-z`;
      const send = (path: string, encoding: string, body: Buffer, type = "application/json") =>
        fetch(`${rig?.url}${path}`, {
          method: path.endsWith("_bulk") ? "POST" : "PUT",
          body,
          headers: { "content-type": type, "content-encoding": encoding },
        });
      const big = '{"n":9007199254740993,"s":"\\u00e9"}';
      const answers = [
        await send(`/${index}/_doc/g`, "gzip", gzipSync(big)),
        await send(`/${index}/_doc/r`, "X-Deflate", deflateRawSync(big)),
        await send(
          "/_bulk",
          "deflate",
          deflateSync(
            `{"index":{"_index":"${index}","_id":"b1"}}\n${big}\n{"index":{"_index":"${index}"}}\n{"x":1}\n`,
          ),
          "application/x-ndjson",
        ),
      ];
      assert.deepEqual(
        answers.map((a) => a.status),
        [201, 201, 200],
      );
      const bulk = (await answers[2]?.json()) as { errors: boolean };
      assert.equal(bulk.errors, false);
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      assert.ok(report.applied >= 4, `applied ${report.applied}`);
      const got = await rig.target.request<string>({ method: "GET", path: `/${index}/_source/r`, raw: true });
      assert.equal(got.body, big);
      await assertSameContent(rig.source, index, rig.target);
    });
  });
}

describe("backfill mark", () => {
  const P = `gw-mark-${randomBytes(4).toString("hex")}`;

  test("markBackfillStart through a running gateway: replay applies exactly the writes after the mark", async () => {
    const rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
    try {
      const put = (id: string) =>
        fetch(`${rig.url}/${P}/_doc/${id}`, { method: "PUT", headers: json, body: JSON.stringify({ id }) });
      for (const id of ["a", "b", "c"]) assert.equal((await put(id)).status, 201);
      // The gateway owns the file log, so the mark asks it for the end position.
      const mark = await markBackfillStart(gatewayLogEnd(rig.url, new Secret(ADMIN_TOKEN)), rig.state);
      assert.deepEqual(mark, await rig.log.end());
      // The "backfill": copy what the source holds now (index and documents) straight to the target.
      await rig.source.request({ method: "POST", path: `/${P}/_refresh` });
      const found = await rig.source.request<{ hits: { hits: { _id: string; _source: unknown }[] } }>({
        method: "GET",
        path: `/${P}/_search?size=100`,
      });
      await rig.target.request({
        method: "POST",
        path: "/_bulk",
        bulkBody: found.body.hits.hits.flatMap((h) => [{ index: { _index: P, _id: h._id } }, h._source]),
      });
      for (const id of ["d", "e"]) assert.equal((await put(id)).status, 201);
      assert.equal((await fetch(`${rig.url}/${P}/_doc/a`, { method: "DELETE" })).status, 200);
      const report = await rig.replay();
      // d, e and the delete, from their logged bytes. The outcome of c is logged behind c's answer, so
      // it can land after the mark; replay then copies c from the source (harmless: a copy is absolute).
      // a's and b's outcomes were appended before a later intent, so they are before the mark.
      assert.equal(report.applied - report.resolved, 3);
      assert.ok(report.resolved <= 1, `resolved ${report.resolved}`);
      await assertSameContent(rig.source, P, rig.target);
    } finally {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    }
  });
});

describe("index renames", () => {
  const P = `gw-ren-${randomBytes(4).toString("hex")}`;

  test("replay.indexRename: the mixed workload lands under the new name, digest equal", async () => {
    const rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
      replay: `indexRename: { '${P}-a': '${P}-renamed' }`,
    });
    try {
      await mixedWorkload(rig.url, `${P}-a`);
      const report = await rig.replay();
      assert.equal(report.deadLettered, 0);
      const missing = await rig.target.request({ method: "HEAD", path: `/${P}-a` });
      assert.equal(missing.status, 404);
      await assertSameContent(rig.source, `${P}-a`, rig.target, `${P}-renamed`);
    } finally {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    }
  });
});
