/**
 * The operator's hand on CCR sync, on the main pair: `bluegreen sync status|pause|resume` (each
 * idempotent and recorded as an event), lag per index in operations and seconds behind, in
 * `bluegreen status` and as Prometheus metrics (printed and served), the sync step refusing while
 * paused, and the refusals of pause/resume where nothing can be paused (a table of messages). Ends
 * digest-equal after resume, drain and stop. `sync.method: auto` throughout: decided once by the
 * backfill, then honoured by every command.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { loadConfig, type MigrationConfig } from "../../src/config/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { type IndexLag, openSync, type SyncStatusReport } from "../../src/sync/index.ts";
import { bluegreen, start } from "../support/backfill.ts";
import { bulk, ccrConfigFile, createIndex, dropPrefix, plainSides, silent } from "../support/ccr.ts";
import { assertSameContent } from "../support/digest.ts";
import { testSandbox } from "../support/sandbox.ts";

const P = `cco-${randomBytes(4).toString("hex")}`;
const ALIAS = `${P.replace(/-/g, "")}leader`;
const INDICES = [`${P}-a`, `${P}-b`];
const sandbox = testSandbox();
const dir = mkdtempSync(join(tmpdir(), "bg-ccr-ops-"));
const file = ccrConfigFile(dir, "ops", plainSides(sandbox), P, ALIAS, "auto");
let config: MigrationConfig;
let source: Cluster;
let target: Cluster;

function cli(...args: string[]): string {
  const run = bluegreen(args, dir);
  assert.equal(run.code, 0, `bluegreen ${args.join(" ")}:\n${run.stdout}${run.stderr}`);
  return run.stdout;
}

const status = () => JSON.parse(cli("sync", "status", "-c", file, "--json")) as SyncStatusReport;
const byIndex = (s: SyncStatusReport) =>
  Object.fromEntries((s.lag?.indices ?? []).map((i: IndexLag) => [i.index, i]));

function syncEvents(): string[] {
  const state = openMigrationState(config);
  try {
    return state.readEvents({ step: "sync" }).map((e) => e.type);
  } finally {
    state.close();
  }
}

before(async () => {
  config = await loadConfig(file);
  source = createCluster(config.source, { logger: silent });
  target = createCluster(config.target, { logger: silent });
  for (const index of INDICES) await createIndex(source, index, 100);
});

after(async () => {
  await Promise.all([source.close(), target.close()]);
  await dropPrefix(file, P);
});

test("sync status, pause, resume: idempotent, recorded, lag in operations and seconds, Prometheus", async () => {
  cli("backfill", "-c", file);
  const running = status();
  assert.deepEqual([running.configured, running.method, running.paused], ["auto", "ccr", undefined]);
  assert.equal(
    running.reason,
    "both clusters run cross-cluster replication and the target reaches the source",
  );
  assert.deepEqual(
    INDICES.map((i) => [byIndex(running)[i]?.status, byIndex(running)[i]?.operationsBehind]),
    [
      ["SYNCING", 0],
      ["SYNCING", 0],
    ],
  );

  const paused = JSON.parse(cli("sync", "pause", "-c", file, "--json"));
  assert.deepEqual([paused.method, paused.changed], ["ccr", true]);
  assert.equal(JSON.parse(cli("sync", "pause", "-c", file, "--json")).changed, false);
  assert.equal(syncEvents().filter((t) => t === "sync.paused").length, 1);

  // Paused followers take nothing: exactly the operations written since are behind.
  await bulk(source, `${P}-a`, 100, 30);
  const behind = status();
  assert.equal(behind.paused?.at, paused.paused.at);
  const a = byIndex(behind)[`${P}-a`];
  assert.deepEqual(
    [a?.status, a?.operationsBehind, byIndex(behind)[`${P}-b`]?.operationsBehind, behind.lag?.lagRecords],
    ["PAUSED", 30, 0, 30],
  );
  // The earlier reading saw the leader where the follower still is: the upper bound is known.
  assert.ok(a?.secondsBehind !== undefined && a.secondsBehind >= a.secondsBehindAtLeast, JSON.stringify(a));

  const text = cli("status", "-c", file);
  assert.match(text, /^sync: ccr \(both clusters run .*\); PAUSED since /m);
  assert.match(text, new RegExp(`│ ${P}-a +│ ${P}-a +│ PAUSED +│ 30 +│ ≤ `));
  const whole = JSON.parse(cli("status", "-c", file, "--json")) as { sync: SyncStatusReport };
  assert.equal(whole.sync.lag?.lagRecords, 30);

  const labels = `index="${P}-a",follower="${P}-a"`;
  const printed = cli("sync", "status", "-c", file, "--prometheus");
  for (const line of [
    "bluegreen_sync_up 1",
    'bluegreen_sync_method{method="ccr"} 1',
    "bluegreen_sync_paused 1",
    "bluegreen_sync_lag 30",
    `bluegreen_ccr_lag_operations{${labels}} 30`,
    `bluegreen_ccr_follower_status{${labels},status="PAUSED"} 1`,
  ]) {
    assert.ok(printed.split("\n").includes(line), `${line} in:\n${printed}`);
  }
  assert.match(printed, new RegExp(`^bluegreen_ccr_lag_seconds\\{${labels}\\} \\d`, "m"));

  // Served: read anew at every scrape.
  const served = start(["sync", "status", "-c", file, "--metrics", "127.0.0.1:0"], dir);
  let said = "";
  served.child.stderr?.on("data", (d: Buffer) => {
    said += d.toString();
  });
  let url: string | undefined;
  for (let i = 0; i < 600 && url === undefined; i++) {
    url = /serving sync metrics on (\S+)/.exec(said)?.[1];
    if (url === undefined) await delay(100);
  }
  assert.ok(url !== undefined, "the metrics endpoint announced itself");
  const scraped = await (await fetch(url)).text();
  assert.ok(scraped.includes(`bluegreen_ccr_lag_operations{${labels}} 30`), scraped);
  served.child.kill("SIGTERM");
  assert.equal((await served.done).code, 0);

  // The sync step does not wait for a paused sync to catch up.
  const refused = bluegreen(["run", "-c", file, "--until", "validate", "--json"], dir);
  assert.equal(refused.code, 1, refused.stderr);
  const step = (
    JSON.parse(refused.stdout) as { steps: { id: string; error?: { code: string; message: string } }[] }
  ).steps.find((s) => s.id === "sync");
  assert.deepEqual(step?.error && [step.error.code, step.error.message], [
    "BG_SYNC_NOT_READY",
    `Sync is paused (bluegreen sync pause, at ${paused.paused.at}).`,
  ]);

  assert.equal(JSON.parse(cli("sync", "resume", "-c", file, "--json")).changed, true);
  assert.equal(JSON.parse(cli("sync", "resume", "-c", file, "--json")).changed, false);
  assert.deepEqual(
    syncEvents().filter((t) => t.startsWith("sync.p") || t.startsWith("sync.r")),
    ["sync.paused", "sync.resumed"],
  );
  assert.equal(status().paused, undefined);

  const state = openMigrationState(config);
  const sync = openSync(config, state, silent);
  assert.ok(sync !== undefined);
  try {
    await sync.drain(300_000);
    await sync.stop();
  } finally {
    await sync.close();
    state.close();
  }
  for (const index of INDICES) await assertSameContent(source, index, target);
  const stopped = bluegreen(["sync", "pause", "-c", file], dir);
  assert.equal(stopped.code, 1);
  assert.match(
    stopped.stderr,
    /^error BG_SYNC_NOT_READY: Cannot pause sync: cutover stopped cross-cluster replication at \S+; the followers are ordinary indices now\.$/m,
  );
});

const REFUSALS: [string, string, string][] = [
  ["none", "pause", "Cannot pause sync: sync.method is none, nothing keeps the target current."],
  ["auto", "pause", "Cannot pause sync: sync.method is auto and not decided yet."],
  ["ccr", "resume", "Cannot resume sync: cross-cluster replication is not set up yet."],
];

test("sync pause/resume where nothing can be paused: refused with the reason", () => {
  for (const [method, verb, message] of REFUSALS) {
    const own = ccrConfigFile(dir, `refused-${method}`, plainSides(sandbox), P, ALIAS, method);
    const run = bluegreen(["sync", verb, "-c", own], dir);
    assert.equal(run.code, 1, method);
    assert.equal(run.stderr.split("\n")[0], `error BG_SYNC_NOT_READY: ${message}`);
  }
});
