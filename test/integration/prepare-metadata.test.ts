/**
 * Prepare against the real source and target pairs the suite's global setup started (2.11 → 2.19 and
 * 1.3 → 2.19): inventory, plan, apply, drift and conflicts, with realistic metadata. Every object this
 * file creates carries a random prefix and the assertions look only at that prefix, so other tests'
 * objects never interfere.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { type IndexSelection, parseConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { apply, inventory, type PlanItem, plan, prepareStep } from "../../src/prepare/index.ts";
import type { CheckpointRecord } from "../../src/state/index.ts";
import type { StepContext } from "../../src/workflow/index.ts";
import { type TestPair, testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();

for (const pair of [sandbox, sandbox.legacy]) {
  describe(`${pair.source.version} -> ${pair.target.version}`, () => scenario(pair));
}

function scenario(pair: TestPair): void {
  const P = `prep-${randomBytes(4).toString("hex")}`;
  const selection: IndexSelection = { include: [`${P}-*`], exclude: [], includeHidden: false };
  const yaml = `version: 1\nname: ${P}\nsource: { url: '${pair.source.url}' }\ntarget: { url: '${pair.target.url}' }\nindices: { include: ['${P}-*'] }\n`;
  const config = parseConfig(yaml, { baseDir: "/tmp", env: {} });

  let source: Cluster;
  let target: Cluster;

  async function send(cluster: Cluster, method: "PUT" | "POST" | "DELETE", path: string, body?: unknown) {
    await cluster.request({ method, path, body, allowStatus: method === "DELETE" ? [404] : [] });
  }

  /** Plans source against target and keeps only this file's objects. */
  async function planOwn(): Promise<{ items: PlanItem[]; src: Awaited<ReturnType<typeof inventory>> }> {
    const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
    return { items: plan(src, tgt).items.filter((i) => i.name.startsWith(P)), src };
  }

  function changed(items: readonly PlanItem[]): PlanItem[] {
    return items.filter((i) => i.action !== "identical");
  }

  async function loadSource(): Promise<void> {
    await send(source, "PUT", `/_component_template/${P}-ct-settings`, {
      template: {
        settings: {
          number_of_shards: 1,
          analysis: {
            analyzer: {
              folding: { type: "custom", tokenizer: "standard", filter: ["lowercase", "asciifolding"] },
            },
          },
        },
      },
      version: 3,
      _meta: { owner: "search-team" },
    });
    await send(source, "PUT", `/_component_template/${P}-ct-mappings`, {
      template: {
        mappings: {
          dynamic_templates: [
            {
              strings_as_keyword: {
                match_mapping_type: "string",
                mapping: { type: "keyword", ignore_above: 256 },
              },
            },
          ],
          properties: { "@timestamp": { type: "date" }, host: { type: "keyword" } },
        },
      },
    });
    await send(source, "PUT", `/_index_template/${P}-logs`, {
      index_patterns: [`${P}-logs-*`],
      composed_of: [`${P}-ct-settings`, `${P}-ct-mappings`],
      priority: 500,
      // The analyzer lives in another component, so the field using it can only be defined here.
      template: {
        settings: { number_of_replicas: 0 },
        mappings: { properties: { message: { type: "text", analyzer: "folding" } } },
        aliases: { [`${P}-logs`]: {} },
      },
    });
    await send(source, "PUT", `/_template/${P}-legacy`, {
      index_patterns: [`${P}-legacy-*`],
      order: 1,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { properties: { code: { type: "keyword" } } },
      aliases: { [`${P}-legacy-all`]: {} },
    });
    await send(source, "PUT", `/_ingest/pipeline/${P}-stamp`, {
      description: "marks documents that went through ingest",
      processors: [
        { set: { field: "ingested", value: true } },
        { lowercase: { field: "sku", ignore_missing: true } },
      ],
    });
    await send(source, "PUT", `/_scripts/${P}-score`, {
      script: { lang: "painless", source: "doc['price'].value * params.factor" },
    });
    await send(source, "PUT", `/${P}-products`, {
      settings: {
        number_of_shards: 2,
        number_of_replicas: 0,
        refresh_interval: "5s",
        default_pipeline: `${P}-stamp`,
        analysis: {
          filter: { shingles: { type: "shingle", min_shingle_size: 2, max_shingle_size: 3 } },
          analyzer: {
            product_text: {
              type: "custom",
              tokenizer: "standard",
              filter: ["lowercase", "asciifolding", "shingles"],
            },
          },
        },
      },
      mappings: {
        dynamic: "strict",
        _meta: { schema: 7 },
        properties: {
          name: {
            type: "text",
            analyzer: "product_text",
            fields: {
              raw: { type: "keyword", ignore_above: 128 },
              en: { type: "text", analyzer: "english" },
            },
          },
          sku: { type: "keyword" },
          price: { type: "scaled_float", scaling_factor: 100 },
          ingested: { type: "boolean" },
          variants: {
            type: "nested",
            properties: { color: { type: "keyword" }, stock: { type: "integer" } },
          },
          vendor: { properties: { id: { type: "keyword" }, since: { type: "date", format: "yyyy-MM-dd" } } },
        },
      },
      aliases: {
        [`${P}-products-red`]: {
          filter: { term: { "variants.color": "red" } },
          routing: "1",
        },
        [`${P}-products-write`]: { is_write_index: true },
      },
    });
    await send(source, "PUT", `/${P}-logs-000001`);
    await send(source, "PUT", `/${P}-legacy-1`);
    // A data stream: its template must exist on the target before the stream can be created there.
    await send(source, "PUT", `/_index_template/${P}-events`, {
      index_patterns: [`${P}-events-*`],
      data_stream: {},
      priority: 600,
      template: { mappings: { properties: { "@timestamp": { type: "date" }, level: { type: "keyword" } } } },
    });
    await send(source, "PUT", `/_data_stream/${P}-events-app`);
  }

  async function cleanup(cluster: Cluster): Promise<void> {
    await send(cluster, "DELETE", `/_data_stream/${P}-events-app`);
    await send(cluster, "DELETE", `/_index_template/${P}-events`);
    await send(cluster, "DELETE", `/${P}-*`);
    await send(cluster, "DELETE", `/_index_template/${P}-logs`);
    await send(cluster, "DELETE", `/_component_template/${P}-ct-settings`);
    await send(cluster, "DELETE", `/_component_template/${P}-ct-mappings`);
    await send(cluster, "DELETE", `/_template/${P}-legacy`);
    await send(cluster, "DELETE", `/_ingest/pipeline/${P}-stamp`);
    await send(cluster, "DELETE", `/_scripts/${P}-score`);
  }

  before(async () => {
    const cfg = (url: string, name: string) => ({ ...config.source, name, urls: [url] });
    source = createCluster(cfg(pair.source.url, "source"));
    target = createCluster(cfg(pair.target.url, "target"));
    await loadSource();
  });

  after(async () => {
    await Promise.all([cleanup(source), cleanup(target)]);
    await Promise.all([source.close(), target.close()]);
  });

  test("a fresh target: every object is planned as a create, in dependency order", async () => {
    const { items } = await planOwn();
    const summary = items.map((i) => `${i.action} ${i.kind} ${i.name}`);
    assert.deepEqual(summary, [
      `create component_template ${P}-ct-mappings`,
      `create component_template ${P}-ct-settings`,
      `create index_template ${P}-events`,
      `create index_template ${P}-logs`,
      `create legacy_template ${P}-legacy`,
      `create pipeline ${P}-stamp`,
      `create script ${P}-score`,
      `create index ${P}-legacy-1`,
      `create index ${P}-logs-000001`,
      `create index ${P}-products`,
      `create alias ${P}-legacy-1/${P}-legacy-all`,
      `create alias ${P}-logs-000001/${P}-logs`,
      `create alias ${P}-products/${P}-products-red`,
      `create alias ${P}-products/${P}-products-write`,
      `create data_stream ${P}-events-app`,
    ]);
  });

  test("apply creates everything; a second plan is all identical; a second apply is a no-op", async () => {
    const { items, src } = await planOwn();
    const result = await apply(target, items, src);
    assert.equal(result.applied.length, items.length);
    assert.deepEqual(result.skipped, []);

    // The target's normalized metadata now equals the source's, object by object.
    const [srcAfter, tgtAfter] = await Promise.all([
      inventory(source, selection),
      inventory(target, selection),
    ]);
    const own = <T>(record: Readonly<Record<string, T>>) =>
      Object.fromEntries(Object.entries(record).filter(([name]) => name.startsWith(P)));
    for (const field of [
      "componentTemplates",
      "indexTemplates",
      "legacyTemplates",
      "pipelines",
      "scripts",
      "dataStreams",
    ] as const) {
      assert.deepEqual(own(tgtAfter[field]), own(srcAfter[field]), field);
    }
    assert.deepEqual(Object.keys(tgtAfter.indices), Object.keys(srcAfter.indices));
    for (const [name, meta] of Object.entries(srcAfter.indices)) {
      const copy = tgtAfter.indices[name];
      assert.deepEqual(copy?.mappings, meta.mappings, `${name} mappings`);
      assert.deepEqual(copy?.aliases, meta.aliases, `${name} aliases`);
      // The target may add settings of its own (newer defaults); every source setting is there as is.
      for (const [key, value] of Object.entries(meta.settings))
        assert.deepEqual(copy?.settings[key], value, key);
    }

    const again = await planOwn();
    assert.deepEqual(changed(again.items), [], JSON.stringify(changed(again.items), null, 2));
    const noop = await apply(target, again.items, again.src);
    assert.deepEqual(noop.applied, []);
    // A stale plan (as after a crash between apply and its checkpoint) converges instead of failing.
    const replay = await apply(target, items, src);
    assert.deepEqual(replay.skipped, []);
    assert.deepEqual(changed((await planOwn()).items), []);

    // The copied metadata works on the target: the default pipeline and the custom analyzer run.
    await target.request({
      method: "PUT",
      path: `/${P}-products/_doc/1`,
      querystring: { refresh: true, routing: "1" },
      body: { name: "Crème Brûlée", sku: "ABC-1", price: 3.5, variants: [{ color: "red", stock: 2 }] },
    });
    const doc = await target.request<{ _source: { ingested: boolean; sku: string } }>({
      method: "GET",
      path: `/${P}-products/_doc/1`,
      querystring: { routing: "1" },
    });
    assert.equal(doc.body._source.ingested, true);
    assert.equal(doc.body._source.sku, "abc-1");
    const tokens = await target.request<{ tokens: { token: string }[] }>({
      method: "POST",
      path: `/${P}-products/_analyze`,
      body: { analyzer: "product_text", text: "Crème Brûlée" },
      idempotent: true,
    });
    assert.ok(tokens.body.tokens.some((t) => t.token === "creme brulee"));
  });

  test("drift: a field added on the source is exactly one index update, applied in place", async () => {
    await send(source, "PUT", `/${P}-products/_mapping`, {
      properties: {
        weight_kg: { type: "float" },
        variants: { type: "nested", properties: { size: { type: "keyword" } } },
      },
    });
    const { items, src } = await planOwn();
    const drift = changed(items);
    assert.equal(drift.length, 1, JSON.stringify(drift));
    assert.equal(drift[0]?.kind, "index");
    assert.equal(drift[0]?.name, `${P}-products`);
    assert.equal(drift[0]?.action, "update");
    assert.match(drift[0]?.diff ?? "", /add field weight_kg/);
    assert.match(drift[0]?.diff ?? "", /add field variants\.size/);

    const result = await apply(target, items, src);
    assert.deepEqual(
      result.applied.map((i) => i.name),
      [`${P}-products`],
    );
    assert.deepEqual(changed((await planOwn()).items), []);
  });

  test("a field whose type differs is a conflict with reindex advice, and apply leaves it alone", async () => {
    await send(source, "PUT", `/${P}-products/_mapping`, { properties: { origin: { type: "keyword" } } });
    await send(target, "PUT", `/${P}-products/_mapping`, { properties: { origin: { type: "integer" } } });
    const { items, src } = await planOwn();
    const drift = changed(items);
    assert.equal(drift.length, 1, JSON.stringify(drift));
    assert.equal(drift[0]?.action, "conflict");
    assert.equal(drift[0]?.name, `${P}-products`);
    assert.match(drift[0]?.diff ?? "", /field origin: type integer on target, keyword on source/);
    assert.match(drift[0]?.reason ?? "", /reindex/);

    const result = await apply(target, items, src);
    assert.deepEqual(result.applied, []);
    assert.deepEqual(
      result.skipped.map((i) => i.name),
      [`${P}-products`],
    );
  });

  test("the workflow step refuses to apply over a conflict and verify reports it", async () => {
    const step = prepareStep(config);
    const events: unknown[] = [];
    const checkpoints = new Map<string, unknown>();
    const ctx: StepContext = {
      stepId: "prepare",
      logger: createLogger({ level: "silent" }),
      signal: new AbortController().signal,
      attempt: 1,
      event: (type, data) => events.push({ type, data }),
      checkpoint: {
        get: <T>(key: string) => checkpoints.get(key) as T | undefined,
        list: () => [] as CheckpointRecord[],
        put: (key, value) => void checkpoints.set(key, value),
      },
    };
    const planned = await step.plan(ctx);
    assert.equal(planned.kind, "apply");
    if (planned.kind === "apply") {
      assert.ok(planned.actions.some((a) => a.description.startsWith(`conflict index ${P}-products`)));
    }
    await assert.rejects(step.apply(ctx), (error) => {
      assert.ok(isBluegreenError(error, "BG_STEP_FAILED"));
      assert.match(error.message, new RegExp(`${P}-products`));
      return true;
    });
    assert.deepEqual(events, []);
    const verdict = await step.verify(ctx);
    assert.equal(verdict.ok, false);
  });

  test("ISM policies: copied with their ism_template where both sides run ISM, else reported unsupported", async () => {
    const [src0, tgt0] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
    if (!(src0.about.ism && tgt0.about.ism)) {
      // The legacy pair runs no index-management plugin: the kind is reported, not dropped.
      const ism = plan(src0, tgt0).items.filter((i) => i.kind === "ism_policy");
      assert.deepEqual(
        ism.map((i) => `${i.action} ${i.name}`),
        ["unsupported *"],
      );
      assert.match(
        ism[0]?.reason ?? "",
        /index-management plugin \(opensearch-index-management\) is missing on the source and the target/,
      );
      return;
    }
    // The main pair (2.11 → 2.19) runs ISM on both sides (the suite starts it with --plugins ccr,ism).
    const id = `${P}-rollover`;
    await send(source, "PUT", `/_plugins/_ism/policies/${id}`, {
      policy: {
        description: "hot then read-only",
        default_state: "hot",
        states: [
          {
            name: "hot",
            actions: [],
            transitions: [{ state_name: "warm", conditions: { min_doc_count: 1000 } }],
          },
          { name: "warm", actions: [{ read_only: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: [`${P}-ism-*`], priority: 7 }],
      },
    });
    try {
      const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
      const item = plan(src, tgt).items.find((i) => i.kind === "ism_policy" && i.name === id);
      assert.equal(item?.action, "create");
      await apply(target, item === undefined ? [] : [item], src);
      const [src2, tgt2] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
      assert.deepEqual(tgt2.ismPolicies[id], src2.ismPolicies[id]);
      assert.deepEqual((tgt2.ismPolicies[id] as { ism_template?: unknown }).ism_template, [
        { index_patterns: [`${P}-ism-*`], priority: 7 },
      ]);
      assert.equal(
        plan(src2, tgt2).items.find((i) => i.kind === "ism_policy" && i.name === id)?.action,
        "identical",
      );
    } finally {
      await send(source, "DELETE", `/_plugins/_ism/policies/${id}`);
      await send(target, "DELETE", `/_plugins/_ism/policies/${id}`);
    }
  });

  test("target-only objects are extra and left alone; with prune they are deleted", async () => {
    await send(target, "PUT", `/${P}-orphan`);
    await send(target, "PUT", `/_ingest/pipeline/${P}-orphan-pipe`, { processors: [] });
    await send(target, "POST", "/_aliases", {
      actions: [{ add: { index: `${P}-products`, alias: `${P}-orphan-alias` } }],
    });
    const orphans = [
      `pipeline ${P}-orphan-pipe`,
      `index ${P}-orphan`,
      `alias ${P}-products/${P}-orphan-alias`,
    ];
    const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
    const only = (items: readonly PlanItem[], action: string) =>
      items.filter((i) => i.name.startsWith(P) && i.action === action).map((i) => `${i.kind} ${i.name}`);
    const kept = plan(src, tgt).items;
    assert.deepEqual(only(kept, "extra"), orphans);
    assert.deepEqual(only(kept, "delete"), []);
    await apply(
      target,
      kept.filter((i) => i.name.startsWith(P)),
      src,
    );
    const head = await target.request({ method: "HEAD", path: `/${P}-orphan`, allowStatus: [404] });
    assert.equal(head.status, 200, "without prune nothing is deleted");

    const pruned = plan(src, tgt, { prune: true }).items.filter((i) => i.name.startsWith(P));
    assert.deepEqual(only(pruned, "delete"), orphans);
    const result = await apply(target, pruned, src);
    assert.deepEqual(
      result.applied.filter((i) => i.action === "delete").map((i) => `${i.kind} ${i.name}`),
      // Deletes run in reverse dependency order: aliases before indices before pipelines.
      [...orphans].reverse(),
    );
    const [src2, tgt2] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
    const after = plan(src2, tgt2, { prune: true }).items;
    assert.deepEqual([...only(after, "delete"), ...only(after, "extra")], []);
  });
}
