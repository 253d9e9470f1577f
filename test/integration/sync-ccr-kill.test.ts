/**
 * kill -9 of `bluegreen` while it sets CCR up and while cutover stops it, on the main pair. The CLI
 * runs as a child; it is SIGKILLed once the state file shows it half-way (the first follower
 * recorded, but not the last; the first follower stopped, but not the last), then run again, which
 * must reach the end state a run without the kill reaches: every follower following (then every
 * follower stopped and writable, the auto-follow rule gone), nothing recorded twice, source ≡ target
 * by content digest on every index.
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
import { replicationStatus } from "../../src/sync/ccr/api.ts";
import { type CcrRecord, ccrRecord, remoteClusters } from "../../src/sync/index.ts";
import { bluegreen, start } from "../support/backfill.ts";
import { bulk, ccrConfigFile, createIndex, dropPrefix, plainSides, silent } from "../support/ccr.ts";
import { assertSameContent } from "../support/digest.ts";
import { testSandbox } from "../support/sandbox.ts";

const P = `cck-${randomBytes(4).toString("hex")}`;
const ALIAS = `${P.replace(/-/g, "")}leader`;
const INDICES = ["a", "b", "c", "d"].map((s) => `${P}-${s}`);
const dir = mkdtempSync(join(tmpdir(), "bg-ccr-kill-"));
const file = ccrConfigFile(dir, "kill", plainSides(testSandbox()), P, ALIAS, "ccr");
let config: MigrationConfig;
let source: Cluster;
let target: Cluster;

function record(): CcrRecord | undefined {
  const state = openMigrationState(config);
  try {
    return ccrRecord(state);
  } finally {
    state.close();
  }
}

/** Runs the CLI as a child and SIGKILLs it once `halfWay` holds for the state file. */
async function killHalfWay(args: string[], halfWay: (r: CcrRecord | undefined) => boolean): Promise<void> {
  const run = start(args, dir);
  let exited = false;
  void run.done.then(() => {
    exited = true;
  });
  while (!exited && !halfWay(record())) await delay(20);
  run.child.kill("SIGKILL");
  const end = await run.done;
  assert.equal(end.signal, "SIGKILL", `bluegreen ${args.join(" ")} ended before the kill:\n${end.stderr}`);
}

async function status(follower: string): Promise<string> {
  return (await replicationStatus(target, follower)).status;
}

async function rules(): Promise<string[]> {
  const res = await target.request<{ autofollow_stats?: { name: string }[] }>({
    method: "GET",
    path: "/_plugins/_replication/autofollow_stats",
  });
  return (res.body.autofollow_stats ?? []).map((r) => r.name).filter((n) => n.includes(ALIAS));
}

before(async () => {
  config = await loadConfig(file);
  source = createCluster(config.source, { logger: silent });
  target = createCluster(config.target, { logger: silent });
  for (const index of INDICES) await createIndex(source, index, 200, 1);
});

after(async () => {
  await source.request({
    method: "PUT",
    path: `/${P}-*/_settings`,
    body: { "index.blocks.write": null },
    allowStatus: [404],
  });
  await Promise.all([source.close(), target.close()]);
  await dropPrefix(file, P);
});

test("kill -9 during CCR set-up, then run again: every follower follows, nothing twice", async () => {
  await killHalfWay(["backfill", "-c", file], (r) => {
    const n = Object.keys(r?.followed ?? {}).length;
    return n >= 1 && n < INDICES.length;
  });
  assert.ok(Object.keys(record()?.followed ?? {}).length < INDICES.length, "killed half-way");
  const again = bluegreen(["run", "-c", file, "--until", "validate"], dir);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.deepEqual(Object.keys(record()?.followed ?? {}).sort(), INDICES);
  assert.deepEqual(
    await Promise.all(INDICES.map(status)),
    INDICES.map(() => "SYNCING"),
  );
  assert.equal((await rules()).length, 1);
  const state = openMigrationState(config);
  try {
    assert.equal(remoteClusters(state).length, 1);
  } finally {
    state.close();
  }
  // Writes after the restart follow too.
  for (const index of INDICES) await bulk(source, index, 200, 25);
});

test("kill -9 while cutover stops CCR, then run again: every follower stopped and writable, digest-equal", async () => {
  await killHalfWay(["cutover", "-c", file, "--yes", "--force"], (r) => {
    const n = r?.stopped?.length ?? 0;
    return n >= 1 && n < INDICES.length;
  });
  const killed = record();
  assert.ok(killed?.stoppedAt === undefined && (killed?.stopped?.length ?? 0) < INDICES.length, "half-way");
  const again = bluegreen(["cutover", "-c", file, "--yes", "--force"], dir);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  const done = record();
  assert.ok(done?.stoppedAt !== undefined);
  assert.deepEqual([...(done?.stopped ?? [])].sort(), INDICES);
  assert.deepEqual(
    await Promise.all(INDICES.map(status)),
    INDICES.map(() => "NOT_REPLICATING"),
  );
  assert.deepEqual(await rules(), []);
  for (const index of INDICES) await assertSameContent(source, index, target);
  const write = await target.request({ method: "PUT", path: `/${INDICES[0]}/_doc/after`, body: { n: -1 } });
  assert.equal(write.status, 201);
});
