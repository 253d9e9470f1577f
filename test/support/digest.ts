import assert from "node:assert/strict";
import type { Requester } from "../../src/cluster/index.ts";
import { compareDigests, type DigestComparison, digestIndex } from "../../src/validate/index.ts";

/**
 * The suite's one proof of "no data loss": source ≡ target by content digest (every `_id`, `_routing`
 * and `_source`). Refreshes both sides first so recent writes are visible; on a mismatch the failure
 * names the documents that are missing, extra or different.
 */
export async function assertSameContent(
  source: Requester,
  sourceIndex: string,
  target: Requester,
  targetIndex: string = sourceIndex,
): Promise<DigestComparison> {
  await source.request({ method: "POST", path: `/${sourceIndex}/_refresh` });
  await target.request({ method: "POST", path: `/${targetIndex}/_refresh` });
  const [a, b] = await Promise.all([
    digestIndex(source, sourceIndex, { keepDocuments: true }),
    digestIndex(target, targetIndex, { keepDocuments: true }),
  ]);
  const comparison = compareDigests(a, b);
  assert.ok(
    comparison.equal,
    `content differs between source ${sourceIndex} and target ${targetIndex}: ${JSON.stringify(comparison)}`,
  );
  return comparison;
}
