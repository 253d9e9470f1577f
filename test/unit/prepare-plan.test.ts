/** The pure half of prepare: normalization, mapping/setting diffs and planning, without a cluster. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applyOverrides,
  copyableSettings,
  diffIndex,
  emptyInventory,
  type Inventory,
  plan,
} from "../../src/prepare/index.ts";
import { normalizeAlias, normalizeComponentTemplate } from "../../src/prepare/normalize.ts";

const mappings = {
  properties: {
    name: { type: "text", fields: { raw: { type: "keyword" } } },
    tags: { type: "nested", properties: { id: { type: "keyword" } } },
    vendor: { properties: { id: { type: "keyword" } } },
  },
};

function index(settings: Record<string, string>, map: object = mappings) {
  return { settings, mappings: map as never, aliases: {} };
}

describe("copyableSettings", () => {
  it("drops identity, version, resize and block settings and keeps the definition", () => {
    const flat = copyableSettings({
      "index.uuid": "abc",
      "index.creation_date": "1",
      "index.version.created": "136327827",
      "index.provided_name": "x",
      "index.history.uuid": "h",
      "index.routing.allocation.initial_recovery._id": "n1",
      "index.resize.source.name": "old",
      "index.routing.allocation.require._name": "source-0",
      "index.routing.allocation.exclude._ip": "10.0.0.1",
      "index.routing.allocation.require.box_type": "hot",
      "index.blocks.write": "true",
      "index.number_of_shards": "3",
      "index.number_of_replicas": "1",
      "index.analysis.analyzer.a.filter": ["lowercase"],
    });
    assert.deepEqual(flat, {
      "index.analysis.analyzer.a.filter": ["lowercase"],
      "index.number_of_replicas": "1",
      "index.number_of_shards": "3",
      "index.routing.allocation.require.box_type": "hot",
    });
  });

  it("flattens nested settings, adds the index. prefix and stringifies leaves", () => {
    assert.deepEqual(copyableSettings({ number_of_shards: 2, index: { hidden: true } }), {
      "index.hidden": "true",
      "index.number_of_shards": "2",
    });
  });
});

describe("normalization", () => {
  it("expands alias routing the way clusters report it", () => {
    assert.deepEqual(normalizeAlias({ routing: 1, filter: { term: { a: 1 } } }), {
      filter: { term: { a: 1 } },
      index_routing: "1",
      search_routing: "1",
    });
  });

  it("makes nested and flat template settings compare equal", () => {
    const a = normalizeComponentTemplate({ template: { settings: { index: { number_of_shards: "1" } } } });
    const b = normalizeComponentTemplate({ template: { settings: { number_of_shards: 1 } } });
    assert.deepEqual(a, b);
  });
});

describe("diffIndex", () => {
  it("an added field, sub-field or multi-field is an in-place update with a minimal patch", () => {
    const source = index(
      {},
      {
        properties: {
          ...mappings.properties,
          name: { type: "text", fields: { raw: { type: "keyword" }, en: { type: "text" } } },
          tags: { type: "nested", properties: { id: { type: "keyword" }, n: { type: "long" } } },
          price: { type: "float" },
        },
      },
    );
    const diff = diffIndex(source, index({}));
    assert.deepEqual(diff.conflicts, []);
    assert.deepEqual(diff.updates, ["add field name.en", "add field tags.n", "add field price"]);
    assert.deepEqual(diff.mappingPatch, {
      properties: {
        name: { type: "text", fields: { en: { type: "text" } } },
        tags: { type: "nested", properties: { n: { type: "long" } } },
        price: { type: "float" },
      },
    });
  });

  it("a changed field type or a static setting is a conflict; fields only on the target are ignored", () => {
    const target = index(
      { "index.number_of_shards": "1" },
      {
        properties: { ...mappings.properties, vendor: { type: "keyword" }, extra: { type: "long" } },
      },
    );
    const diff = diffIndex(index({ "index.number_of_shards": "2" }), target);
    assert.equal(diff.conflicts.length, 2);
    assert.match(diff.conflicts[0] ?? "", /index\.number_of_shards/);
    assert.match(diff.conflicts[1] ?? "", /field vendor: type keyword on target, object on source/);
  });

  it("a dynamic setting that differs is an update via _settings", () => {
    const diff = diffIndex(
      index({ "index.refresh_interval": "5s" }),
      index({ "index.refresh_interval": "1s" }),
    );
    assert.deepEqual(diff.conflicts, []);
    assert.deepEqual(diff.settingsPatch, { "index.refresh_interval": "5s" });
  });
});

describe("plan", () => {
  it("creates what is missing, updates what differs, reports target-only objects as extra", () => {
    const source: Inventory = {
      ...emptyInventory(),
      pipelines: { p1: { processors: [] }, p2: { processors: [{ set: { field: "a", value: 1 } }] } },
      indices: { i1: { ...index({}), aliases: { a1: { index_routing: "1" } } } },
    };
    const target: Inventory = {
      ...emptyInventory(),
      pipelines: { p2: { processors: [] }, only_target: { processors: [] } },
      indices: { i1: index({}), other: index({}) },
    };
    assert.deepEqual(
      plan(source, target).items.map((i) => `${i.action} ${i.kind} ${i.name}`),
      [
        "create pipeline p1",
        "update pipeline p2",
        "extra pipeline only_target",
        "identical index i1",
        "extra index other",
        "create alias i1/a1",
        "unsupported ism_policy *",
      ],
    );
    assert.deepEqual(
      plan(source, target, { prune: true })
        .items.filter((i) => i.action === "delete")
        .map((i) => `${i.kind} ${i.name}`),
      ["pipeline only_target", "index other"],
    );
  });
});

describe("overrides and backfill tuning", () => {
  it("the first matching override sets shards and replicas; other indices are untouched", () => {
    const out = applyOverrides(
      {
        "logs-1": index({ "index.number_of_shards": "5", "index.number_of_replicas": "2" }),
        other: index({}),
      },
      [
        { index: "logs-*", shards: 2 },
        { index: "logs-1", shards: 9, replicas: 9 },
      ],
    );
    assert.deepEqual(out["logs-1"]?.settings, {
      "index.number_of_shards": "2",
      "index.number_of_replicas": "2",
    });
    assert.deepEqual(out.other?.settings, {});
  });

  it("a tuned target index is not drift for refresh and replicas, but is for anything else", () => {
    const source: Inventory = {
      ...emptyInventory(),
      indices: {
        i: index({
          "index.refresh_interval": "5s",
          "index.number_of_replicas": "1",
          "index.max_result_window": "50",
        }),
      },
    };
    const target: Inventory = {
      ...emptyInventory(),
      indices: {
        i: index({
          "index.refresh_interval": "-1",
          "index.number_of_replicas": "0",
          "index.max_result_window": "10",
        }),
      },
    };
    const tuned = plan(source, target, { backfillTuning: true }).items.find((i) => i.kind === "index");
    assert.equal(tuned?.action, "update");
    assert.equal(tuned?.diff, 'setting index.max_result_window: "10" on target, "50" on source');
    const untuned = plan(source, target).items.find((i) => i.kind === "index");
    assert.match(
      untuned?.diff ?? "",
      /index\.refresh_interval.*index\.number_of_replicas|index\.number_of_replicas.*index\.refresh_interval/,
    );
  });
});
