/**
 * Detection against the real clusters the suite's global setup started (see test/support/sandbox.ts).
 * Without a sandbox this fails loudly instead of skipping: a silently skipped integration test looks
 * exactly like a passing one.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createCluster, formatVersion } from "../../src/cluster/index.ts";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { plainClusterConfig, type TestCluster, testSandbox } from "../support/sandbox.ts";

function configFor(name: string, cluster: TestCluster): ClusterConfig {
  return plainClusterConfig(name, cluster.url);
}

const sandbox = testSandbox();

for (const role of ["source", "target"] as const) {
  const declared = sandbox[role];

  test(`${role}: facts() detects the sandbox's declared distribution, version and modules`, async () => {
    const cluster = createCluster(configFor(role, declared));
    try {
      const facts = await cluster.facts();
      assert.equal(facts.distribution, declared.distribution);
      assert.equal(facts.versionText, declared.version);
      assert.equal(formatVersion(facts.version), declared.version.replace(/-.*$/, ""));
      assert.ok(facts.clusterName !== "", "cluster name");
      assert.ok(facts.clusterUuid !== "", "cluster uuid");
      assert.ok(facts.health.numberOfNodes >= 1, "at least one node");
      assert.deepEqual(facts.nodeVersions, [declared.version]);
      const { capabilities } = facts;
      for (const capability of [
        "remoteReindex",
        "painless",
        "analysisCommon",
        "mapperExtras",
        "ingestCommon",
      ] as const) {
        assert.equal(capabilities[capability], true, `${capability} (modules: ${facts.modules.join(", ")})`);
      }
      assert.equal(capabilities.searchAfter, true);
      assert.equal(await cluster.facts(), facts, "cached");
    } finally {
      await cluster.close();
    }
  });
}

test("request() and indices() against a real cluster", async () => {
  const cluster = createCluster(configFor("source", sandbox.source));
  const index = `bluegreen-cluster-detect-${process.pid}-${Date.now()}`;
  try {
    // Elasticsearch 6 still wants a type name on bulk actions.
    const typed = (await cluster.facts()).capabilities.typesRemoved ? {} : { _type: "_doc" };
    await cluster.request({
      method: "PUT",
      path: `/${index}`,
      body: { settings: { number_of_replicas: 0 } },
    });
    await cluster.request({
      method: "POST",
      path: "/_bulk",
      querystring: { refresh: "true" },
      bulkBody: [
        { index: { _index: index, _id: "1", ...typed } },
        { n: 1 },
        { index: { _index: index, _id: "2", ...typed } },
        { n: 2 },
      ],
    });
    const count = await cluster.request<{ count: number }>({
      method: "POST",
      path: `/${index}/_count`,
      body: { query: { match_all: {} } },
      idempotent: true,
    });
    assert.equal(count.body.count, 2);
    const [info] = await cluster.indices(index);
    assert.equal(info?.name, index);
    assert.equal(info?.docsCount, 2);
    assert.equal(info?.status, "open");
    assert.equal(info?.hidden, false);
    assert.ok((info?.storeSizeBytes ?? 0) > 0);
    const exists = await cluster.request({ method: "HEAD", path: `/${index}-missing` });
    assert.equal(exists.status, 404);
    await assert.rejects(cluster.request({ method: "GET", path: `/${index}-missing/_doc/1` }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_RESPONSE"));
      assert.match(error.message, /index_not_found_exception/);
      return true;
    });
  } finally {
    await cluster.request({ method: "DELETE", path: `/${index}`, allowStatus: [404] }).catch(() => undefined);
    await cluster.close();
  }
});
