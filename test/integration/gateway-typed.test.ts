/**
 * The typed document API through the gateway. Elasticsearch 7.10 and OpenSearch 1.3 still route
 * `/{index}/{type}/...` (the index's own type name, or `_doc`) and take `_type` in `_bulk` action
 * lines; OpenSearch 2.0 removed both, and there `POST /idx/_doc/_bulk` indexes a document whose id is
 * `_bulk`. Before, typed writes passed the gateway as reads, unlogged, so the source acknowledged
 * documents the target never got; `/idx/_doc/_bulk` was logged as one document named `_bulk` (its
 * items never reached the target), and a typed search as a document named `_search`; a `_bulk` with
 * `_type` was logged whole and replayed as it was to a target that refuses `_type`, and so was a
 * request with `include_type_name`. Here every typed write goes through the
 * gateway, each answer is the one the source gives, and replay leaves source ≡ target by content
 * digest with no dead letter.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { assertSameContent } from "../support/digest.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { type TestPair, versionPaths } from "../support/sandbox.ts";

const SOURCES: Readonly<Record<string, () => TestPair>> = {
  "OpenSearch 1.3": () => versionPaths()["1.3 → 2.19"] as TestPair,
  "Elasticsearch 7.10 OSS": () => versionPaths()["es-7.10 → 3"] as TestPair,
};

const NDJSON = { "content-type": "application/x-ndjson" };
const JSON_TYPE = { "content-type": "application/json" };

async function send(
  url: string,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = JSON_TYPE,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(new URL(path, url), { method, headers, ...(body === undefined ? {} : { body }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

for (const [sourceName, pairOf] of Object.entries(SOURCES)) {
  describe(`typed writes through the gateway in front of ${sourceName}`, () => {
    const Q = `gw-typed-${randomBytes(4).toString("hex")}`;
    // One index with its own type name, one with the 7.x default `_doc`.
    const CUSTOM = `${Q}-custom`;
    const PLAIN = `${Q}-plain`;
    const MADE = `${Q}-made`;
    // Made through the gateway with soft deletes off, which the target's OpenSearch refuses.
    const SOFT = `${Q}-soft`;
    let rig: GatewayRig;
    before(async () => {
      rig = await startGateway(Q, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
        pair: pairOf(),
      });
      const properties = { n: { type: "long" }, tag: { type: "keyword" } };
      // Made on each side as `prepare` makes them: typed on the source, typeless on the target.
      await rig.source.request({
        method: "PUT",
        path: `/${CUSTOM}`,
        querystring: { include_type_name: "true" },
        body: { mappings: { mytype: { properties } } },
      });
      await rig.source.request({ method: "PUT", path: `/${PLAIN}`, body: { mappings: { properties } } });
      for (const index of [CUSTOM, PLAIN]) {
        await rig.target.request({ method: "PUT", path: `/${index}`, body: { mappings: { properties } } });
      }
    });
    after(async () => {
      await dropIndices([rig.source, rig.target], Q);
      await rig.close();
    });

    test("every typed write is answered as the source answers it; replay → source ≡ target", async () => {
      const big = "9007199254740993";
      const writes: [string, string, string?, Record<string, string>?][] = [
        ["PUT", `/${CUSTOM}/mytype/t1`, `{"n":${big},"tag":"a"}`],
        ["POST", `/${CUSTOM}/mytype`, '{"n":2,"tag":"auto"}'],
        ["PUT", `/${CUSTOM}/mytype/t2/_create`, '{"n":3,"tag":"created"}'],
        ["PUT", `/${CUSTOM}/mytype/t3`, '{"n":4,"tag":"doomed"}'],
        ["POST", `/${CUSTOM}/mytype/t1/_update`, '{"doc":{"tag":"updated"}}'],
        ["DELETE", `/${CUSTOM}/mytype/t3`],
        [
          "POST",
          `/${CUSTOM}/mytype/_bulk`,
          '{"index":{"_id":"b1"}}\n{"n":11}\n{"index":{}}\n{"n":12}\n{"delete":{"_id":"t2"}}\n',
          NDJSON,
        ],
        [
          "POST",
          "/_bulk",
          `{"index":{"_index":"${CUSTOM}","_type":"mytype","_id":"b2"}}\n{"n":13}\n` +
            `{"create":{"_index":"${CUSTOM}","_type":"mytype"}}\n{"n":14}\n` +
            `{"update":{"_index":"${CUSTOM}","_type":"mytype","_id":"b1"}}\n{"doc":{"tag":"bulk-updated"}}\n`,
          NDJSON,
        ],
        // Typed searches: reads there, never a document named `_search` on the target.
        ["POST", `/${CUSTOM}/_doc/_search`, '{"query":{"match_all":{}}}'],
        ["POST", `/${CUSTOM}/mytype/_count`, '{"query":{"match_all":{}}}'],
        // An index made through the gateway with include_type_name, then its mapping extended.
        [
          "PUT",
          `/${MADE}?include_type_name=true`,
          '{"settings":{"number_of_replicas":0},"mappings":{"mytype":{"properties":{"n":{"type":"long"}}}}}',
        ],
        [
          "PUT",
          `/${MADE}/_mapping/mytype?include_type_name=true`,
          '{"properties":{"extra":{"type":"keyword"}}}',
        ],
        ["PUT", `/${MADE}/mytype/m1`, '{"n":31,"extra":"x"}'],
        [
          "PUT",
          `/${SOFT}`,
          '{"settings":{"index":{"soft_deletes":{"enabled":false},"number_of_replicas":0}}}',
        ],
        ["PUT", `/${SOFT}/_doc/s1`, '{"n":51}'],
        ["PUT", `/${PLAIN}/_doc/p1/_create`, '{"n":21}'],
        ["PUT", `/${PLAIN}/_doc/p2`, '{"n":22}'],
        ["POST", `/${PLAIN}/_doc/p2/_update`, '{"doc":{"tag":"p-updated"}}'],
        ["POST", `/${PLAIN}/_doc/_bulk`, '{"index":{"_id":"p3"}}\n{"n":23}\n', NDJSON],
        [
          "POST",
          `/${CUSTOM}/mytype/_update_by_query`,
          '{"query":{"term":{"n":11}},"script":{"source":"ctx._source.tag = \'by-query\'"}}',
        ],
      ];
      for (const [method, path, body, headers] of writes) {
        const res = await send(rig.url, method, path, body, headers);
        assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${JSON.stringify(res.body)}`);
        if (path.endsWith("_bulk")) assert.equal(res.body.errors, false, JSON.stringify(res.body));
        if (path.endsWith("_update_by_query")) assert.equal(res.body.updated, 1, JSON.stringify(res.body));
        // Each write sees the ones before it, as a client writing in order would.
        await rig.source.request({ method: "POST", path: `/${Q}-*/_refresh` });
      }
      const report = await rig.replay();
      const dead = join(rig.dir, "dead.ndjson");
      assert.equal(report.deadLettered, 0, existsSync(dead) ? readFileSync(dead, "utf8") : "");
      for (const index of [CUSTOM, PLAIN]) {
        await rig.source.request({ method: "POST", path: `/${index}/_refresh` });
        await rig.target.request({ method: "POST", path: `/${index}/_refresh` });
      }
      const custom = await assertSameContent(rig.source, CUSTOM, rig.target);
      assert.equal(custom.sourceCount, 6, "t1, b1, b2 and three generated ids; t2 and t3 deleted");
      const plain = await assertSameContent(rig.source, PLAIN, rig.target);
      assert.equal(plain.sourceCount, 3);
      await rig.target.request({ method: "POST", path: `/${MADE}/_refresh` });
      assert.equal((await assertSameContent(rig.source, MADE, rig.target)).sourceCount, 1);
      await rig.target.request({ method: "POST", path: `/${SOFT}/_refresh` });
      assert.equal((await assertSameContent(rig.source, SOFT, rig.target)).sourceCount, 1);
      const mapping = await rig.target.request<Record<string, { mappings: { properties: object } }>>({
        method: "GET",
        path: `/${MADE}/_mapping`,
      });
      assert.deepEqual(Object.keys(mapping.body[MADE]?.mappings.properties ?? {}).sort(), ["extra", "n"]);
      const t1 = await rig.target.request<string>({ method: "GET", path: `/${CUSTOM}/_doc/t1`, raw: true });
      assert.match(t1.body, new RegExp(`"n":${big}\\b`), "the long's literal reaches the target");
      const b1 = await rig.target.request<{ _source: { tag?: string } }>({
        method: "GET",
        path: `/${CUSTOM}/_doc/b1`,
      });
      assert.equal(b1.body._source.tag, "by-query");
    });

    // Found by Elasticsearch 7.10's own REST test suite through the gateway: its client reads
    // deprecation warnings only from a header named exactly `Warning`, and the gateway lowercased it.
    test("answer headers reach the client with the source's names, repeats and values", async () => {
      const sides = { direct: new URL(pairOf().source.url), gateway: new URL(rig.url) };
      // Deprecated in 7.x, so the source answers with warnings (the search with two); `SIDE` keeps
      // the two sides' writes apart, so each is answered as the first write of its document.
      const requests: [string, string, string, string][] = [
        [
          "bulk (buffered)",
          "POST",
          "/_bulk",
          `{"index":{"_index":"${CUSTOM}","_type":"mytype","_id":"SIDE-h1"}}\n{"n":41}\n`,
        ],
        ["typed write (buffered)", "PUT", `/${CUSTOM}/mytype/SIDE-h2`, '{"n":42}'],
        [
          "search (streamed)",
          "POST",
          `/${CUSTOM}/_search`,
          `{"query":{"term":{"_type":"mytype"}},"indices_boost":{"${CUSTOM}":2}}`,
        ],
        ["typed read (streamed)", "GET", `/${CUSTOM}/mytype/SIDE-h2`, ""],
      ];
      let warnings = 0;
      for (const [what, method, path, body] of requests) {
        // OpenSearch 1.x sends a deprecation warning once per X-Opaque-Id: a fresh id per request,
        // as clients that trace their requests send, gets one every time. The source echoes it.
        const trace = randomBytes(8).toString("hex");
        const send = (side: "direct" | "gateway") =>
          rawHead(sides[side], method, path.replace("SIDE", side), body.replace("SIDE", side), {
            "x-opaque-id": `${side}-${trace}`,
          });
        const [theirs, ours] = [await send("direct"), await send("gateway")];
        assert.ok(theirs !== undefined && ours !== undefined);
        assert.equal(ours.status, theirs.status, what);
        assert.deepEqual(
          headLines(ours.lines),
          headLines(theirs.lines).map((l) => l.replace("direct", "gateway")),
          `${what}: ${path}`,
        );
        warnings += theirs.lines.filter(([name]) => name === "Warning").length;
      }
      assert.ok(warnings > 0, "the source sends deprecation warnings, named `Warning`, to compare");
    });
  });
}

/** An answer's status and header lines as they came off the wire (name case, order and repeats). */
async function rawHead(
  base: URL,
  method: string,
  path: string,
  body: string,
  extra: Record<string, string>,
): Promise<{ status: number; lines: [string, string][] }> {
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const headers = { ...(path.endsWith("_bulk") ? NDJSON : JSON_TYPE), ...extra };
    const req = httpRequest(new URL(path, base), { method, headers }, resolve);
    req.on("error", reject);
    req.end(body);
  });
  res.resume();
  await once(res, "end");
  const lines: [string, string][] = [];
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    lines.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string]);
  }
  return { status: res.statusCode ?? 0, lines };
}

/**
 * The lines a client can rely on, sorted: framing (content-length, transfer-encoding, connection) is
 * the hop's own, the gateway answers a buffered write with its length where the source streamed, and
 * Node adds a `Date` as any proxy may.
 */
function headLines(lines: readonly [string, string][]): string[] {
  const framing = new Set(["content-length", "transfer-encoding", "connection", "keep-alive", "date"]);
  return lines
    .filter(([name]) => !framing.has(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}`)
    .sort();
}
