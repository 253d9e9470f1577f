/**
 * Sync through cross-cluster replication on the suite's main pair (2.11.1 → 2.19.4, both with the CCR
 * plugin): `bluegreen run --until validate` sets CCR up (the backfill records each index as copied
 * by CCR) while a writer writes straight to the source; lag reaches zero; a new index matching the
 * selection's pattern is followed by the auto-follow rule; stop makes the followers writable; every
 * index is digest-equal; clean-up removes what was made. The legacy pair (no plugin on either side)
 * is refused for `ccr` with the reason, and `auto` takes the gateway there.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { loadConfig, type MigrationConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { ccrRecord, openSync, remoteClusters, resolveSyncMethod, syncLag } from "../../src/sync/index.ts";
import { bluegreen } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { plainClusterConfig, type TestPair, testSandbox } from "../support/sandbox.ts";

const P = `ccr-${randomBytes(4).toString("hex")}`;
const ALIAS = `${P.replace(/-/g, "")}leader`;
const logger = createLogger({ level: "silent" });
const sandbox = testSandbox();
let dir = "";
let source: Cluster;
let target: Cluster;

function configFile(name: string, pair: TestPair, method: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      "version: 1",
      `name: ${name}`,
      `source: { url: "${pair.source.url}" }`,
      `target: { url: "${pair.target.url}" }`,
      `indices: { include: ["${P}-*"] }`,
      `sync: { method: ${method}, maxLag: 60s, ccr: { alias: ${ALIAS} } }`,
      `state: { path: ${name}.db }`,
      "",
    ].join("\n"),
  );
  return file;
}

async function bulk(cluster: Cluster, index: string, from: number, count: number): Promise<void> {
  const lines: unknown[] = [];
  for (let i = from; i < from + count; i++)
    lines.push({ index: { _index: index, _id: `d${i}` } }, { n: i, at: `v${i}` });
  await cluster.request({
    method: "POST",
    path: "/_bulk",
    bulkBody: lines,
    querystring: { refresh: "false" },
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bg-ccr-"));
  source = createCluster(plainClusterConfig("source", sandbox.source.url), { logger });
  target = createCluster(plainClusterConfig("target", sandbox.target.url), { logger });
  for (const index of [`${P}-a`, `${P}-b`]) {
    await source.request({
      method: "PUT",
      path: `/${index}`,
      body: { settings: { number_of_shards: 2, number_of_replicas: 0 } },
    });
    await bulk(source, index, 0, 300);
  }
});

after(async () => {
  for (const cluster of [source, target]) {
    await cluster.request({ method: "DELETE", path: `/${P}-*`, allowStatus: [404] });
  }
  await Promise.all([source.close(), target.close()]);
});

test("CCR: set up during writes, lag to zero, auto-follow, stop, digest-equal, clean-up", async () => {
  const file = configFile("ccr", sandbox, "ccr");
  let writing = true;
  let written = 300;
  const writer = (async () => {
    while (writing) {
      await bulk(source, `${P}-${written % 2 === 0 ? "a" : "b"}`, written, 20);
      written += 20;
      await delay(50);
    }
  })();
  const run = bluegreen(["run", "-c", file, "--until", "validate", "--json"], dir);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const outcome = JSON.parse(run.stdout) as { steps: { id: string; outcome: string }[] };
  assert.deepEqual(
    outcome.steps.filter((s) => s.id === "backfill" || s.id === "sync").map((s) => [s.id, s.outcome]),
    [
      ["backfill", "done"],
      ["sync", "done"],
    ],
  );
  // A daily index created while sync runs follows through the auto-follow rule.
  await source.request({
    method: "PUT",
    path: `/${P}-auto-1`,
    body: { settings: { number_of_replicas: 0 } },
  });
  await bulk(source, `${P}-auto-1`, 0, 50);
  writing = false;
  await writer;

  const config: MigrationConfig = await loadConfig(file);
  const state = openMigrationState(config);
  try {
    const record = ccrRecord(state);
    assert.deepEqual(Object.keys(record?.followed ?? {}).sort(), [`${P}-a`, `${P}-b`]);
    assert.deepEqual(Object.values(record?.autoFollow ?? {}), [`${P}-*`]);
    const sync = openSync(config, state, logger);
    assert.ok(sync !== undefined);
    try {
      // The auto-followed index appears on the target by itself (the rule polls the leader).
      for (let i = 0; i < 120; i++) {
        const res = await target.request({ method: "HEAD", path: `/${P}-auto-1`, allowStatus: [404] });
        if (res.status === 200) break;
        await delay(1_000);
      }
      await sync.drain(300_000);
      const lag = await syncLag(config, state, logger);
      assert.equal(lag?.lagRecords, 0);
      assert.deepEqual(lag?.indices?.map((i) => i.followerIndex).sort(), [`${P}-a`, `${P}-auto-1`, `${P}-b`]);
      const stopped = await sync.stop();
      assert.deepEqual((stopped as { stopped: string[] }).stopped.sort(), [
        `${P}-a`,
        `${P}-auto-1`,
        `${P}-b`,
      ]);
      const again = (await sync.stop()) as { stopped: string[]; already: string[] };
      assert.deepEqual([again.stopped, again.already.sort()], [[], [`${P}-a`, `${P}-auto-1`, `${P}-b`]]);
      for (const index of [`${P}-a`, `${P}-b`, `${P}-auto-1`]) await assertSameContent(source, index, target);
      // Stopped followers are ordinary indices: the target takes writes.
      const write = await target.request({ method: "PUT", path: `/${P}-a/_doc/after-stop`, body: { n: -1 } });
      assert.equal(write.status, 201);
      assert.deepEqual(remoteClusters(state), [
        { alias: ALIAS, mode: "sniff", autoFollowRules: Object.keys(record?.autoFollow ?? {}) },
      ]);
      await sync.cleanUp();
      const info = await target.request<Record<string, unknown>>({ method: "GET", path: "/_remote/info" });
      assert.equal(info.body[ALIAS], undefined);
    } finally {
      await sync.close();
    }
  } finally {
    state.close();
  }
});

test("a pair without the CCR plugin: ccr is refused with the reason, auto picks the gateway", async () => {
  const legacy = sandbox.legacy;
  const s = createCluster(plainClusterConfig("source", legacy.source.url), { logger });
  const t = createCluster(plainClusterConfig("target", legacy.target.url), { logger });
  try {
    for (const [method, name] of [
      ["ccr", "refused"],
      ["auto", "fallback"],
    ] as const) {
      const config = await loadConfig(configFile(name, legacy, method));
      const state = openMigrationState(config);
      try {
        if (method === "ccr") {
          await assert.rejects(resolveSyncMethod(config, state, s, t), (e: unknown) => {
            assert.ok(isBluegreenError(e, "BG_SYNC_CCR_IMPOSSIBLE"));
            assert.equal(
              e.message,
              "sync.method is ccr, but cross-cluster replication cannot serve these clusters: the source (1.3.14) does not have the opensearch-cross-cluster-replication plugin; the target (2.19.4) does not have the opensearch-cross-cluster-replication plugin.",
            );
            return true;
          });
        } else {
          const choice = await resolveSyncMethod(config, state, s, t);
          assert.equal(choice.method, "gateway");
          assert.match(
            choice.reason,
            /^sync\.method auto: the gateway, because .*source \(1\.3\.14\) does not have/,
          );
          // Decided once: the recorded choice is what later commands see.
          assert.deepEqual(await resolveSyncMethod(config, state, s, t), choice);
        }
      } finally {
        state.close();
      }
    }
  } finally {
    await Promise.all([s.close(), t.close()]);
  }
});
