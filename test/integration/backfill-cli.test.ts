/**
 * `bluegreen backfill` end to end for the server-side methods and `auto`, on both sandbox pairs: the
 * command plans (auto picks snapshot here, because the pairs share a path.repo), runs the chosen runner,
 * and the target's content equals the source's by digest.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
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

interface Summary {
  readonly event: string;
  readonly docs: number;
  readonly results: readonly { readonly index: string; readonly method: string; readonly docs: number }[];
}

const cases = [
  { method: "auto", expect: "snapshot", pair: sandbox, clusters: main },
  { method: "auto", expect: "snapshot", pair: sandbox.legacy, clusters: legacy },
  { method: "reindex", expect: "reindex", pair: sandbox, clusters: main },
  { method: "reindex", expect: "reindex", pair: sandbox.legacy, clusters: legacy },
  { method: "snapshot", expect: "snapshot", pair: sandbox.legacy, clusters: legacy },
] as const;

for (const [n, c] of cases.entries()) {
  test(`backfill --method ${c.method} on ${c.pair.source.version} → ${c.pair.target.version} runs ${c.expect}; digest equal`, async () => {
    const name = `${P}-${n}`;
    await seed(c.clusters.source, `${name}-a`, 700, { shards: 2, routeEvery: 5 });
    await seed(c.clusters.source, `${name}-b`, 150, { shards: 1 });
    const { dir, file } = migrationFile(name, c.pair, `${name}-*`);
    const run = bluegreen(["backfill", "-c", file, "--method", c.method, "--json"], dir);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as Summary;
    assert.equal(summary.event, "summary");
    assert.equal(summary.docs, 850);
    assert.deepEqual(
      summary.results.map((r) => [r.index, r.method]),
      [
        [`${name}-a`, c.expect],
        [`${name}-b`, c.expect],
      ],
    );
    await assertSameContent(c.clusters.source, `${name}-a`, c.clusters.target, `${name}-a`);
    await assertSameContent(c.clusters.source, `${name}-b`, c.clusters.target, `${name}-b`);
  });
}
