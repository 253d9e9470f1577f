/**
 * kill -9 of the stream copier at random points: each trial starts `bluegreen backfill` as a child
 * process, SIGKILLs it somewhere in the copy, runs it again, and proves source ≡ target by content
 * digest with equal counts (nothing lost, nothing doubled). PIT on 2.11, sliced scroll on 1.3.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
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
import { type TestPair, testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const DOCS = 4000;
const main = clustersOf(sandbox);
const legacy = clustersOf(sandbox.legacy);

before(async () => {
  await seed(main.source, `${P}-main`, DOCS, { shards: 2, routeEvery: 9 });
  await seed(legacy.source, `${P}-legacy`, DOCS, { shards: 2, routeEvery: 9 });
});

after(async () => {
  for (const c of [main, legacy]) {
    await dropAll(c.source, `${P}-*`);
    await dropAll(c.target, `${P}-*`);
    await c.close();
  }
});

async function trial(n: number, pair: TestPair, clusters: typeof main, index: string): Promise<void> {
  await dropAll(clusters.target, index);
  const { dir, file } = migrationFile(
    `${P}-t${n}`,
    pair,
    index,
    // Throttled so the copy takes seconds and the kill lands inside it.
    "backfill: { method: stream, batchSize: 100, stream: { docsPerSecond: 1000, readers: 2, bulkBytes: 65536 } }\n",
  );
  const killAfterMs = 300 + Math.floor(Math.random() * 3_500);
  const first = start(["backfill", "-c", file, "--method", "stream"], dir);
  await delay(killAfterMs);
  first.child.kill("SIGKILL");
  const killed = await first.done;
  assert.equal(killed.signal, "SIGKILL", `trial ${n}: the copy ended before the kill at ${killAfterMs} ms`);
  const partial = await count(clusters.target, index).catch(() => 0);
  const rerun = bluegreen(["backfill", "-c", file, "--method", "stream"], dir);
  assert.equal(
    rerun.code,
    0,
    `trial ${n} (killed at ${killAfterMs} ms, ${partial} docs copied): ${rerun.stderr}`,
  );
  await assertSameContent(clusters.source, index, clusters.target, index);
  assert.equal(await count(clusters.target, index), DOCS);
  // The kill left refresh_interval -1 behind; the resumed run restored the original (unset).
  const settings = await clusters.target.request<
    Record<string, { settings: { index: Record<string, unknown> } }>
  >({
    method: "GET",
    path: `/${index}/_settings`,
  });
  assert.equal(settings.body[index]?.settings.index.refresh_interval, undefined);
}

for (let n = 1; n <= 5; n++) {
  test(`kill -9 at a random point, then resume: digest equal, no duplicates (2.11 → 2.19, trial ${n})`, async () => {
    await trial(n, sandbox, main, `${P}-main`);
  });
}

for (let n = 6; n <= 7; n++) {
  test(`kill -9 at a random point, then resume: digest equal, no duplicates (1.3 → 2.19, trial ${n})`, async () => {
    await trial(n, sandbox.legacy, legacy, `${P}-legacy`);
  });
}
