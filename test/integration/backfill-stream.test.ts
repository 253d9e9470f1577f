/**
 * The stream copier end to end on both sandbox pairs (2.11 → 2.19 with PIT, 1.3 → 2.19 with the
 * sliced-scroll fallback): content digest equal, routing kept, target tuning restored, a transform
 * hook applied, and a second run that finds nothing left to do.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import {
  bluegreen,
  clustersOf,
  count,
  DOC_MAPPINGS,
  dropAll,
  migrationFile,
  prefix,
  seed,
  start,
} from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const main = clustersOf(sandbox);
const legacy = clustersOf(sandbox.legacy);

after(async () => {
  for (const c of [main, legacy]) {
    await dropAll(c.source, `${P}-*`);
    await dropAll(c.target, `${P}-*`);
    await c.close();
  }
});

for (const [label, pair, clusters] of [
  ["2.11 → 2.19 (point in time)", sandbox, main],
  ["1.3 → 2.19 (sliced scroll)", sandbox.legacy, legacy],
] as const) {
  test(`stream copies every document with _id and routing, ${label}`, async () => {
    const a = `${P}-a-${pair.source.version.replaceAll(".", "")}`;
    const b = `${P}-b-${pair.source.version.replaceAll(".", "")}`;
    await seed(clusters.source, a, 2500, { shards: 3, routeEvery: 7 });
    await seed(clusters.source, b, 300, { shards: 1 });
    // The target index exists already with a non-default refresh interval: tuning must put it back.
    await clusters.target.request({
      method: "PUT",
      path: `/${b}`,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: "7s" },
        mappings: DOC_MAPPINGS,
      },
    });
    const { dir, file } = migrationFile(
      `${P}-${pair.source.version.replaceAll(".", "")}`,
      pair,
      `${P}-*${pair.source.version.replaceAll(".", "")}`,
      // Three slices of the one-shard index too: the in-shard slicing an operator can ask for.
      "backfill: { method: stream, batchSize: 200, stream: { readers: 3, slices: 3, bulkBytes: 100000 } }\n",
    );
    const run = bluegreen(["backfill", "-c", file, "--json"], dir);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const summary = lines.at(-1);
    assert.equal(summary.event, "summary");
    assert.equal(summary.docs, 2800);
    assert.ok(lines.some((l) => l.event === "progress" && l.index === a && l.phase === "done"));
    await assertSameContent(clusters.source, a, clusters.target, a);
    await assertSameContent(clusters.source, b, clusters.target, b);
    assert.equal(await count(clusters.target, a), 2500);
    const settings = await clusters.target.request<
      Record<string, { settings: { index: Record<string, string> } }>
    >({
      method: "GET",
      path: `/${b}/_settings`,
    });
    assert.equal(settings.body[b]?.settings.index.refresh_interval, "7s");

    const again = bluegreen(["backfill", "-c", file], dir);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /total/);
  });
}

/** Backfills `index` (main pair) by stream through a transform module with this text. */
function copyWithTransform(index: string, module: string): void {
  const { dir, file } = migrationFile(
    index,
    sandbox,
    index,
    "backfill: { method: stream, stream: { transform: ./t.mjs } }\n",
  );
  writeFileSync(join(dir, "t.mjs"), module);
  const run = bluegreen(["backfill", "-c", file], dir);
  assert.equal(run.code, 0, run.stderr);
}

/** Raw UTF-8 in every place a document has text: its id, its routing, keys and values of its source. */
async function seedText(cluster: Cluster, index: string, docs: number): Promise<void> {
  await cluster.request({
    method: "PUT",
    path: `/${index}`,
    body: { settings: { number_of_shards: 2, number_of_replicas: 0 } },
  });
  const lines: string[] = [];
  for (let i = 0; i < docs; i++) {
    lines.push(JSON.stringify({ index: { _id: `ïd-${i}-東京-𝄞`, routing: `röute-${i % 3}` } }));
    // Written as text, not through JSON.stringify: the long above 2^53, `1.0` and the escape stay as typed.
    lines.push(
      `{"name":"Zürich ✓ 東京 ${i}","ключ":"значение","clef":"𝄞","esc":"caf\\u00e9","big":9007199254740993,"f":1.0}`,
    );
  }
  const res = await cluster.request<{ errors: boolean }>({
    method: "POST",
    path: `/${index}/_bulk`,
    bulkBody: `${lines.join("\n")}\n`,
    querystring: { refresh: "true" },
  });
  assert.equal(res.body.errors, false, JSON.stringify(res.body).slice(0, 600));
}

/** A document's `_source` exactly as the cluster returns it (the text after `"_source":`). */
async function storedSource(cluster: Cluster, index: string, id: string, routing: string): Promise<string> {
  const res = await cluster.request<string>({
    method: "GET",
    path: `/${index}/_doc/${encodeURIComponent(id)}`,
    querystring: { routing },
    raw: true,
  });
  const at = res.body.indexOf('"_source":');
  assert.ok(at > 0, res.body);
  return res.body.slice(at + '"_source":'.length, -1);
}

for (const [label, pair, clusters] of [
  ["2.11 → 2.19 (point in time)", sandbox, main],
  ["1.3 → 2.19 (sliced scroll)", sandbox.legacy, legacy],
] as const) {
  test(`ids, routing and sources outside ASCII arrive as the bytes they were, ${label}`, async () => {
    const v = pair.source.version.replaceAll(".", "");
    const index = `${P}-utf8-${v}`;
    await seedText(clusters.source, index, 120);
    const { dir, file } = migrationFile(
      `${P}-utf8-${v}`,
      pair,
      index,
      "backfill: { method: stream, batchSize: 50 }\n",
    );
    const run = bluegreen(["backfill", "-c", file], dir);
    assert.equal(run.code, 0, run.stderr);
    await assertSameContent(clusters.source, index, clusters.target, index);
    for (const i of [0, 1, 59, 119]) {
      const [id, routing] = [`ïd-${i}-東京-𝄞`, `röute-${i % 3}`];
      const want = await storedSource(clusters.source, index, id, routing);
      assert.match(want, /Zürich ✓ 東京/);
      assert.equal(await storedSource(clusters.target, index, id, routing), want, `document ${id}`);
    }
  });
}

test("a transform reads and writes text outside ASCII", async () => {
  const index = `${P}-utf8-tr`;
  await seedText(main.source, index, 30);
  copyWithTransform(
    index,
    "export default (doc) => doc._id.startsWith('ïd-0-') ? null : { ...doc, _source: { ...doc._source, label: doc._source.name + ' → ' + doc._id + ' / ' + doc._routing } };\n",
  );
  assert.equal(await count(main.target, index), 29);
  const doc = await main.target.request<{ _source: { label: string; clef: string } }>({
    method: "GET",
    path: `/${index}/_doc/${encodeURIComponent("ïd-4-東京-𝄞")}`,
    querystring: { routing: "röute-1" },
  });
  assert.equal(doc.body._source.label, "Zürich ✓ 東京 4 → ïd-4-東京-𝄞 / röute-1");
  assert.equal(doc.body._source.clef, "𝄞");
});

test("asyncTranslog: the target's translog is async while copying, and its own setting is back afterwards", async () => {
  const index = `${P}-async`;
  await seed(main.source, index, 600, { shards: 1 });
  await main.target.request({
    method: "PUT",
    path: `/${index}`,
    body: {
      settings: { number_of_shards: 1, "index.translog.durability": "request" },
      mappings: DOC_MAPPINGS,
    },
  });
  const { dir, file } = migrationFile(
    `${P}-async`,
    sandbox,
    index,
    // Slow enough (about 4 s) to look at the target's settings while it copies.
    "backfill: { method: stream, batchSize: 50, stream: { asyncTranslog: true, docsPerSecond: 150 } }\n",
  );
  const durability = async () =>
    (
      await main.target.request<
        Record<string, { settings: { index: { translog?: { durability?: string } } } }>
      >({
        method: "GET",
        path: `/${index}/_settings`,
      })
    ).body[index]?.settings.index.translog?.durability;
  const run = start(["backfill", "-c", file], dir);
  let seen: string | undefined;
  let ended = false;
  void run.done.then(() => {
    ended = true;
  });
  while (!ended && seen !== "async") {
    seen = await durability();
    await new Promise((r) => setTimeout(r, 100));
  }
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(seen, "async", "never saw translog.durability async while the copy ran");
  assert.equal(await durability(), "request");
  await assertSameContent(main.source, index, main.target, index);
});

test("a transform module changes documents on the way; returning null skips one", async () => {
  const index = `${P}-transform`;
  await seed(main.source, index, 50, { shards: 1 });
  copyWithTransform(
    index,
    "export default (doc) => doc._id === 'd0' ? null : { ...doc, _source: { ...doc._source, migrated: true } };\n",
  );
  assert.equal(await count(main.target, index), 49);
  const doc = await main.target.request<{ _source: { migrated: boolean } }>({
    method: "GET",
    path: `/${index}/_doc/d1`,
  });
  assert.equal(doc.body._source.migrated, true);
});

test("a transform module that does not load is a clear error", async () => {
  const index = `${P}-badtr`;
  await seed(main.source, index, 5, { shards: 1 });
  const { dir, file } = migrationFile(
    `${P}-btr`,
    sandbox,
    index,
    "backfill: { method: stream, stream: { transform: ./missing.mjs } }\n",
  );
  const run = bluegreen(["backfill", "-c", file], dir);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /error BG_BACKFILL_TRANSFORM: The transform module .*missing\.mjs could not be loaded/,
  );
  assert.match(run.stderr, /fix: /);
});

test("the workflow runs backfill after prepare, and a second run finds it done", async () => {
  const index = `${P}-workflow`;
  await seed(main.source, index, 400, { shards: 2, routeEvery: 3 });
  const { dir, file } = migrationFile(`${P}-wf`, sandbox, index, "backfill: { method: stream }\n");
  const run = bluegreen(["run", "-c", file, "--until", "sync", "--json"], dir);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  const outcome = JSON.parse(run.stdout);
  assert.equal(outcome.status, "stopped");
  const step = outcome.steps.find((s: { id: string }) => s.id === "backfill");
  assert.equal(step.outcome, "done");
  assert.equal(step.summary.docs, 400);
  await assertSameContent(main.source, index, main.target, index);

  const again = bluegreen(["run", "-c", file, "--until", "sync", "--json"], dir);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout);
  assert.equal(second.steps.find((s: { id: string }) => s.id === "backfill").outcome, "already-done");
});

test("externalVersions copies each document's _version, and a second copy does not conflict", async () => {
  const index = `${P}-versions`;
  await seed(main.source, index, 30, { shards: 1 });
  // Bump some documents so versions differ from 1.
  for (const id of ["d3", "d4", "d4"]) {
    await main.source.request({ method: "PUT", path: `/${index}/_doc/${id}`, body: { n: 99 } });
  }
  await main.source.request({ method: "POST", path: `/${index}/_refresh` });
  const { dir, file } = migrationFile(
    `${P}-ver`,
    sandbox,
    index,
    "backfill: { method: stream, stream: { externalVersions: true } }\n",
  );
  for (const args of [
    ["backfill", "-c", file],
    ["backfill", "-c", file, "--restart"],
  ]) {
    const run = bluegreen(args, dir);
    assert.equal(run.code, 0, run.stderr);
  }
  const version = async (id: string) =>
    (await main.target.request<{ _version: number }>({ method: "GET", path: `/${index}/_doc/${id}` })).body
      ._version;
  assert.deepEqual([await version("d1"), await version("d3"), await version("d4")], [1, 2, 3]);
  await assertSameContent(main.source, index, main.target, index);
});

test("an index that never held a document (no mapping, no segments) copies as empty with several readers", async () => {
  const index = `${P}-never`;
  // Slicing such an index fails on OpenSearch ("field _id not found"): the copier must not ask for slices.
  await main.source.request({
    method: "PUT",
    path: `/${index}`,
    body: { settings: { number_of_shards: 2 } },
  });
  const { dir, file } = migrationFile(
    `${P}-nv`,
    sandbox,
    index,
    "backfill: { method: stream, stream: { readers: 4 } }\n",
  );
  const run = bluegreen(["backfill", "-c", file], dir);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.equal(await count(main.target, index), 0);
  await assertSameContent(main.source, index, main.target, index);
});
