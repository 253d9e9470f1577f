/**
 * Distributed mode: two `bluegreen backfill --workers 2` processes share the slices through leases in
 * an index on the target. One is SIGKILLed mid-way; its leases expire and the other takes them over
 * (with their checkpoints) and finishes: digest equal, counts equal, every lease done.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { clustersOf, count, dropAll, migrationFile, prefix, seed, start } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const DOCS = 4000;
const index = `${P}-dist`;
const leases = `${P}-leases`;
const clusters = clustersOf(sandbox);

before(async () => {
  await seed(clusters.source, index, DOCS, { shards: 2, routeEvery: 5 });
});

after(async () => {
  await dropAll(clusters.source, `${P}-*`);
  await dropAll(clusters.target, `${P}-*`);
  await clusters.close();
});

test("two workers share the slices; one killed mid-way, the other takes over its slices and finishes", async () => {
  const { dir, file } = migrationFile(
    P,
    sandbox,
    index,
    `backfill:\n  method: stream\n  batchSize: 100\n  stream: { docsPerSecond: 600, readers: 2, slices: 8, bulkBytes: 65536, leaseIndex: ${leases}, leaseTtl: 3s }\n`,
  );
  const args = ["backfill", "-c", file, "--workers", "2", "--json"];
  const w1 = start([...args, "--worker-id", "w1"], dir);
  const w2 = start([...args, "--worker-id", "w2"], dir);
  // Killed once it has copied something, so it dies holding leases with checkpoints in them.
  await new Promise<void>((resolve) => {
    let seen = "";
    w1.child.stdout?.on("data", (d: Buffer) => {
      seen += d.toString();
      if (/"docsDone":[1-9]/.test(seen)) resolve();
    });
  });
  await delay(Math.floor(Math.random() * 500));
  w1.child.kill("SIGKILL");
  const killed = await w1.done;
  assert.equal(killed.signal, "SIGKILL", "worker 1 finished before it was killed");
  const events = (out: string) =>
    out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { event: string; docsDone?: number; detail?: string });
  assert.ok(
    events(killed.stdout).some((e) => (e.docsDone ?? 0) > 0),
    "worker 1 copied nothing before it was killed",
  );
  const survivor = await w2.done;
  assert.equal(survivor.code, 0, survivor.stderr);
  await assertSameContent(clusters.source, index, clusters.target, index);
  assert.equal(await count(clusters.target, index), DOCS);

  await clusters.target.request({ method: "POST", path: `/${leases}/_refresh` });
  const res = await clusters.target.request<{
    hits: { hits: { _id: string; _source: { owner: string; done: boolean } }[] };
  }>({ method: "POST", path: `/${leases}/_search`, body: { size: 100, query: { match_all: {} } } });
  const slices = res.body.hits.hits.filter((h) => !h._id.endsWith("::plan"));
  assert.equal(slices.length, 8);
  assert.ok(
    slices.every((h) => h._source.done),
    JSON.stringify(slices),
  );
  // Worker 1 held slices when it died; every slice it had not finished ended up done by worker 2.
  assert.ok(slices.some((h) => h._source.owner === "w2"));
  // The survivor took over the dead worker's expired leases, checkpoints included.
  assert.ok(
    events(survivor.stdout).some((e) => /^took over slice \d+ from w1/.test(e.detail ?? "")),
    survivor.stdout,
  );
});
