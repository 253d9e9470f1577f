/**
 * Every sandbox row the suite runs (the global setup's three pairs: 2.11 → 2.19, 1.3 → 2.19,
 * Elasticsearch 7.10 OSS → OpenSearch 3.x) reports its distribution and version and has its assembled
 * modules; a `down` leaves no JVM behind; a taken port is a
 * clear error.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { createCluster, formatVersion } from "../../src/cluster/index.ts";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { sandboxDown, sandboxHome, sandboxUp } from "../../src/sandbox/index.ts";
import { plainClusterConfig, type TestCluster, testSandbox } from "../support/sandbox.ts";

function configFor(name: string, url: string): ClusterConfig {
  return plainClusterConfig(name, url);
}

/** Pids of java processes whose command line mentions `needle`, read from /proc like `down` does. */
function javaPidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (cmdline[0]?.endsWith("java") && cmdline.some((arg) => arg.includes(needle)))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const MODULE_CAPABILITIES = [
  "remoteReindex",
  "painless",
  "analysisCommon",
  "mapperExtras",
  "ingestCommon",
] as const;

/** Each node the global setup started, by the sandbox row it runs. */
function runningNodes(): [string, TestCluster, { distribution: string; version: string }][] {
  const s = testSandbox();
  return [
    ["2.11 (main source)", s.source, { distribution: "opensearch", version: "2.11.1" }],
    ["2.19 (main target)", s.target, { distribution: "opensearch", version: "2.19.4" }],
    ["1.3 (legacy source)", s.legacy.source, { distribution: "opensearch", version: "1.3.14" }],
    ["es-7.10 (major source)", s.major.source, { distribution: "elasticsearch", version: "7.10.2" }],
    ["3 (major target)", s.major.target, { distribution: "opensearch", version: "3.4.0" }],
  ];
}

for (const [label, node, expected] of runningNodes()) {
  test(`sandbox row ${label}: ${expected.distribution} ${expected.version} with its modules, as clusters check sees it`, async () => {
    assert.equal(node.distribution, expected.distribution);
    assert.equal(node.version, expected.version);
    const cluster = createCluster(configFor(label, node.url));
    try {
      const facts = await cluster.facts();
      assert.equal(facts.distribution, expected.distribution);
      assert.equal(facts.versionText, expected.version);
      for (const capability of MODULE_CAPABILITIES) {
        assert.equal(
          facts.capabilities[capability],
          true,
          `${capability} (modules: ${facts.modules.join(", ")})`,
        );
      }
      // The module jars are real: a painless script and a common analyzer run, not just load.
      const script = await cluster.request({
        method: "POST",
        path: "/_scripts/painless/_execute",
        body: { script: { source: "params.a * 6", params: { a: 7 } } },
      });
      assert.equal((script.body as { result: unknown }).result, "42");
      const analyzed = await cluster.request({
        method: "POST",
        path: "/_analyze",
        body: { tokenizer: "whitespace", filter: ["reverse"], text: "abc" },
      });
      assert.deepEqual(
        (analyzed.body as { tokens: { token: string }[] }).tokens.map((t) => t.token),
        ["cba"],
      );
    } finally {
      await cluster.close();
    }
  });
}

test("a 1.3 source next to a 2.19 target: versions and modules detected; down leaves no JVM", async () => {
  const name = "test-13";
  const dir = join(sandboxHome(), "sandboxes", name);
  try {
    const status = await sandboxUp({ name, source: "1.3", portBase: 31400 });
    assert.equal(status.source.version, "1.3.14");
    assert.equal(status.target.version, "2.19.4");
    assert.ok(javaPidsMentioning(dir).length >= 2, "both nodes run as java processes under the sandbox dir");
    for (const [role, version] of [
      ["source", "1.3.14"],
      ["target", "2.19.4"],
    ] as const) {
      const cluster = createCluster(configFor(role, status[role].url));
      try {
        const facts = await cluster.facts();
        assert.equal(facts.distribution, "opensearch");
        assert.equal(facts.versionText, version);
        assert.equal(formatVersion(facts.version), version);
        for (const capability of [
          "remoteReindex",
          "painless",
          "analysisCommon",
          "mapperExtras",
          "ingestCommon",
        ] as const) {
          assert.equal(
            facts.capabilities[capability],
            true,
            `${role} ${capability} (modules: ${facts.modules.join(", ")})`,
          );
        }
      } finally {
        await cluster.close();
      }
    }
    const down = await sandboxDown({ name });
    assert.deepEqual(down.stopped, ["source", "target"]);
    assert.deepEqual(javaPidsMentioning(dir), [], "no JVM survives `down`");
  } finally {
    await sandboxDown({ name, purge: true });
  }
  assert.deepEqual(javaPidsMentioning(dir), []);
});

test("sandboxUp on a port another process listens on fails with BG_SANDBOX_PORT_IN_USE", async () => {
  const name = "test-port";
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  try {
    await assert.rejects(sandboxUp({ name, portBase: address.port }), (error) => {
      assert.ok(isBluegreenError(error, "BG_SANDBOX_PORT_IN_USE"), String(error));
      assert.match(error.message, new RegExp(`Port ${address.port}\\b`));
      return true;
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await sandboxDown({ name, purge: true });
  }
});
