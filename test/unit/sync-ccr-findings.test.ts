/** Why CCR cannot serve a pair, from both clusters' facts: one row per refusal, the message asserted. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ClusterFacts, parseVersion } from "../../src/cluster/index.ts";
import { ccrFindings, ccrVersionVerdict } from "../../src/sync/index.ts";

const CCR = "opensearch-cross-cluster-replication";

function facts(versionText: string, plugins: string[], distribution = "opensearch"): ClusterFacts {
  return {
    distribution,
    version: parseVersion(versionText),
    versionText,
    plugins,
    partialPlugins: [],
    modules: [],
    nodeVersions: [versionText],
  } as unknown as ClusterFacts;
}

const rows: [string, ClusterFacts, ClusterFacts, string[]][] = [
  ["both with the plugin, follower newer", facts("2.11.1", [CCR]), facts("2.19.4", [CCR]), []],
  ["1.3 → 2.19", facts("1.3.14", [CCR]), facts("2.19.4", [CCR]), []],
  [
    "plugin missing on the source",
    facts("2.11.1", []),
    facts("2.19.4", [CCR]),
    ["the source (2.11.1) does not have the opensearch-cross-cluster-replication plugin"],
  ],
  [
    "leader newer than follower",
    facts("3.4.0", [CCR]),
    facts("2.19.4", [CCR]),
    [
      "the target (follower) runs 2.19.4, older than the source (leader) 3.4.0: CCR only replicates to a follower of the same or a newer version",
    ],
  ],
  [
    "security on one side only",
    facts("2.11.1", [CCR, "opensearch-security"]),
    facts("2.19.4", [CCR]),
    ["the security plugin runs on the source only; CCR needs it on both clusters or on neither"],
  ],
  [
    "Elasticsearch source",
    facts("7.10.2", [], "elasticsearch"),
    facts("2.19.4", [CCR]),
    ["the source is elasticsearch 7.10.2; cross-cluster replication is an OpenSearch plugin"],
  ],
];

for (const [name, source, target, reasons] of rows) {
  test(`ccr findings: ${name}`, () => {
    const found = ccrFindings(source, target);
    assert.deepEqual(
      found.map((f) => f.reason),
      reasons,
    );
    for (const f of found) assert.ok(f.fix.length > 10, f.fix);
  });
}

test("the version rule: the same or a newer follower", () => {
  assert.equal(ccrVersionVerdict("2.19.4", "2.19.4"), undefined);
  assert.equal(ccrVersionVerdict("2.19.4", "3.4.0"), undefined);
  assert.match(ccrVersionVerdict("2.19.4", "2.11.1") ?? "", /older than the source/);
});
