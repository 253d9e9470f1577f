/**
 * Per-index overrides and backfill tuning against the real main pair: a new index is created with the
 * override's shard count and tuned (no refresh, no replicas); the tuned state is not drift; restoring the
 * recorded values brings the index to its real settings, still without drift.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import type { IndexSelection } from "../../src/config/index.ts";
import {
  apply,
  applyOverrides,
  type Inventory,
  inventory,
  type PlanItem,
  plan,
  restoreTuning,
} from "../../src/prepare/index.ts";
import { plainClusterConfig, testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = `pp-tune-${randomBytes(3).toString("hex")}`;
const selection: IndexSelection = { include: [`${P}-*`], exclude: [], includeHidden: false };
const overrides = [{ index: `${P}-big`, shards: 1, replicas: 0 }];

let source: Cluster;
let target: Cluster;

async function desired(): Promise<{ src: Inventory; items: PlanItem[] }> {
  const [raw, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
  const src = { ...raw, indices: applyOverrides(raw.indices, overrides) };
  const items = plan(src, tgt, { backfillTuning: true }).items.filter((i) => i.name.startsWith(P));
  return { src, items };
}

async function settings(index: string): Promise<Record<string, unknown>> {
  const response = await target.request<Record<string, { settings: Record<string, unknown> }>>({
    method: "GET",
    path: `/${index}/_settings`,
    querystring: { flat_settings: true },
  });
  return response.body[index]?.settings ?? {};
}

before(async () => {
  source = createCluster(plainClusterConfig("source", sandbox.source.url));
  target = createCluster(plainClusterConfig("target", sandbox.target.url));
  await source.request({
    method: "PUT",
    path: `/${P}-big`,
    body: { settings: { number_of_shards: 3, number_of_replicas: 0, refresh_interval: "5s" } },
  });
  await source.request({ method: "PUT", path: `/${P}-plain`, body: { settings: { number_of_replicas: 0 } } });
});

after(async () => {
  for (const cluster of [source, target]) {
    await cluster.request({ method: "DELETE", path: `/${P}-*`, allowStatus: [404] });
    await cluster.close();
  }
});

test("new indices get the override and start tuned; the real values are returned for later", async () => {
  const { src, items } = await desired();
  assert.deepEqual(
    items.map((i) => `${i.action} ${i.kind} ${i.name}`),
    [`create index ${P}-big`, `create index ${P}-plain`],
  );
  const result = await apply(target, items, src, { backfillTuning: true });
  assert.deepEqual(result.tuned, {
    [`${P}-big`]: { "index.refresh_interval": "5s", "index.number_of_replicas": "0" },
    [`${P}-plain`]: { "index.refresh_interval": null, "index.number_of_replicas": "0" },
  });
  const big = await settings(`${P}-big`);
  assert.equal(big["index.number_of_shards"], "1", "the override, not the source's 3");
  assert.equal(big["index.refresh_interval"], "-1");
  assert.equal(big["index.number_of_replicas"], "0");
  // Tuned is the expected state during the backfill, not drift for the next plan.
  assert.deepEqual(
    (await desired()).items.filter((i) => i.action !== "identical"),
    [],
  );
});

test("restoring the recorded values ends tuning without drift", async () => {
  await restoreTuning(target, {
    [`${P}-big`]: { "index.refresh_interval": "5s", "index.number_of_replicas": "0" },
    [`${P}-plain`]: { "index.refresh_interval": null, "index.number_of_replicas": "0" },
  });
  assert.equal((await settings(`${P}-big`))["index.refresh_interval"], "5s");
  assert.equal((await settings(`${P}-plain`))["index.refresh_interval"], undefined, "back to the default");
  assert.deepEqual(
    (await desired()).items.filter((i) => i.action !== "identical"),
    [],
  );
});
