/**
 * The `queries` check against the real pairs (2.11 → 2.19 and 1.3 → 2.19): after an equal copy every
 * generated query passes; one changed document makes a terms bucket differ, by name; a user query the
 * target refuses (a field mapped differently there) fails naming OpenSearch's error; and the CLI reads
 * the queries file from --queries and validate.queries.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { compareQueries, type ValidationReport } from "../../src/validate/index.ts";
import {
  bluegreen,
  clustersOf,
  DOC_MAPPINGS,
  dropAll,
  migrationFile,
  prefix,
  seed,
} from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const pairs = [
  { name: "2.11 → 2.19", pair: sandbox, clusters: clustersOf(sandbox) },
  { name: "1.3 → 2.19", pair: sandbox.legacy, clusters: clustersOf(sandbox.legacy) },
] as const;

after(async () => {
  for (const { clusters } of pairs) {
    await dropAll(clusters.source, `${P}-*`);
    await dropAll(clusters.target, `${P}-*`);
    await clusters.close();
  }
});

/** The same documents on both sides: the copy a clean backfill leaves. */
async function seedBoth(
  source: Cluster,
  target: Cluster,
  index: string,
  docs: number,
  mappings?: [unknown, unknown],
) {
  await seed(source, index, docs, { shards: 2, mappings: mappings?.[0] ?? DOC_MAPPINGS });
  await seed(target, index, docs, { shards: 2, mappings: mappings?.[1] ?? DOC_MAPPINGS });
}

const GENERATED = [
  "match_all",
  "top10(created)",
  "terms(nested.b)",
  "terms(tags)",
  "date_histogram(created)",
  "stats(n)",
  "stats(nested.a)",
  "stats(price)",
  "cardinality(nested.b)",
  "cardinality(tags)",
];

for (const [n, { name, pair, clusters }] of pairs.entries()) {
  describe(`queries on ${name}`, () => {
    const { source, target } = clusters;
    const index = `${P}-${n}-q`;

    test("after an equal copy every generated query passes", async () => {
      await seedBoth(source, target, index, 300);
      const check = await compareQueries({ source, target, index, targetIndex: index });
      assert.equal(check.kind, "queries");
      assert.deepEqual(
        check.queries?.map((q) => q.name),
        GENERATED,
      );
      assert.equal(check.passed, true, JSON.stringify(check.queries, null, 1));
      assert.equal(check.summary, `${GENERATED.length} queries: ${GENERATED.length} equal`);
      assert.equal(check.queries?.[0]?.detail, "equal (300 hits)");
    });

    test("one document changed on the target: the terms bucket that differs is named", async () => {
      // d3's tags are [t3, t3]: t3 loses a document on the target and a new tag appears.
      await target.request({
        method: "POST",
        path: `/${index}/_update/d3`,
        body: { doc: { tags: ["changed"] } },
      });
      try {
        const check = await compareQueries({ source, target, index, targetIndex: index });
        assert.equal(check.passed, false);
        const terms = check.queries?.find((q) => q.name === "terms(tags)");
        assert.equal(terms?.passed, false);
        const match = /bucket t3 (\d+) ≠ (\d+)/.exec(terms?.detail ?? "");
        assert.ok(match !== null, terms?.detail);
        assert.equal(Number(match[1]) - Number(match[2]), 1);
        assert.match(check.summary, /queries differ: .*terms\(tags\) bucket t3 \d+ ≠ \d+/);
        for (const same of ["match_all", "stats(n)", "terms(nested.b)"]) {
          assert.equal(check.queries?.find((q) => q.name === same)?.passed, true, same);
        }
      } finally {
        await target.request({
          method: "PUT",
          path: `/${index}/_doc/d3`,
          body: (await doc(source, index, "d3")) ?? {},
        });
      }
    });

    test("a user query the target refuses fails, naming the error", async () => {
      const refused = `${P}-${n}-r`;
      const asText = { properties: { ...DOC_MAPPINGS.properties, tags: { type: "text" } } };
      await seedBoth(source, target, refused, 50, [DOC_MAPPINGS, asText]);
      const body = { size: 0, aggs: { by_tag: { terms: { field: "tags" } } } };
      const check = await compareQueries({
        source,
        target,
        index: refused,
        targetIndex: refused,
        queries: [{ index: refused, name: "tags in use", body }],
      });
      assert.equal(check.passed, false);
      const mine = check.queries?.find((q) => q.name === "tags in use");
      assert.equal(mine?.passed, false);
      assert.match(
        mine?.detail ?? "",
        /^fails on the target only: illegal_argument_exception: Text fields are not optimised/,
      );
      assert.match(check.summary, /tags in use fails on the target only: illegal_argument_exception/);
    });

    test("the CLI reads the queries file: --queries and validate.queries", async () => {
      const { dir, file } = migrationFile(
        `${P}-${n}-cli`,
        pair,
        index,
        "validate: { queries: queries.yaml }\n",
      );
      writeFileSync(
        join(dir, "queries.yaml"),
        [
          `- index: ${index}`,
          "  name: blue items",
          "  body: { query: { match: { title: blue } }, size: 5, sort: [{ n: desc }], aggs: { avg_price: { avg: { field: price } } } }",
          "",
        ].join("\n"),
      );
      const run = bluegreen(["validate", "-c", file, "--json"], dir);
      const report = JSON.parse(run.stdout) as ValidationReport;
      const check = report.checks.find((c) => c.kind === "queries");
      assert.equal(check?.passed, true, run.stdout);
      assert.deepEqual(check?.queries?.at(-1), {
        name: "blue items",
        passed: true,
        detail: "equal (100 hits, 5 ids)",
      });

      writeFileSync(join(dir, "bad.yaml"), `- index: ${index}-nope\n  name: x\n  body: {}\n`);
      const bad = bluegreen(["validate", "-c", file, "--queries", join(dir, "bad.yaml")], dir);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /error BG_QUERIES_INVALID: Queries file .*bad\.yaml has 1 problem:/);
      assert.match(
        bad.stderr,
        /entry 1 of 1 "x", index \(line 1\): ".*-nope" is not an index the migration selects/,
      );
      assert.doesNotMatch(bad.stderr, /\n\s+at /, "no stack trace");
    });
  });
}

async function doc(cluster: Cluster, index: string, id: string): Promise<unknown> {
  const res = await cluster.request<{ _source?: unknown }>({ method: "GET", path: `/${index}/_doc/${id}` });
  return res.body._source;
}
