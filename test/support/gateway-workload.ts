import assert from "node:assert/strict";
import { Client } from "@opensearch-project/opensearch";

/**
 * The mixed workload of issue 5, driven through the gateway by the official OpenSearch JS client:
 * index creation, index with and without ids, partial and scripted updates, deletes, a `_bulk` of
 * every action (ids and none), and a delete-by-query. Returns the ids the gateway assigned.
 */
export async function mixedWorkload(gatewayUrl: string, index: string): Promise<{ autoIds: string[] }> {
  const client = new Client({ node: gatewayUrl });
  try {
    await client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { properties: { group: { type: "keyword" }, n: { type: "integer" } } },
      },
    });
    for (let i = 0; i < 40; i++) {
      await client.index({ index, id: `doc-${i}`, body: { group: i % 4 === 0 ? "purge" : "keep", n: i } });
    }
    const autoIds: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await client.index({ index, body: { group: "auto", n: 100 + i } });
      autoIds.push(r.body._id);
    }
    for (let i = 1; i < 40; i += 3) {
      await client.update({ index, id: `doc-${i}`, body: { doc: { updated: true } } });
    }
    for (let i = 2; i < 40; i += 5) {
      await client.update({
        index,
        id: `doc-${i}`,
        body: { script: { source: "ctx._source.n += params.d", params: { d: 1000 } } },
      });
    }
    // Update a document whose id the gateway assigned: this is what diverges without stable ids.
    for (const id of autoIds.slice(0, 5)) {
      await client.update({ index, id, body: { doc: { touched: true } } });
    }
    for (let i = 3; i < 40; i += 7) await client.delete({ index, id: `doc-${i}` });
    const bulk: Record<string, unknown>[] = [];
    for (let i = 0; i < 30; i++) {
      bulk.push({ index: { _index: index } }, { group: "bulk-auto", n: 200 + i });
      bulk.push(
        { index: { _index: index, _id: `bulk-${i}` } },
        { group: i % 2 === 0 ? "purge" : "bulk", n: i },
      );
    }
    bulk.push({ create: { _index: index, _id: "bulk-created" } }, { group: "bulk", n: -1 });
    bulk.push({ update: { _index: index, _id: "doc-5" } }, { doc: { viaBulk: true } });
    bulk.push({ delete: { _index: index, _id: "doc-6" } });
    bulk.push({ index: { _index: index, _id: "bulk-1" } }, { group: "bulk", n: 1, rewritten: true });
    const result = await client.bulk({ body: bulk });
    assert.equal(
      result.body.errors,
      false,
      JSON.stringify(result.body.items.filter((i: { index?: { error?: unknown } }) => i.index?.error)),
    );
    await client.indices.refresh({ index });
    await client.deleteByQuery({ index, body: { query: { term: { group: "purge" } } }, refresh: true });
    return { autoIds };
  } finally {
    await client.close();
  }
}
