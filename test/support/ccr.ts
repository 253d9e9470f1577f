/**
 * Helpers for the CCR tests: migration files for a pair (plain or secure), writes straight to the
 * source, and the main case every pair runs: CCR set up by `bluegreen run` while a writer writes,
 * lag to zero, auto-follow of a new index, stop, every index digest-equal, clean-up.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { stopFollowing } from "../../src/sync/ccr/api.ts";
import { ccrRecord, openSync, remoteClusters, removeRemoteCluster, syncLag } from "../../src/sync/index.ts";
import { bluegreen } from "./backfill.ts";
import { assertSameContent } from "./digest.ts";
import type { TestPair } from "./sandbox.ts";

export const silent = createLogger({ level: "silent" });

/** The YAML of `source:` and `target:` for a plain pair. */
export function plainSides(pair: Pick<TestPair, "source" | "target">): { source: string; target: string } {
  return { source: `{ url: "${pair.source.url}" }`, target: `{ url: "${pair.target.url}" }` };
}

/** A migration file selecting `<prefix>-*`, syncing by `method`, its state beside it. */
export function ccrConfigFile(
  dir: string,
  name: string,
  sides: { source: string; target: string },
  prefix: string,
  alias: string,
  method: string,
): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      "version: 1",
      `name: ${name}`,
      `source: ${sides.source}`,
      `target: ${sides.target}`,
      `indices: { include: ["${prefix}-*"] }`,
      `sync: { method: ${method}, maxLag: 60s, ccr: { alias: ${alias} } }`,
      `state: { path: ${name}.db }`,
      "",
    ].join("\n"),
  );
  return file;
}

export async function bulk(cluster: Cluster, index: string, from: number, count: number): Promise<void> {
  const lines: unknown[] = [];
  for (let i = from; i < from + count; i++)
    lines.push({ index: { _index: index, _id: `d${i}` } }, { n: i, at: `v${i}` });
  const res = await cluster.request<{ errors: boolean }>({
    method: "POST",
    path: "/_bulk",
    bulkBody: lines,
    querystring: { refresh: "false" },
  });
  assert.equal(res.body.errors, false);
}

export async function createIndex(cluster: Cluster, index: string, docs: number, shards = 2): Promise<void> {
  await cluster.request({
    method: "PUT",
    path: `/${index}`,
    body: { settings: { number_of_shards: shards, number_of_replicas: 0 } },
  });
  await bulk(cluster, index, 0, docs);
}

/** Writes batches of 20 to the indices in turn until stopped; `stop` resolves once the last is done. */
export function startWriter(cluster: Cluster, indices: readonly string[], from: number): () => Promise<void> {
  let writing = true;
  const done = (async () => {
    for (let n = from; writing; n += 20) {
      await bulk(cluster, indices[(n / 20) % indices.length] as string, n, 20);
      await delay(50);
    }
  })();
  return async () => {
    writing = false;
    await done;
  };
}

/**
 * The main case on one pair: `run --until validate` sets CCR up while a writer writes to the source;
 * a new index matching the pattern follows by itself; drained, lag 0; stop (twice: idempotent);
 * digest-equal; the stopped followers take writes; clean-up removes the remote cluster.
 */
export async function ccrMainCase(file: string, dir: string, prefix: string, alias: string): Promise<void> {
  const config = await loadConfig(file);
  const source = createCluster(config.source, { logger: silent });
  const target = createCluster(config.target, { logger: silent });
  const indices = [`${prefix}-a`, `${prefix}-b`];
  try {
    for (const index of indices) await createIndex(source, index, 300);
    const stopWriter = startWriter(source, indices, 300);
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
    const auto = `${prefix}-auto-1`;
    await createIndex(source, auto, 50, 1);
    await stopWriter();
    const all = [...indices, auto].sort();

    const state = openMigrationState(config);
    const sync = openSync(config, state, silent);
    assert.ok(sync !== undefined);
    try {
      const record = ccrRecord(state);
      assert.deepEqual(Object.keys(record?.followed ?? {}).sort(), indices);
      assert.deepEqual(Object.values(record?.autoFollow ?? {}), [`${prefix}-*`]);
      // The auto-followed index appears on the target by itself (the rule polls the leader).
      for (let i = 0; i < 120; i++) {
        const res = await target.request({ method: "HEAD", path: `/${auto}`, allowStatus: [404] });
        if (res.status === 200) break;
        await delay(1_000);
      }
      await sync.drain(300_000);
      const lag = await syncLag(config, state, silent);
      assert.equal(lag?.lagRecords, 0);
      assert.equal(lag?.secondsBehind, 0);
      assert.deepEqual(lag?.indices?.map((i) => i.followerIndex).sort(), all);
      const stopped = (await sync.stop()) as { stopped: string[] };
      assert.deepEqual(stopped.stopped.sort(), all);
      const again = (await sync.stop()) as { stopped: string[]; already: string[] };
      assert.deepEqual([again.stopped, again.already.sort()], [[], all]);
      for (const index of all) await assertSameContent(source, index, target);
      // Stopped followers are ordinary indices: the target takes writes.
      const write = await target.request({
        method: "PUT",
        path: `/${indices[0]}/_doc/after-stop`,
        body: { n: -1 },
      });
      assert.equal(write.status, 201);
      assert.deepEqual(remoteClusters(state), [
        { alias, mode: "sniff", autoFollowRules: Object.keys(record?.autoFollow ?? {}) },
      ]);
      await sync.cleanUp();
      const info = await target.request<Record<string, unknown>>({ method: "GET", path: "/_remote/info" });
      assert.equal(info.body[alias], undefined);
    } finally {
      await sync.close();
      state.close();
    }
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/**
 * Drops the test's indices on both clusters of a migration file, stopping followers first, and the
 * remote clusters (with their auto-follow rules) its state file recorded.
 */
export async function dropPrefix(file: string, prefix: string): Promise<void> {
  const config = await loadConfig(file);
  const target = createCluster(config.target, { logger: silent });
  const source = createCluster(config.source, { logger: silent });
  try {
    // A follower refuses deletion (it is read-only to all but CCR) until it is stopped.
    const res = await target.request<{ index: string }[]>({
      method: "GET",
      path: `/_cat/indices/${prefix}-*`,
      querystring: { format: "json", h: "index" },
      allowStatus: [404],
    });
    for (const { index } of res.status === 404 ? [] : res.body) await stopFollowing(target, index);
    for (const cluster of [target, source]) {
      await cluster.request({ method: "DELETE", path: `/${prefix}-*`, allowStatus: [404] });
    }
    const state = openMigrationState(config);
    try {
      for (const remote of remoteClusters(state)) await removeRemoteCluster(target, remote);
    } finally {
      state.close();
    }
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/** `sync.method: ccr` refused for exactly `reason` (the findings, as the message lists them). */
export async function assertCcrRefused(
  decision: Promise<unknown>,
  reason: string,
  what: string,
): Promise<void> {
  await assert.rejects(decision, (e: unknown) => {
    assert.ok(isBluegreenError(e, "BG_SYNC_CCR_IMPOSSIBLE"), what);
    assert.equal(
      e.message,
      `sync.method is ccr, but cross-cluster replication cannot serve these clusters: ${reason}.`,
    );
    return true;
  });
}
