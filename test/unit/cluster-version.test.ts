import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CAPABILITY_CHECKS,
  type Capability,
  type CapabilityInput,
  detectCapabilities,
} from "../../src/cluster/capabilities.ts";
import {
  atLeast,
  compareVersions,
  distributionOf,
  formatVersion,
  parseVersion,
  tryParseVersion,
  type Version,
} from "../../src/cluster/version.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

test("version parsing", () => {
  const cases: Array<[string, Version | undefined]> = [
    ["7.10.2", { major: 7, minor: 10, patch: 2 }],
    ["2.19.4", { major: 2, minor: 19, patch: 4 }],
    ["2.19.4-SNAPSHOT", { major: 2, minor: 19, patch: 4 }],
    ["1.0.0-rc1", { major: 1, minor: 0, patch: 0 }],
    ["8.0.0-alpha2", { major: 8, minor: 0, patch: 0 }],
    ["6.8", { major: 6, minor: 8, patch: 0 }],
    ["5", { major: 5, minor: 0, patch: 0 }],
    [" 3.0.0 ", { major: 3, minor: 0, patch: 0 }],
    ["", undefined],
    ["latest", undefined],
    ["x7.10", undefined],
  ];
  for (const [text, expected] of cases)
    assert.deepEqual(tryParseVersion(text), expected, JSON.stringify(text));
  assert.throws(
    () => parseVersion("latest"),
    (error) => isBluegreenError(error, "BG_CLUSTER_UNSUPPORTED"),
  );
  assert.equal(formatVersion(parseVersion("2.4")), "2.4.0");
});

test("version comparison orders numerically, not lexically", () => {
  const v = (text: string): Version => parseVersion(text);
  const cases: Array<[string, string, number]> = [
    ["7.10.2", "7.9.3", 1],
    ["7.9.3", "7.10.2", -1],
    ["2.19.4", "2.19.4", 0],
    ["2.19.4", "10.0.0", -1],
    ["1.3.20", "2.0.0", -1],
    ["7.10.2", "7.10.10", -1],
  ];
  for (const [a, b, sign] of cases)
    assert.equal(Math.sign(compareVersions(v(a), v(b))), sign, `${a} vs ${b}`);
  const sorted = ["7.10.2", "1.3.0", "7.9.0", "2.19.4", "2.4.0"]
    .map(v)
    .sort(compareVersions)
    .map(formatVersion);
  assert.deepEqual(sorted, ["1.3.0", "2.4.0", "2.19.4", "7.9.0", "7.10.2"]);
  assert.equal(atLeast(v("2.4.0"), 2, 4), true);
  assert.equal(atLeast(v("2.3.9"), 2, 4), false);
  assert.equal(atLeast(v("3.0.0"), 2, 4), true);
});

test("distribution: only version.distribution == opensearch means OpenSearch", () => {
  assert.equal(distributionOf("opensearch"), "opensearch");
  assert.equal(distributionOf(undefined), "elasticsearch");
  assert.equal(distributionOf("elasticsearch"), "elasticsearch");
});

const OSS_MODULES = ["reindex", "lang-painless", "ingest-common", "analysis-common", "mapper-extras"];

function cluster(
  distribution: "opensearch" | "elasticsearch",
  version: string,
  extra: Partial<CapabilityInput> = {},
) {
  return { distribution, version: parseVersion(version), plugins: [], modules: OSS_MODULES, ...extra };
}

const os219 = cluster("opensearch", "2.19.4");
const os23 = cluster("opensearch", "2.3.0");
const os1 = cluster("opensearch", "1.3.20");
const es6oss = cluster("elasticsearch", "6.8.23");
const es710oss = cluster("elasticsearch", "7.10.2");
const es77 = cluster("elasticsearch", "7.7.1");
const es710default = cluster("elasticsearch", "7.10.2", {
  modules: [...OSS_MODULES, "x-pack-core", "x-pack-ilm"],
});
const es5 = cluster("elasticsearch", "5.6.16");
const es2 = cluster("elasticsearch", "2.4.6", { modules: ["lang-groovy"] });
const osWithPlugins = cluster("opensearch", "2.19.4", {
  plugins: ["opensearch-cross-cluster-replication", "opensearch-index-management", "opensearch-security"],
});
const esWithOsPluginNames = cluster("elasticsearch", "7.10.2", {
  plugins: ["opensearch-cross-cluster-replication", "opensearch-index-management", "opensearch-security"],
});

const table: Record<Capability, Array<[CapabilityInput, boolean]>> = {
  ccr: [
    [osWithPlugins, true],
    [os219, false],
    [esWithOsPluginNames, false],
  ],
  remoteReindex: [
    [os219, true],
    [es6oss, true],
    [es2, false],
  ],
  ism: [
    [osWithPlugins, true],
    [os219, false],
    [esWithOsPluginNames, false],
  ],
  ilm: [
    [es710default, true],
    [es710oss, false],
    [os219, false],
  ],
  security: [
    [osWithPlugins, true],
    [os219, false],
    [esWithOsPluginNames, false],
  ],
  pit: [
    [os219, true],
    [os23, false],
    [os1, false],
    [es710default, false],
  ],
  typesRemoved: [
    [os1, true],
    [es710oss, true],
    [es6oss, false],
  ],
  composableTemplates: [
    [os1, true],
    [es710oss, true],
    [es77, false],
    [es6oss, false],
  ],
  dataStreams: [
    [os1, true],
    [es710default, true],
    [es710oss, false],
    [es77, false],
  ],
  painless: [
    [os219, true],
    [es2, false],
  ],
  ingestCommon: [
    [os219, true],
    [es2, false],
  ],
  analysisCommon: [
    [os219, true],
    [es2, false],
  ],
  mapperExtras: [
    [os219, true],
    [es2, false],
  ],
  searchAfter: [
    [os1, true],
    [es5, true],
    [es2, false],
  ],
};

for (const [capability, rows] of Object.entries(table) as Array<
  [Capability, Array<[CapabilityInput, boolean]>]
>) {
  test(`capability ${capability}`, () => {
    for (const [input, expected] of rows) {
      const label = `${input.distribution} ${formatVersion(input.version)} plugins=[${input.plugins}]`;
      assert.equal(CAPABILITY_CHECKS[capability](input), expected, label);
      assert.equal(detectCapabilities(input)[capability], expected, label);
    }
  });
}

test("detectCapabilities answers exactly the capabilities that have a check", () => {
  assert.deepEqual(Object.keys(detectCapabilities(os219)).sort(), Object.keys(CAPABILITY_CHECKS).sort());
  assert.deepEqual(Object.keys(table).sort(), Object.keys(CAPABILITY_CHECKS).sort());
});
