/**
 * The `ism` check: which Index State Management policy manages each selected index, asked of both
 * clusters with the explain API and paired through `backfill.rename`. Copying a policy (prepare) does
 * not attach it: an index the source's policy rolls over or deletes and the target's leaves alone
 * fills the disk weeks after the cutover, so a different attachment is a named failure. A missing
 * one passes while the target holds the same policy: cutover attaches it (src/cutover/ism-attach.ts),
 * not earlier, since a policy acting on the target during sync would make the clusters part ways.
 * The policies in use are compared too (normalized as prepare does), so "managed by P on both" means
 * the same P.
 */
import type { Cluster, Requester } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { normalizeIsmPolicy, sameJson } from "../prepare/index.ts";
import type { Check, IsmIndex } from "./report.ts";

interface Pair {
  readonly index: string;
  readonly targetIndex: string;
}

const API = "/_plugins/_ism";
/** Encoded index names per explain request: keeps the request line under OpenSearch's 4 KB limit. */
const PATH_MAX = 3_000;
/** Managed indices listed in the report; the summary counts all of them. */
const LIST_MAX = 100;

/** The policy id in one explain entry: the index setting names it, or the managed-index record does. */
function policyOf(entry: unknown): string | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const e = entry as Record<string, unknown>;
  const id =
    e["index.plugins.index_state_management.policy_id"] ??
    e["index.opendistro.index_state_management.policy_id"] ??
    e.policy_id;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * Index → policy for the given names. Explain drops names that do not exist and answers 400 ("no
 * documents to get") when none does, so a missing index is simply unmanaged here; the count check
 * already names it.
 */
export async function explainPolicies(
  cluster: Requester,
  names: readonly string[],
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of chunks(names)) {
    const answer = await cluster.request<Record<string, unknown>>({
      method: "GET",
      path: `${API}/explain/${chunk.map(encodeURIComponent).join(",")}`,
      allowStatus: [400, 404],
      idempotent: true,
      ...(signal === undefined ? {} : { signal }),
    });
    if (answer.status === 404 || (answer.status === 400 && noneExists(answer.body))) continue;
    if (answer.status >= 400)
      throw new BluegreenError(
        "BG_CLUSTER_RESPONSE",
        `The ISM explain API answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`,
        { fix: "Check the cluster's index-management plugin, then validate again." },
      );
    for (const name of chunk) {
      const policy = policyOf(answer.body[name]);
      if (policy !== undefined) out.set(name, policy);
    }
  }
  return out;
}

/** Explain's answer when none of the names is an index: "no documents to get". */
function noneExists(body: unknown): boolean {
  return /no documents to get/.test(JSON.stringify(body));
}

function chunks(names: readonly string[]): string[][] {
  const out: string[][] = [];
  let chunk: string[] = [];
  let length = 0;
  for (const name of names) {
    const encoded = encodeURIComponent(name).length + 1;
    if (chunk.length > 0 && length + encoded > PATH_MAX) {
      out.push(chunk);
      chunk = [];
      length = 0;
    }
    chunk.push(name);
    length += encoded;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

async function readPolicy(cluster: Requester, id: string, signal?: AbortSignal): Promise<unknown> {
  const answer = await cluster.request<{ policy?: unknown }>({
    method: "GET",
    path: `${API}/policies/${encodeURIComponent(id)}`,
    allowStatus: [404],
    idempotent: true,
    ...(signal === undefined ? {} : { signal }),
  });
  return answer.status === 404 ? undefined : normalizeIsmPolicy(answer.body.policy);
}

const by = (policy: string | undefined) => (policy === undefined ? "none" : `policy ${policy}`);

function describe(pair: Pair, source: string | undefined, target: string | undefined, same: boolean): string {
  const name =
    pair.index === pair.targetIndex ? pair.index : `${pair.index} (${pair.targetIndex} on the target)`;
  if (source !== target)
    return `${name} is managed by ${by(source)} on the source, by ${by(target)} on the target`;
  if (!same)
    return `${name} is managed by policy ${source} on both sides, but the policy differs (see metadata)`;
  return `${name} is managed by policy ${source} on both sides`;
}

function notApplicable(reason: string, started: number): Check {
  return {
    index: "*",
    targetIndex: "*",
    kind: "ism",
    passed: true,
    summary: `not applicable: ${reason}`,
    notApplicable: reason,
    seconds: (performance.now() - started) / 1000,
  };
}

export async function checkIsm(
  source: Cluster,
  target: Cluster,
  pairs: readonly Pair[],
  signal?: AbortSignal,
): Promise<Check> {
  const started = performance.now();
  const [sourceFacts, targetFacts] = await Promise.all([source.facts(), target.facts()]);
  if (!sourceFacts.capabilities.ism)
    return notApplicable(
      "the source has no Index State Management plugin (opensearch-index-management), so no index is managed",
      started,
    );
  const sourcePolicies = await explainPolicies(
    source,
    pairs.map((p) => p.index),
    signal,
  );
  const targetPolicies = targetFacts.capabilities.ism
    ? await explainPolicies(
        target,
        pairs.map((p) => p.targetIndex),
        signal,
      )
    : new Map<string, string>();
  // Each policy that manages an index on the source and is (or, at cutover, will be) attached on the
  // target is read once from each side: equal ids must mean equal policies.
  const shared = new Set<string>();
  for (const p of pairs) {
    const s = sourcePolicies.get(p.index);
    const t = targetPolicies.get(p.targetIndex);
    if (s !== undefined && (t === undefined || s === t)) shared.add(s);
  }
  const samePolicy = new Map<string, boolean>();
  for (const id of shared) {
    const [a, b] = await Promise.all([readPolicy(source, id, signal), readPolicy(target, id, signal)]);
    samePolicy.set(id, a !== undefined && b !== undefined && sameJson(a, b));
  }
  const managed: IsmIndex[] = [];
  for (const pair of pairs) {
    const s = sourcePolicies.get(pair.index);
    const t = targetPolicies.get(pair.targetIndex);
    if (s === undefined && t === undefined) continue;
    const same = s === undefined || samePolicy.get(s) !== false;
    // Unattached on the target until cutover attaches the source's policy (src/cutover/ism-attach.ts),
    // which it can only do when the target holds the same policy.
    const pending = s !== undefined && t === undefined && targetFacts.capabilities.ism && same;
    const passed = (s === t || pending) && same;
    managed.push({
      ...pair,
      ...(s === undefined ? {} : { source: s }),
      ...(t === undefined ? {} : { target: t }),
      passed,
      detail: pending ? `${describe(pair, s, t, same)}; cutover attaches it` : describe(pair, s, t, same),
    });
  }
  managed.sort((a, b) => Number(a.passed) - Number(b.passed) || a.index.localeCompare(b.index));
  const failed = managed.filter((m) => !m.passed);
  const noPlugin = targetFacts.capabilities.ism ? "" : " (the target has no ISM plugin)";
  const alike = managed.filter((m) => m.target !== undefined);
  const policies = new Set(alike.flatMap((m) => (m.source === undefined ? [] : [m.source])));
  const pending = managed.length - alike.length;
  const later = pending === 0 ? "" : `${pending} index(es) get their source's policy at cutover`;
  const summary =
    failed.length > 0
      ? `${failed.length} of ${managed.length} managed index(es) differ${noPlugin}: ${failed
          .slice(0, 3)
          .map((m) => m.detail)
          .join("; ")}${failed.length > 3 ? "; …" : ""}`
      : managed.length === 0
        ? `no selected index is managed by ISM on either side${noPlugin}`
        : alike.length === 0
          ? later
          : `${alike.length} index(es) managed alike by ${policies.size} policy(ies) on both sides${pending === 0 ? "" : `; ${later}`}`;
  return {
    index: "*",
    targetIndex: "*",
    kind: "ism",
    passed: failed.length === 0,
    summary,
    ...(managed.length === 0 ? {} : { ism: managed.slice(0, LIST_MAX) }),
    ...(failed.length === 0 ? {} : { items: failed.slice(0, LIST_MAX).map((m) => m.detail) }),
    seconds: (performance.now() - started) / 1000,
  };
}
