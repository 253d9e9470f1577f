/** Version transforms, blockers and the conflict advice of prepare: pure rules, tested as tables. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blockers, type ClusterAbout, diffIndex, emptyInventory, plan } from "../../src/prepare/index.ts";
import { CLOSE_ADVICE, REINDEX_ADVICE } from "../../src/prepare/plan.ts";
import { type Definition, RULES, transform, transformTemplate } from "../../src/prepare/transforms.ts";

const kw = { type: "keyword" };

function def(mappings: object, settings: Record<string, string> = {}): Definition {
  return { settings, mappings: mappings as Definition["mappings"] };
}

describe("version transforms", () => {
  const rows: readonly {
    name: string;
    input: Definition;
    mappings?: object;
    settings?: object;
    transforms: string[];
    untranslatable?: RegExp;
  }[] = [
    {
      name: "ES 6 `_doc` type is unwrapped",
      input: def({ _doc: { dynamic: "strict", properties: { a: kw } } }),
      mappings: { dynamic: "strict", properties: { a: kw } },
      transforms: ["mapping-types-removed"],
    },
    {
      name: "a single custom type is unwrapped",
      input: def({ tweet: { properties: { user: kw } } }),
      mappings: { properties: { user: kw } },
      transforms: ["mapping-types-removed"],
    },
    {
      name: "several types cannot be translated",
      input: def({ tweet: { properties: {} }, user: { properties: {} } }),
      transforms: [],
      untranslatable: /mappings have 2 types \(tweet, user\): OpenSearch allows one per index; split/,
    },
    {
      name: "`string` becomes text, keyword or an unindexed keyword, also in multi-fields and objects",
      input: def({
        properties: {
          title: {
            type: "string",
            index: "analyzed",
            fields: { raw: { type: "string", index: "not_analyzed" } },
          },
          owner: { properties: { id: { type: "string", index: "no" } } },
        },
      }),
      mappings: {
        properties: {
          title: { type: "text", fields: { raw: { type: "keyword" } } },
          owner: { properties: { id: { type: "keyword", index: false } } },
        },
      },
      transforms: ["string-to-text-keyword"],
    },
    {
      name: "a disabled `_all` and `include_in_all` are dropped",
      input: def({ _all: { enabled: false }, properties: { a: { type: "text", include_in_all: false } } }),
      mappings: { properties: { a: { type: "text" } } },
      transforms: ["all-field-removed"],
    },
    {
      name: "an enabled `_all` is reported with the copy_to advice",
      input: def({ _all: { enabled: true }, properties: {} }),
      mappings: { properties: {} },
      transforms: ["all-field-removed"],
      untranslatable: /_all field is enabled: add a catch-all field with copy_to/,
    },
    {
      name: "removed and Elasticsearch-only index settings are dropped",
      input: def(
        {},
        {
          "index.mapper.dynamic": "false",
          "index.lifecycle.name": "logs",
          "index.routing.allocation.include._tier_preference": "data_hot",
          "index.refresh_interval": "5s",
        },
      ),
      settings: { "index.refresh_interval": "5s" },
      transforms: ["removed-index-settings"],
    },
    {
      name: "soft deletes turned off are left out (OpenSearch 2.0 and later refuse the index)",
      input: def({}, { "index.soft_deletes.enabled": "false", "index.number_of_shards": "2" }),
      settings: { "index.number_of_shards": "2" },
      transforms: ["soft-deletes-required"],
    },
    {
      name: "soft deletes turned on stay",
      input: def({}, { "index.soft_deletes.enabled": "true" }),
      settings: { "index.soft_deletes.enabled": "true" },
      transforms: [],
    },
    {
      name: "Open Distro plugin settings are renamed to index.plugins.*",
      input: def({}, { "index.opendistro.index_state_management.rollover_alias": "logs" }),
      settings: { "index.plugins.index_state_management.rollover_alias": "logs" },
      transforms: ["opendistro-settings-renamed"],
    },
    {
      name: "Elasticsearch-only field types are named with their OpenSearch counterpart",
      input: def({
        properties: { labels: { type: "flattened" }, v: { properties: { e: { type: "dense_vector" } } } },
      }),
      transforms: [],
      untranslatable:
        /field labels: type flattened is Elasticsearch-only; use flat_object.*; field v\.e: type dense_vector .*knn_vector/,
    },
    {
      name: "an ES 5 index needs two rules in a row",
      input: def({ doc: { properties: { name: { type: "string" } } } }),
      mappings: { properties: { name: { type: "text" } } },
      transforms: ["mapping-types-removed", "string-to-text-keyword"],
    },
    {
      name: "OpenSearch metadata is left exactly as it is",
      input: def(
        { properties: { a: kw, b: { type: "text", fields: { raw: kw } } } },
        { "index.number_of_shards": "1" },
      ),
      mappings: { properties: { a: kw, b: { type: "text", fields: { raw: kw } } } },
      settings: { "index.number_of_shards": "1" },
      transforms: [],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const out = transform(row.input);
      assert.deepEqual(out.transforms, row.transforms);
      if (row.mappings !== undefined) assert.deepEqual(out.mappings, row.mappings);
      if (row.settings !== undefined) assert.deepEqual(out.settings, row.settings);
      if (row.untranslatable === undefined) assert.deepEqual(out.untranslatable, []);
      else assert.match(out.untranslatable.join("; "), row.untranslatable);
    });
  }

  it("every rule has a unique kebab-case name", () => {
    const names = RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^[a-z]+(-[a-z]+)+$/);
  });

  it("an untranslatable index is an unsupported item with the exact reason; transforms are listed", () => {
    const source = {
      ...emptyInventory(),
      indices: {
        old: { settings: {}, mappings: {}, aliases: { a: {} }, untranslatable: ["field x: type flattened"] },
        typed: { settings: {}, mappings: {}, aliases: {}, transforms: ["mapping-types-removed"] },
      },
    };
    const items = plan(source, emptyInventory()).items.filter(
      (i) => i.kind === "index" || i.kind === "alias",
    );
    assert.deepEqual(items, [
      { kind: "index", name: "old", action: "unsupported", reason: "field x: type flattened" },
      { kind: "index", name: "typed", action: "create", transforms: ["mapping-types-removed"] },
    ]);
  });
});

describe("version transforms on templates", () => {
  it("an ES 6 legacy template loses its type and the removed settings; the rules are named", () => {
    const t = transformTemplate(
      {
        index_patterns: ["logs-*"],
        order: 1,
        settings: { "index.mapper.dynamic": "false", "index.number_of_shards": "1" },
        mappings: { _doc: { properties: { msg: { type: "string" } } } },
      },
      true,
    );
    assert.deepEqual(t.body, {
      index_patterns: ["logs-*"],
      order: 1,
      settings: { "index.number_of_shards": "1" },
      mappings: { properties: { msg: { type: "text" } } },
    });
    assert.deepEqual(t.transforms, [
      "mapping-types-removed",
      "string-to-text-keyword",
      "removed-index-settings",
    ]);
  });

  it("a composable template with an Elasticsearch-only field type is untranslatable; OpenSearch ones pass", () => {
    const bad = transformTemplate(
      { index_patterns: ["m-*"], template: { mappings: { properties: { tags: { type: "flattened" } } } } },
      false,
    );
    assert.match(bad.untranslatable.join(), /field tags: type flattened is Elasticsearch-only/);
    const good = { index_patterns: ["m-*"], template: { mappings: { properties: { tags: kw } } } };
    assert.deepEqual(transformTemplate(good, false), { body: good, transforms: [], untranslatable: [] });
  });

  it("the plan names a template's transforms and reports an untranslatable one as unsupported", () => {
    const source = {
      ...emptyInventory(),
      legacyTemplates: { logs: { index_patterns: ["logs-*"] } },
      transforms: { "legacy_template logs": ["mapping-types-removed"] },
      untranslatable: [
        { kind: "index_template" as const, name: "metrics", reason: "field x: type flattened" },
      ],
    };
    const items = plan(source, emptyInventory()).items.filter((i) => i.kind.endsWith("template"));
    assert.deepEqual(items, [
      { kind: "legacy_template", name: "logs", action: "create", transforms: ["mapping-types-removed"] },
      { kind: "index_template", name: "metrics", action: "unsupported", reason: "field x: type flattened" },
    ]);
  });
});

describe("conflicts come with advice, never a crash", () => {
  const meta = (settings: Record<string, string>, properties: object = {}) => ({
    settings,
    mappings: { properties } as never,
    aliases: {},
  });
  const rows = [
    {
      name: "an analyzer changed: static, fixable on a closed index",
      source: meta({ "index.analysis.analyzer.a.type": "standard" }),
      target: meta({ "index.analysis.analyzer.a.type": "simple" }),
      diff: /setting index\.analysis\.analyzer\.a\.type: "simple" on target, "standard" on source \(static: only on a closed index\)/,
      advice: CLOSE_ADVICE,
    },
    {
      name: "the shard count changed: fixed at creation",
      source: meta({ "index.number_of_shards": "3" }),
      target: meta({ "index.number_of_shards": "1" }),
      diff: /setting index\.number_of_shards: "1" on target, "3" on source$/,
      advice: REINDEX_ADVICE,
    },
    {
      name: "a field's type changed (incompatible mapping change)",
      source: meta({}, { price: { type: "float" } }),
      target: meta({}, { price: { type: "keyword" } }),
      diff: /^field price: type keyword on target, float on source$/,
      advice: REINDEX_ADVICE,
    },
    {
      name: "a closed-only setting and a changed field together need the reindex",
      source: meta({ "index.codec": "best_compression" }, { a: { type: "long" } }),
      target: meta({ "index.codec": "default" }, { a: kw }),
      diff: /index\.codec.*; field a: type keyword on target, long on source/,
      advice: REINDEX_ADVICE,
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const source = { ...emptyInventory(), indices: { i: row.source } };
      const target = { ...emptyInventory(), indices: { i: row.target } };
      const item = plan(source, target).items.find((i) => i.kind === "index");
      assert.equal(item?.action, "conflict");
      assert.match(item?.diff ?? "", row.diff);
      assert.equal(item?.reason, row.advice);
    });
  }

  it("a dynamic setting next to a closed-only one is still planned as a patch for later", () => {
    const diff = diffIndex(
      {
        settings: { "index.refresh_interval": "5s", "index.similarity.x.type": "BM25" },
        mappings: {},
        aliases: {},
      },
      { settings: { "index.refresh_interval": "1s" }, mappings: {}, aliases: {} },
    );
    assert.equal(diff.closedFixes, true);
    assert.deepEqual(diff.settingsPatch, { "index.refresh_interval": "5s" });
  });
});

describe("blockers", () => {
  const os = (version: string, plugins: string[] = []): ClusterAbout => ({
    distribution: "opensearch",
    version,
    plugins,
    nodes: 1,
    dataNodes: 1,
    security: false,
    ism: false,
    ilm: false,
  });
  const es = (version: string): ClusterAbout => ({ ...os(version), distribution: "elasticsearch" });
  const rows: readonly { name: string; source: ClusterAbout; target: ClusterAbout; expect: RegExp[] }[] = [
    { name: "2.11 → 2.19: none", source: os("2.11.1"), target: os("2.19.4"), expect: [] },
    { name: "ES 7.10.2 → OpenSearch 1.3: none", source: es("7.10.2"), target: os("1.3.14"), expect: [] },
    {
      name: "target older than the source",
      source: os("2.19.4"),
      target: os("2.11.1"),
      expect: [
        /^target_older: The target \(opensearch 2\.11\.1\) is older than the source \(opensearch 2\.19\.4\)/,
      ],
    },
    {
      // The compatibility matrix refuses such indices' snapshots only; reindex and stream take the path.
      name: "Elasticsearch newer than the 7.10.2 fork point: not blocked",
      source: es("7.17.9"),
      target: os("2.19.4"),
      expect: [],
    },
    {
      name: "OpenSearch 3 back to 2.19",
      source: os("3.4.0"),
      target: os("2.19.4"),
      expect: [
        /^target_older: The target \(opensearch 2\.19\.4\) is older than the source \(opensearch 3\.4\.0\)/,
      ],
    },
    {
      name: "a plugin missing on the target",
      source: os("2.11.1", ["analysis-icu", "opensearch-security"]),
      target: os("2.19.4", ["opensearch-security"]),
      expect: [/^plugin_missing: Plugin analysis-icu is installed on the source but missing on the target\./],
    },
    {
      name: "a target that is not OpenSearch",
      source: es("6.8.23"),
      target: es("7.10.2"),
      expect: [
        /^distribution: The target is elasticsearch 7\.10\.2; bluegreen upgrades to OpenSearch only\./,
      ],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const found = blockers(row.source, row.target).map((b) => `${b.code}: ${b.message}`);
      assert.equal(found.length, row.expect.length, found.join("\n"));
      for (const [i, re] of row.expect.entries()) assert.match(found[i] ?? "", re);
    });
  }

  it("every blocker carries a fix", () => {
    for (const b of blockers(os("2.19.4", ["x"]), os("1.3.14"))) assert.ok(b.fix.length > 10, b.code);
  });
});
