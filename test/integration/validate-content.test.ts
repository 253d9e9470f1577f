/**
 * The content comparison engine against real clusters, on both sandbox pairs (2.11 → 2.19 read with
 * point in time, 1.3 → 2.19 with sliced scroll): a clean, renamed and resharded copy compares equal in
 * full and sampled mode; injected differences (missing, extra, changed field, changed literal, changed
 * routing, a document present twice under two routings) are each found and named, and a change of
 * whitespace and key order alone is not a difference; the sample is reproducible for a seed; recheck
 * settles a difference fixed in between.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { parseSearchPage } from "../../src/json/index.ts";
import { fetchDocs } from "../../src/validate/content-docs.ts";
import {
  type ContentOptions,
  type ContentResult,
  compareContent,
  type DocDifference,
  recheck,
} from "../../src/validate/index.ts";
import { clustersOf, DOC_MAPPINGS, dropAll, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const main = clustersOf(sandbox);
const legacy = clustersOf(sandbox.legacy);
const DOCS = 300;

after(async () => {
  for (const c of [main, legacy]) {
    await dropAll(c.source, `${P}-*`);
    await dropAll(c.target, `${P}-*`);
    await c.close();
  }
});

/** Documents whose literal text a parse would change: the comparison must see them equal to themselves. */
const AWKWARD: readonly [string, string][] = [
  ["lit", '{"big":9007199254740993,"f":1.0,"e":1e3,"z":-0}'],
  ["esc", '{"s":"caf\\u00e9 \\ud83d\\ude00","raw":"café 😀"}'],
];

async function bulk(cluster: Cluster, index: string, lines: readonly string[]): Promise<void> {
  const res = await cluster.request<{ errors: boolean }>({
    method: "POST",
    path: `/${index}/_bulk`,
    querystring: { refresh: "true" },
    bulkBody: `${lines.join("\n")}\n`,
  });
  assert.equal(res.body.errors, false, JSON.stringify(res.body).slice(0, 600));
}

const action = (id: string, routing?: string, op = "index") =>
  JSON.stringify({ [op]: { _id: id, ...(routing === undefined ? {} : { routing }) } });

/** Copies every document's raw `_source` text, id and routing into a new index with its own shard count. */
async function copy(from: Cluster, index: string, to: Cluster, targetIndex: string, shards: number) {
  await to.request({
    method: "PUT",
    path: `/${targetIndex}`,
    body: { settings: { number_of_shards: shards, number_of_replicas: 0 }, mappings: DOC_MAPPINGS },
  });
  const res = await from.request<string>({
    method: "POST",
    path: `/${index}/_search`,
    body: { size: 10_000, sort: ["_doc"] },
    idempotent: true,
    raw: true,
  });
  const hits = parseSearchPage(res.body).hits;
  await bulk(
    to,
    targetIndex,
    hits.flatMap((h) => [action(h._id, h._routing), h.source ?? "{}"]),
  );
}

async function shardOf(cluster: Cluster, index: string, routing: string): Promise<number | undefined> {
  const res = await cluster.request<{ shards: { shard: number }[][] }>({
    method: "GET",
    path: `/${index}/_search_shards`,
    querystring: { routing },
  });
  return res.body.shards[0]?.[0]?.shard;
}

/**
 * A routing that sends a document to another shard than `routing` does, in both indices: then a
 * lookup by one routing cannot find the document stored under the other.
 */
async function otherShardRouting(
  indices: readonly (readonly [Cluster, string])[],
  routing: string,
): Promise<string> {
  for (let i = 0; ; i++) {
    let apart = true;
    for (const [cluster, index] of indices) {
      apart &&= (await shardOf(cluster, index, `x${i}`)) !== (await shardOf(cluster, index, routing));
    }
    if (apart) return `x${i}`;
  }
}

async function sourceText(cluster: Cluster, index: string, id: string, routing?: string): Promise<string> {
  const [doc] = await fetchDocs(cluster, "source", index, [
    { id, ...(routing === undefined ? {} : { routing }) },
  ]);
  assert.ok(doc?.source !== undefined, `${index}/${id} exists`);
  return doc.source;
}

function run(
  clusters: { source: Cluster; target: Cluster },
  sourceIndex: string,
  targetIndex: string,
  mode: ContentOptions["mode"],
): Promise<ContentResult & { text: string; lines: DocDifference[] }> {
  const dir = mkdtempSync(join(tmpdir(), "bg-validate-content-"));
  const file = join(dir, "differences.ndjson");
  return compareContent({
    source: clusters.source,
    target: clusters.target,
    sourceIndex,
    targetIndex,
    mode,
    workDir: join(dir, "work"),
    differencesFile: file,
  }).then((r) => {
    const text = readFileSync(file, "utf8");
    const lines =
      text === ""
        ? []
        : text
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as DocDifference);
    assert.equal(existsSync(join(dir, "work")), false, "the work directory is gone");
    rmSync(dir, { recursive: true, force: true });
    return { ...r, text, lines };
  });
}

const brief = (d: DocDifference) =>
  d.kind === "differs"
    ? `${d.kind} ${d.routing ?? ""}/${d.id} ${d.path} ${d.source} -> ${d.target}`
    : `${d.kind} ${d.routing ?? ""}/${d.id}`;

for (const [label, pair, clusters] of [
  ["2.11 → 2.19 (point in time)", sandbox, main],
  ["1.3 → 2.19 (sliced scroll)", sandbox.legacy, legacy],
] as const) {
  const v = pair.source.version.replaceAll(".", "");
  const src = `${P}-c-${v}`;
  const ready = (async () => {
    // Every 7th document routed (r0..r3), on 2 shards; the copies have 3, so nothing lines up by shard.
    await seed(clusters.source, src, DOCS, { shards: 2, routeEvery: 7 });
    await bulk(
      clusters.source,
      src,
      AWKWARD.flatMap(([id, text]) => [action(id), text]),
    );
  })();

  test(`a clean copy compares equal, full and sampled, ${label}`, async () => {
    await ready;
    const copyIndex = `${P}-clean-${v}-renamed`;
    await copy(clusters.source, src, clusters.target, copyIndex, 3);
    const full = await run(clusters, src, copyIndex, { kind: "full" });
    assert.equal(full.differences, 0, full.lines.map(brief).join("\n"));
    assert.deepEqual(
      { mode: full.mode, s: full.sourceDocs, t: full.targetDocs, c: full.compared },
      { mode: "full", s: DOCS + AWKWARD.length, t: DOCS + AWKWARD.length, c: DOCS + AWKWARD.length },
    );
    assert.equal(full.text, "");
    const sample = await run(clusters, src, copyIndex, { kind: "sample", size: 50, seed: 7 });
    assert.equal(sample.differences, 0, sample.lines.map(brief).join("\n"));
    assert.equal(sample.mode, "sample");
    assert.equal(sample.sourceDocs, 50);
    assert.equal(sample.targetDocs, 50);
    assert.ok(sample.compared >= 50 && sample.compared <= 100);
    assert.match(sample.sample?.how ?? "", /random_score \(seed 7/);
    assert.match(sample.sample?.confidence ?? "", /fewer than 6% .*rule of three/);
  });

  test(`injected differences are each found and named, ${label}`, async () => {
    await ready;
    const t = `${P}-dirty-${v}`;
    await copy(clusters.source, src, clusters.target, t, 3);
    // d14 and d21 are routed (r2 and r1): one moves to another routing, the other gets a second copy.
    const both = [
      [clusters.source, src],
      [clusters.target, t],
    ] as const;
    const moved = await otherShardRouting(both, "r2");
    const twice = await otherShardRouting(both, "r1");
    const d14 = await sourceText(clusters.target, t, "d14", "r2");
    const d21 = await sourceText(clusters.target, t, "d21", "r1");
    const d3 = JSON.parse(await sourceText(clusters.target, t, "d3")) as Record<string, unknown>;
    await bulk(clusters.target, t, [
      action("d1", undefined, "delete"),
      action("extra-1"),
      '{"title":"not on the source"}',
      action("d2"),
      JSON.stringify({
        ...JSON.parse(await sourceText(clusters.target, t, "d2")),
        nested: { a: 2, b: "changed", ok: true },
      }),
      action("d14", "r2", "delete"),
      action("d14", moved),
      d14,
      action("d21", twice),
      d21,
      // Same values, other key order and whitespace: not a difference.
      action("d3"),
      JSON.stringify(Object.fromEntries(Object.entries(d3).reverse()), null, 1).replaceAll("\n", " "),
      action("lit"),
      '{"big":9007199254740992,"f":1.0,"e":1e3,"z":-0}',
    ]);
    const full = await run(clusters, src, t, { kind: "full" });
    const expected = [
      "missing /d1",
      `differs r2/d14 _routing "r2" -> "${moved}"`,
      `differs /d2 nested.b "k2" -> "changed"`,
      `extra ${twice}/d21`,
      "extra /extra-1",
      "differs /lit big 9007199254740993 -> 9007199254740992",
    ];
    // Key order (id, then routing) is the file's order.
    assert.deepEqual(full.lines.map(brief), expected);
    assert.deepEqual(full.first.map(brief), expected);
    assert.deepEqual(full.byKind, { missing: 1, extra: 2, differs: 3 });
    assert.equal(full.differences, 6);
    assert.equal(full.sourceDocs, DOCS + AWKWARD.length);
    assert.equal(full.targetDocs, DOCS + AWKWARD.length + 1);
    assert.equal(full.compared, DOCS + AWKWARD.length - 1);

    // A sample larger than the index sees every document: the same differences, routing aside.
    const sample = await run(clusters, src, t, { kind: "sample", size: 1_000, seed: 3 });
    const named = sample.lines.map(brief);
    for (const line of ["missing /d1", "extra /extra-1", `extra ${twice}/d21`, expected[2], expected[5]]) {
      assert.ok(named.includes(line as string), `${line} in ${named.join("; ")}`);
    }
    // The moved document's routing goes to another shard: the sample sees it missing under r2, extra under the new one.
    assert.ok(named.includes("missing r2/d14") && named.includes(`extra ${moved}/d14`), named.join("; "));
    assert.match(sample.sample?.confidence ?? "", /every document checked/);

    // Fixing d2 on the target settles it; d1 is still missing.
    await bulk(clusters.target, t, [action("d2"), await sourceText(clusters.source, src, "d2")]);
    const again = await recheck(
      { source: clusters.source, target: clusters.target, sourceIndex: src, targetIndex: t },
      [{ id: "d2" }, { id: "d1" }, { id: "d21", routing: "r1" }],
    );
    assert.deepEqual(again.settled, [{ id: "d2" }, { id: "d21", routing: "r1" }]);
    assert.deepEqual(again.persistent.map(brief), ["missing /d1"]);
  });

  test(`an empty target index that never had a mapping: every document missing, ${label}`, async () => {
    await ready;
    const t = `${P}-empty-${v}`;
    await clusters.target.request({
      method: "PUT",
      path: `/${t}`,
      body: { settings: { number_of_shards: 1 } },
    });
    const full = await run(clusters, src, t, { kind: "full" });
    assert.deepEqual(
      { t: full.targetDocs, c: full.compared, byKind: full.byKind },
      { t: 0, c: 0, byKind: { missing: DOCS + AWKWARD.length, extra: 0, differs: 0 } },
    );
    assert.equal(full.lines.length, DOCS + AWKWARD.length);
  });

  test(`the same seed draws the same sample, ${label}`, async () => {
    await ready;
    const t = `${P}-sampled-${v}`;
    await copy(clusters.source, src, clusters.target, t, 1);
    // Every third document differs on the target, so a sample's differences show which documents it drew.
    const lines: string[] = [];
    for (let i = 0; i < DOCS; i += 3) {
      if (i % 7 === 0) continue; // routed; left alone
      lines.push(action(`d${i}`), JSON.stringify({ n: -i }));
    }
    await bulk(clusters.target, t, lines);
    const drawn = async (seed: number) =>
      (await run(clusters, src, t, { kind: "sample", size: 40, seed })).lines.map(brief);
    const first = await drawn(11);
    assert.ok(first.length > 0, "a sample of 40 out of ~300 with a third different finds some");
    assert.deepEqual(await drawn(11), first);
    assert.notDeepEqual(await drawn(12), first);
  });
}
