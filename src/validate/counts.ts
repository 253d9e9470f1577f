import type { Requester } from "../cluster/index.ts";
import type { Check } from "./report.ts";

export interface CountOptions {
  readonly source: Requester;
  readonly target: Requester;
  readonly index: string;
  readonly targetIndex: string;
  /** Allowed relative difference (validate.countTolerance); 0 = exact. */
  readonly tolerance: number;
  readonly signal?: AbortSignal;
}

async function count(cluster: Requester, index: string, signal: AbortSignal | undefined): Promise<number> {
  const path = `/${encodeURIComponent(index)}`;
  const opts = signal === undefined ? {} : { signal };
  // A refresh first: a count over unrefreshed segments would differ for no reason but timing.
  await cluster.request({ method: "POST", path: `${path}/_refresh`, ...opts });
  const res = await cluster.request<{ count: number }>({ method: "GET", path: `${path}/_count`, ...opts });
  return res.body.count;
}

/** `_count` on both sides after a refresh; passes when equal, or within `tolerance` of the source's. */
export async function checkCounts(o: CountOptions): Promise<Check> {
  const started = performance.now();
  const [source, target] = await Promise.all([
    count(o.source, o.index, o.signal),
    count(o.target, o.targetIndex, o.signal),
  ]);
  const allowed = Math.floor(source * o.tolerance);
  const passed = Math.abs(source - target) <= allowed;
  const delta = target - source;
  const summary =
    delta === 0
      ? `${source} document(s) on both sides`
      : `${source} on the source, ${target} on the target (${delta > 0 ? "+" : ""}${delta}${allowed > 0 ? `, ${allowed} allowed` : ""})`;
  return {
    index: o.index,
    targetIndex: o.targetIndex,
    kind: "count",
    passed,
    summary,
    source,
    target,
    seconds: (performance.now() - started) / 1000,
  };
}
