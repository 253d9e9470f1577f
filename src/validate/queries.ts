/**
 * The `queries` check: what users see. The queries generated from the index's mapping and the
 * user's own (the queries file) run on both clusters; answers are compared by queries-compare.ts.
 * A query one side refuses is a failure naming OpenSearch's error type and reason.
 */
import type { ClusterResponse, Requester } from "../cluster/index.ts";
import { isBluegreenError } from "../errors/index.ts";
import { isRawJson, losslessParse } from "../json/index.ts";
import { COMPARE_PARTS, compareAnswers, type PlannedQuery } from "./queries-compare.ts";
import type { UserQuery } from "./queries-file.ts";
import { generateQueries } from "./queries-generate.ts";
import type { Check } from "./report.ts";

export interface QueriesOptions {
  readonly source: Requester;
  readonly target: Requester;
  readonly index: string;
  readonly targetIndex: string;
  /** The queries file's entries; those for other indices are ignored. */
  readonly queries?: readonly UserQuery[];
  readonly signal?: AbortSignal;
  /**
   * While sync runs, an answer can differ only because writes are not replayed yet: queries that
   * differ run again once this resolves (sync caught up), and only differences that stay count.
   */
  readonly settle?: () => Promise<unknown>;
  /**
   * With `settle`: keep running the queries that still differ, each time once sync caught up, for
   * this long. Clients that never stop writing leave a few writes in flight at any one reading, so a
   * single second look is not enough; a difference sync does not close in this time is real.
   */
  readonly settleWaitMs?: number;
}

export type QueryResult = NonNullable<Check["queries"]>[number];

type Outcome =
  | { readonly ok: true; readonly answer: unknown }
  | { readonly ok: false; readonly type: string; readonly reason: string };

const MAX_REASON = 200;
/** Differences named per query in its detail, and queries named in the summary. */
const NAMED = 3;

/** One entry of the queries file as a planned query. */
export function planUserQuery(q: UserQuery): PlannedQuery {
  return {
    name: q.name,
    body: q.body,
    compare: new Set(q.compare ?? COMPARE_PARTS),
    totalTolerance: q.tolerance?.total ?? 0,
    aggTolerance: q.tolerance?.aggregations ?? 0,
    generated: false,
  };
}

function field(value: unknown): unknown {
  return isRawJson(value) ? JSON.parse(value.rawJSON) : value;
}

function clip(text: string): string {
  const clean = text.replace(/\s+/g, " ").trim();
  return clean.length > MAX_REASON ? `${clean.slice(0, MAX_REASON)}…` : clean;
}

/** OpenSearch's own words: the root cause, since the top level of a failed search only says "all shards failed". */
export function errorOf(body: unknown): { type: string; reason: string } {
  const error = (body as { error?: unknown } | null)?.error;
  if (typeof error === "string") return { type: "error", reason: clip(error) };
  const e = (error ?? {}) as { type?: unknown; reason?: unknown; root_cause?: unknown };
  const root = Array.isArray(e.root_cause) ? (e.root_cause[0] as typeof e | undefined) : undefined;
  const type = field(root?.type ?? e.type);
  const reason = field(root?.reason ?? e.reason);
  return {
    type: typeof type === "string" ? type : "error",
    reason: clip(typeof reason === "string" ? reason : JSON.stringify(body ?? "no answer")),
  };
}

/** A partial answer is not what users get on a healthy cluster: a shard failure counts as an error. */
function partialError(answer: unknown): Outcome | undefined {
  const a = answer as { _shards?: Record<string, unknown>; timed_out?: unknown };
  if (field(a.timed_out) === true) return { ok: false, type: "timed_out", reason: "the search timed out" };
  const failed = Number(field(a._shards?.failed) ?? 0);
  if (failed === 0) return undefined;
  const failures = Array.isArray(a._shards?.failures) ? a._shards.failures : [];
  const first = errorOf({ error: (failures[0] as { reason?: unknown } | undefined)?.reason });
  const total = Number(field(a._shards?.total));
  return { ok: false, type: first.type, reason: `${failed} of ${total} shards failed: ${first.reason}` };
}

async function run(cluster: Requester, index: string, body: string, signal?: AbortSignal): Promise<Outcome> {
  let res: ClusterResponse<unknown>;
  try {
    res = await cluster.request<unknown>({
      method: "POST",
      path: `/${encodeURIComponent(index)}/_search`,
      body,
      idempotent: true,
      raw: true,
      // A refused query is an answer to compare; unreachable or overloaded clusters still throw.
      allowStatus: [400, 404, 500],
      ...(signal === undefined ? {} : { signal }),
    });
  } catch (error) {
    // One slow query must not end the whole validation: it fails like a refused one.
    if (isBluegreenError(error, "BG_CLUSTER_TIMEOUT") && signal?.aborted !== true)
      return { ok: false, type: "timeout", reason: clip(error.message) };
    throw error;
  }
  if (res.status >= 300) return { ok: false, ...errorOf(res.body) };
  let answer: unknown;
  try {
    answer = losslessParse(res.body as string);
  } catch {
    return { ok: false, type: "invalid_answer", reason: "the answer is not JSON" };
  }
  return partialError(answer) ?? { ok: true, answer };
}

function facts(q: PlannedQuery, answer: unknown): string {
  const a = answer as { hits?: { total?: unknown; hits?: unknown }; aggregations?: Record<string, unknown> };
  const out: string[] = [];
  const total = field((a.hits?.total as { value?: unknown } | undefined)?.value ?? a.hits?.total);
  if (q.compare.has("total") && total !== undefined) out.push(`${String(total)} hits`);
  if (q.compare.has("ids") && Array.isArray(a.hits?.hits)) out.push(`${a.hits.hits.length} ids`);
  if (q.compare.has("aggregations")) {
    const buckets = Object.values(a.aggregations ?? {}).reduce<number>((n, agg) => {
      const b = (agg as { buckets?: unknown } | null)?.buckets;
      return (
        n + (Array.isArray(b) ? b.length : b !== null && typeof b === "object" ? Object.keys(b).length : 0)
      );
    }, 0);
    if (buckets > 0) out.push(`${buckets} buckets`);
  }
  return out.length === 0 ? "equal" : `equal (${out.join(", ")})`;
}

interface Verdict extends QueryResult {
  /** What the summary line says of a failed query: its first difference, or the refusal. */
  readonly headline: string;
  /** Worth a second look once sync caught up: only a difference in the data is. */
  readonly retry: boolean;
  readonly skipped: boolean;
}

function verdict(q: PlannedQuery, passed: boolean, detail: string, more: Partial<Verdict> = {}): Verdict {
  return { name: q.name, passed, detail, headline: detail, retry: false, skipped: false, ...more };
}

function judge(q: PlannedQuery, source: Outcome, target: Outcome): Verdict {
  const refusal = (o: Outcome & { ok: false }) => `${o.type}: ${o.reason}`;
  if (!source.ok && !target.ok) {
    const same = source.type === target.type;
    const both = same ? refusal(source) : `source ${refusal(source)}; target ${refusal(target)}`;
    // Generated from the mapping, a query both sides fail says nothing about the migration; the
    // operator's own query failing everywhere proves nothing either, and they would want to know.
    if (q.generated) return verdict(q, true, `skipped: fails on both sides (${both})`, { skipped: true });
    return verdict(q, false, `fails on both sides (${both}): fix the query`);
  }
  if (!source.ok) return verdict(q, false, `fails on the source only: ${refusal(source)}`);
  if (!target.ok) return verdict(q, false, `fails on the target only: ${refusal(target)}`);
  const diffs = compareAnswers(q, source.answer, target.answer);
  if (diffs.length === 0) return verdict(q, true, facts(q, source.answer));
  const more = diffs.length > NAMED ? `; … (${diffs.length} differences)` : "";
  const headline = `${diffs[0]}${diffs.length > 1 ? ` (+${diffs.length - 1} more)` : ""}`;
  return verdict(q, false, `${diffs.slice(0, NAMED).join("; ")}${more}`, { headline, retry: true });
}

async function refresh(o: QueriesOptions): Promise<void> {
  const opts = o.signal === undefined ? {} : { signal: o.signal };
  await Promise.all([
    o.source.request({ method: "POST", path: `/${encodeURIComponent(o.index)}/_refresh`, ...opts }),
    o.target.request({ method: "POST", path: `/${encodeURIComponent(o.targetIndex)}/_refresh`, ...opts }),
  ]);
}

async function runAll(o: QueriesOptions, planned: readonly PlannedQuery[]): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const q of planned) {
    const body = JSON.stringify(q.body);
    const [s, t] = await Promise.all([
      run(o.source, o.index, body, o.signal),
      run(o.target, o.targetIndex, body, o.signal),
    ]);
    out.push(judge(q, s, t));
  }
  return out;
}

/** Runs the generated queries and the index's entries of the queries file on both sides. */
export async function compareQueries(o: QueriesOptions): Promise<Check> {
  const started = performance.now();
  await refresh(o);
  const planned = [
    ...(await generateQueries(o.source, o.index, o.signal)),
    ...(o.queries ?? []).filter((q) => q.index === o.index).map(planUserQuery),
  ];
  let verdicts = await runAll(o, planned);
  let settled = 0;
  let again = planned.flatMap((q, i) => (verdicts[i]?.retry === true ? [{ q, i }] : []));
  const deadline = Date.now() + (o.settleWaitMs ?? 0);
  while (again.length > 0 && o.settle !== undefined) {
    await o.settle();
    await refresh(o);
    const second = await runAll(
      o,
      again.map((a) => a.q),
    );
    verdicts = [...verdicts];
    const still: typeof again = [];
    for (const [j, entry] of again.entries()) {
      const now = second[j];
      if (now === undefined) continue;
      if (now.passed) settled++;
      else if (now.retry === true) still.push(entry);
      verdicts[entry.i] = now.passed ? { ...now, detail: `${now.detail}, settled once sync caught up` } : now;
    }
    again = still;
    if (Date.now() >= deadline) break;
  }
  return {
    index: o.index,
    targetIndex: o.targetIndex,
    kind: "queries",
    passed: verdicts.every((r) => r.passed),
    summary: summary(verdicts, settled),
    queries: verdicts.map(({ name, passed, detail }) => ({ name, passed, detail })),
    seconds: (performance.now() - started) / 1000,
  };
}

function summary(results: readonly Verdict[], settled: number): string {
  const n = results.length;
  const failed = results.filter((r) => !r.passed);
  const settledNote = settled > 0 ? `; ${settled} settled once sync caught up` : "";
  if (failed.length === 0) {
    const skipped = results.filter((r) => r.skipped).length;
    const skippedNote = skipped > 0 ? `, ${skipped} skipped (they fail on both sides)` : "";
    return `${n} ${n === 1 ? "query" : "queries"}: ${n - skipped} equal${skippedNote}${settledNote}`;
  }
  // One difference per query keeps the line short; the check's queries list has them all.
  const named = failed.slice(0, NAMED).map((r) => `${r.name} ${r.headline}`);
  const more = failed.length > NAMED ? "; …" : "";
  return `${failed.length} of ${n} queries differ: ${named.join("; ")}${more}${settledNote}`;
}
