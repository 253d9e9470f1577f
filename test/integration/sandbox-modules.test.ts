/**
 * The sandbox assembles the standard modules from Maven Central jars (see src/sandbox/install.ts); these
 * tests prove each one does real work on both clusters of the suite's shared sandbox, not merely that
 * it is listed. Every test uses its own index names and deletes them afterwards.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { plainClusterConfig, type TestCluster, testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const ROLES = ["source", "target"] as const;

function configFor(name: string, cluster: TestCluster): ClusterConfig {
  return plainClusterConfig(name, cluster.url);
}

let counter = 0;
function uniqueName(what: string): string {
  counter += 1;
  return `bluegreen-modules-${what}-${process.pid}-${Date.now()}-${counter}`;
}

/** Runs `body` with a cluster client and removes whatever indices and pipelines it names afterwards. */
async function withCluster(
  role: (typeof ROLES)[number],
  cleanup: { indices?: string[]; pipelines?: string[] },
  body: (cluster: Cluster) => Promise<void>,
): Promise<void> {
  const cluster = createCluster(configFor(role, sandbox[role]));
  try {
    await body(cluster);
  } finally {
    for (const index of cleanup.indices ?? []) {
      await cluster
        .request({ method: "DELETE", path: `/${index}`, allowStatus: [404] })
        .catch(() => undefined);
    }
    for (const id of cleanup.pipelines ?? []) {
      await cluster
        .request({ method: "DELETE", path: `/_ingest/pipeline/${id}`, allowStatus: [404] })
        .catch(() => undefined);
    }
    await cluster.close();
  }
}

async function getSource<T>(cluster: Cluster, index: string, id: string): Promise<T> {
  const res = await cluster.request<{ _source: T }>({ method: "GET", path: `/${index}/_doc/${id}` });
  return res.body._source;
}

for (const [from, to] of [
  ["source", "target"],
  ["target", "source"],
] as const) {
  test(`reindex: remote reindex from the ${from} into the ${to} copies every document`, async () => {
    const index = uniqueName("remote-src");
    const dest = uniqueName("remote-dest");
    const docs = Array.from({ length: 25 }, (_, i) => ({ n: i, text: `doc ${i}` }));
    await withCluster(from, { indices: [index] }, async (origin) => {
      await origin.request({
        method: "PUT",
        path: `/${index}`,
        body: { settings: { number_of_replicas: 0 } },
      });
      await origin.request({
        method: "POST",
        path: "/_bulk",
        querystring: { refresh: "true" },
        bulkBody: docs.flatMap((doc, i) => [{ index: { _index: index, _id: String(i) } }, doc]),
      });
      await withCluster(to, { indices: [dest] }, async (receiver) => {
        const res = await receiver.request<{ created: number; failures: unknown[] }>({
          method: "POST",
          path: "/_reindex",
          querystring: { refresh: "true", wait_for_completion: "true" },
          body: {
            source: { remote: { host: sandbox[from].url }, index, size: 10 },
            dest: { index: dest },
          },
        });
        assert.deepEqual(res.body.failures, []);
        assert.equal(res.body.created, docs.length);
        const search = await receiver.request<{ hits: { hits: { _id: string; _source: unknown }[] } }>({
          method: "POST",
          path: `/${dest}/_search`,
          body: { size: 100, sort: [{ n: "asc" }] },
          idempotent: true,
        });
        assert.deepEqual(
          search.body.hits.hits.map((h) => [h._id, h._source]),
          docs.map((doc, i) => [String(i), doc]),
        );
      });
    });
  });
}

for (const role of ROLES) {
  test(`${role}: analysis-common filters in a custom analyzer (word_delimiter_graph, asciifolding)`, async () => {
    const index = uniqueName("analysis");
    await withCluster(role, { indices: [index] }, async (cluster) => {
      await cluster.request({
        method: "PUT",
        path: `/${index}`,
        body: {
          settings: {
            number_of_replicas: 0,
            analysis: {
              analyzer: {
                folded: {
                  type: "custom",
                  tokenizer: "whitespace",
                  filter: ["word_delimiter_graph", "lowercase", "asciifolding"],
                },
              },
            },
          },
        },
      });
      const res = await cluster.request<{ tokens: { token: string }[] }>({
        method: "POST",
        path: `/${index}/_analyze`,
        body: { analyzer: "folded", text: "Café Wi-Fi Ærø" },
        idempotent: true,
      });
      assert.deepEqual(
        res.body.tokens.map((t) => t.token),
        ["cafe", "wi", "fi", "aero"],
      );
    });
  });

  test(`${role}: mapper-extras scaled_float stores values at its scaling factor`, async () => {
    const index = uniqueName("scaled");
    await withCluster(role, { indices: [index] }, async (cluster) => {
      await cluster.request({
        method: "PUT",
        path: `/${index}`,
        body: {
          settings: { number_of_replicas: 0 },
          mappings: { properties: { price: { type: "scaled_float", scaling_factor: 100 } } },
        },
      });
      await cluster.request({
        method: "POST",
        path: "/_bulk",
        querystring: { refresh: "true" },
        bulkBody: [
          { index: { _index: index, _id: "1" } },
          { price: 12.345 },
          { index: { _index: index, _id: "2" } },
          { price: 0.014 },
        ],
      });
      const mapping = await cluster.request<Record<string, { mappings: { properties: unknown } }>>({
        method: "GET",
        path: `/${index}/_mapping`,
      });
      assert.deepEqual(mapping.body[index]?.mappings.properties, {
        price: { type: "scaled_float", scaling_factor: 100.0 },
      });
      const res = await cluster.request<{ aggregations: { total: { value: number } } }>({
        method: "POST",
        path: `/${index}/_search`,
        body: { size: 0, aggs: { total: { sum: { field: "price" } } } },
        idempotent: true,
      });
      // 12.345 → 1235 and 0.014 → 1 hundredths: the doc values hold the scaled longs, not the input.
      assert.ok(
        Math.abs(res.body.aggregations.total.value - 12.36) < 1e-9,
        String(res.body.aggregations.total.value),
      );
    });
  });

  test(`${role}: lang-painless update script`, async () => {
    const index = uniqueName("painless");
    await withCluster(role, { indices: [index] }, async (cluster) => {
      await cluster.request({
        method: "PUT",
        path: `/${index}/_doc/1`,
        querystring: { refresh: "true" },
        body: { n: 40, tags: ["a"] },
      });
      await cluster.request({
        method: "POST",
        path: `/${index}/_update/1`,
        querystring: { refresh: "true" },
        body: {
          script: {
            lang: "painless",
            source:
              "ctx._source.n += params.d; ctx._source.tags.add(params.t); ctx._source.parity = ctx._source.n % 2 == 0 ? 'even' : 'odd'",
            params: { d: 2, t: "b" },
          },
        },
      });
      assert.deepEqual(await getSource(cluster, index, "1"), { n: 42, tags: ["a", "b"], parity: "even" });
    });
  });

  test(`${role}: ingest-common pipeline with set and script processors`, async () => {
    const index = uniqueName("ingest");
    const pipeline = uniqueName("pipeline");
    await withCluster(role, { indices: [index], pipelines: [pipeline] }, async (cluster) => {
      await cluster.request({
        method: "PUT",
        path: `/_ingest/pipeline/${pipeline}`,
        body: {
          description: "bluegreen sandbox module test",
          processors: [
            { set: { field: "origin", value: "bluegreen" } },
            // lang-mustache renders the template from the document's own field.
            { set: { field: "label", value: "n={{n}}" } },
            { script: { lang: "painless", source: "ctx.doubled = ctx.n * 2" } },
          ],
        },
      });
      await cluster.request({
        method: "PUT",
        path: `/${index}/_doc/1`,
        querystring: { refresh: "true", pipeline },
        body: { n: 21 },
      });
      assert.deepEqual(await getSource(cluster, index, "1"), {
        n: 21,
        origin: "bluegreen",
        label: "n=21",
        doubled: 42,
      });
    });
  });

  test(`${role}: lang-mustache renders a search template`, async () => {
    await withCluster(role, {}, async (cluster) => {
      const res = await cluster.request<{ template_output: unknown }>({
        method: "POST",
        path: "/_render/template",
        idempotent: true,
        body: { source: '{"query":{"match":{"title":"{{q}}"}}}', params: { q: "blue green" } },
      });
      assert.deepEqual(res.body.template_output, { query: { match: { title: "blue green" } } });
    });
  });
}
