import type { Cluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { compare, outstanding, renderItem } from "../prepare/index.ts";
import type { Check } from "./report.ts";

/**
 * The prepare plan, read only: the target's mappings, settings that matter, aliases, templates,
 * pipelines, scripts, ISM policies and security entities must all be `identical` to the source's.
 * Anything prepare would still create, update, delete or cannot apply is drift, listed with the same
 * lines `bluegreen prepare` prints.
 */
export async function checkMetadata(
  config: MigrationConfig,
  source: Cluster,
  target: Cluster,
  signal?: AbortSignal,
): Promise<Check> {
  const started = performance.now();
  const comparison = await compare(config, source, target, signal === undefined ? {} : { signal });
  const drift = outstanding(comparison.items);
  const blockers = comparison.blockers.map((b) => `blocker: ${b.message}`);
  const identical = comparison.items.filter((i) => i.action === "identical").length;
  const passed = drift.length === 0 && blockers.length === 0;
  return {
    index: "*",
    targetIndex: "*",
    kind: "metadata",
    passed,
    summary: passed
      ? `${identical} object(s) identical on both sides`
      : `${drift.length} object(s) differ${blockers.length > 0 ? `, ${blockers.length} blocker(s)` : ""}; run bluegreen prepare to see and apply them`,
    ...(passed ? {} : { items: [...blockers, ...drift.map(renderItem)] }),
    seconds: (performance.now() - started) / 1000,
  };
}
