/**
 * ISM policies are copied by prepare but attached to the target's indices only here, at cutover:
 * while sync runs, a policy acting on the target (a rollover, a delete) would change it under the
 * writes replay still applies, and the two clusters would part. Once the target takes the writes,
 * each index is managed by the policy that managed it on the source.
 */
import type { Cluster } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { explainPolicies } from "../validate/index.ts";

/** Policy id → the target indices attached to it now (indices already managed are left as they are). */
export async function attachIsmPolicies(
  source: Cluster,
  target: Cluster,
  indices: readonly string[],
  signal?: AbortSignal,
): Promise<Record<string, string[]>> {
  const [sourceFacts, targetFacts] = await Promise.all([source.facts(), target.facts()]);
  if (!sourceFacts.capabilities.ism || !targetFacts.capabilities.ism || indices.length === 0) return {};
  const [onSource, onTarget] = await Promise.all([
    explainPolicies(source, indices, signal),
    explainPolicies(target, indices, signal),
  ]);
  const byPolicy: Record<string, string[]> = {};
  for (const index of indices) {
    const policy = onSource.get(index);
    if (policy === undefined || onTarget.has(index)) continue;
    byPolicy[policy] = [...(byPolicy[policy] ?? []), index];
  }
  for (const [policy, names] of Object.entries(byPolicy)) {
    const answer = await target.request<{ failures?: boolean; failed_indices?: unknown[] }>({
      method: "POST",
      path: `/_plugins/_ism/add/${names.map(encodeURIComponent).join(",")}`,
      body: { policy_id: policy },
      ...(signal === undefined ? {} : { signal }),
    });
    if (answer.body.failures === true) {
      throw new BluegreenError(
        "BG_CUTOVER_ISM",
        `The target refused to attach ISM policy ${policy} to ${names.join(", ")}: ${JSON.stringify(answer.body.failed_indices ?? []).slice(0, 300)}.`,
        {
          fix: "Check that prepare copied the policy (bluegreen prepare), then run cutover again: it resumes here.",
          details: { policy },
        },
      );
    }
  }
  return byPolicy;
}
