/** The `_bulk` of the gateway benchmarks: 50 small id-less documents, and a cluster's answer to it. */

export const BULK_ITEMS = 50;

/** One action line and its document per item, each ending in a newline. */
export function bulkLines(index: string): string[] {
  return Array.from(
    { length: BULK_ITEMS },
    (_, i) =>
      `{"index":{"_index":"${index}"}}\n{"msg":"bulk document ${i} hello world","n":${i},"tags":["a","b"]}\n`,
  );
}

/** What a cluster answers to it: every item created. */
export function bulkAnswer(index: string): string {
  return JSON.stringify({
    took: 3,
    errors: false,
    items: Array.from({ length: BULK_ITEMS }, (_, i) => ({
      index: {
        _index: index,
        _id: `id${i}`,
        _version: 1,
        result: "created",
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: i,
        _primary_term: 1,
        status: 201,
      },
    })),
  });
}
