/**
 * Faults on the write side. A proxy in front of the real target answers 429 to some `_bulk` requests
 * and rejects some items as es_rejected_execution_exception: the copy retries only what failed and
 * completes with an equal digest. A mapping conflict (target integer, source text) stops the copy
 * with an error naming the documents and a file holding them: nothing is silently dropped.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  bluegreen,
  clustersOf,
  count,
  dropAll,
  migrationFile,
  prefix,
  seed,
  start,
} from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { startFaultProxy } from "../support/fault-proxy.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const clusters = clustersOf(sandbox);

after(async () => {
  await dropAll(clusters.source, `${P}-*`);
  await dropAll(clusters.target, `${P}-*`);
  await clusters.close();
});

test("429 answers and rejected items are retried until the copy completes; digest equal", async () => {
  const index = `${P}-throttled`;
  await seed(clusters.source, index, 3000, { shards: 2, routeEvery: 6 });
  const proxy = await startFaultProxy(sandbox.target.url, { every429: 3, itemRejectEvery: 11 });
  try {
    const pair = { ...sandbox, target: { ...sandbox.target, url: proxy.url } };
    const { dir, file } = migrationFile(
      `${P}-429`,
      pair,
      index,
      "backfill: { method: stream, batchSize: 250, stream: { bulkBytes: 65536 } }\n",
    );
    // Asynchronously: the proxy runs in this process and must keep answering.
    const run = await start(["backfill", "-c", file, "--method", "stream"], dir).done;
    assert.equal(run.code, 0, run.stderr);
    assert.ok(proxy.stats.rejected429 > 0 && proxy.stats.rejectedItems > 0, JSON.stringify(proxy.stats));
  } finally {
    await proxy.close();
  }
  await assertSameContent(clusters.source, index, clusters.target, index);
  assert.equal(await count(clusters.target, index), 3000);
});

test("a mapping error stops the copy with the documents named and written to a file", async () => {
  const index = `${P}-mapping`;
  const text = { properties: { n: { type: "keyword" }, title: { type: "text" } } };
  await clusters.source.request({
    method: "PUT",
    path: `/${index}`,
    body: { settings: { number_of_shards: 1 }, mappings: text },
  });
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    lines.push(JSON.stringify({ index: { _id: `m${i}` } }));
    // Text outside ASCII: the file must hold it as text, not as the bytes the copier carries.
    lines.push(
      JSON.stringify({ n: i % 50 === 7 ? `not-a-number-${i}` : String(i), title: `t${i} Zürich 東京 𝄞` }),
    );
  }
  await clusters.source.request({
    method: "POST",
    path: `/${index}/_bulk`,
    querystring: { refresh: "true" },
    bulkBody: `${lines.join("\n")}\n`,
  });
  await clusters.target.request({
    method: "PUT",
    path: `/${index}`,
    body: {
      settings: { number_of_shards: 1 },
      mappings: { properties: { n: { type: "integer" }, title: { type: "text" } } },
    },
  });
  const bad = ["m7", "m57", "m107", "m157"];
  const { dir, file } = migrationFile(
    `${P}-map`,
    sandbox,
    index,
    "backfill: { method: stream, batchSize: 500 }\n",
  );
  const run = bluegreen(["backfill", "-c", file, "--method", "stream"], dir);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^error BG_BACKFILL_REJECTED: The target rejected \d document\(s\) of index /m);
  // The copy stops at the first rejecting request; the error names its documents...
  const named = bad.filter((id) => new RegExp(`${id} \\(mapper_parsing_exception`).test(run.stderr));
  assert.ok(named.length > 0, run.stderr);
  const failedFile = join(dir, ".bluegreen", `${P}-map-${index}-failed.ndjson`);
  assert.match(run.stderr, new RegExp(`written to ${failedFile.replaceAll(".", "\\.")}`));
  assert.match(run.stderr, /fix: Fix the target mapping/);
  // ...and the file holds them (and any other rejected in requests still in flight), source included.
  assert.ok(existsSync(failedFile));
  const failed = readFileSync(failedFile, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const ids = failed.map((d) => d._id as string);
  for (const id of named) assert.ok(ids.includes(id), `${id} missing from ${failedFile}`);
  for (const id of ids) assert.ok(bad.includes(id), `${id} is in ${failedFile} but was valid`);
  assert.equal(failed[0]._source.n.startsWith("not-a-number-"), true);
  assert.match(failed[0]._source.title, /^t\d+ Zürich 東京 𝄞$/);
  assert.equal(failed[0].error.type, "mapper_parsing_exception");
});
