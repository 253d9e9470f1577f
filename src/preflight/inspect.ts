import type { ClusterFacts, ClusterVersion, IndexInfo, Verdict } from "../cluster/index.ts";
import {
  type Cluster,
  createCluster,
  decodeVersionId,
  displayUrl,
  methodVerdicts,
  pathRefusal,
  sentence,
} from "../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../config/index.ts";
import { toBluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";

export type Role = "source" | "target";

export interface IndexSummary {
  readonly name: string;
  readonly health: string | undefined;
  readonly docs: number | undefined;
  readonly bytes: number | undefined;
  /** From `index.version.created`: what a restore of this index depends on. */
  readonly created?: ClusterVersion;
}

export interface ClusterInventory {
  readonly role: Role;
  readonly name: string;
  readonly url: string;
  readonly reachable: boolean;
  readonly error?: { readonly code: string; readonly message: string; readonly fix?: string };
  readonly facts?: ClusterFacts;
  /** The indices the migration's selection picks on this cluster. */
  readonly indices?: readonly IndexSummary[];
}

export interface Finding {
  /** Stable name of the rule that produced it, e.g. "target-older-than-source". */
  readonly rule: string;
  readonly message: string;
  readonly fix?: string;
}

/** What the compatibility matrix allows for one selected source index on this path. */
export interface IndexPlan {
  readonly index: string;
  readonly created?: ClusterVersion;
  readonly verdicts: readonly Verdict[];
}

export interface CheckReport {
  readonly source: ClusterInventory;
  readonly target: ClusterInventory;
  /** Per selected source index, each method's verdict; absent when a cluster could not be inspected. */
  readonly plan?: readonly IndexPlan[];
  /** Must be resolved before the migration can proceed. */
  readonly blockers: readonly Finding[];
  readonly warnings: readonly Finding[];
}

function summarize(
  indices: readonly IndexInfo[],
  config: MigrationConfig,
  created: ReadonlyMap<string, ClusterVersion>,
): IndexSummary[] {
  const picked = new Set(selectIndices(indices, config.indices).map((i) => i.name));
  return indices
    .filter((i) => picked.has(i.name))
    .map((i) => {
      const version = created.get(i.name);
      return {
        name: i.name,
        health: i.health,
        docs: i.docsCount,
        bytes: i.storeSizeBytes,
        ...(version === undefined ? {} : { created: version }),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Each index's creation version, in one request. */
async function creationVersions(cluster: Cluster): Promise<Map<string, ClusterVersion>> {
  const response = await cluster.request({
    method: "GET",
    path: "/_all/_settings/index.version.created",
    querystring: { expand_wildcards: "all", flat_settings: true },
  });
  const found = new Map<string, ClusterVersion>();
  const body = (response.body ?? {}) as Record<string, { settings?: Record<string, unknown> }>;
  for (const [name, entry] of Object.entries(body)) {
    const version = decodeVersionId(Number(entry.settings?.["index.version.created"]));
    if (version !== undefined) found.set(name, version);
  }
  return found;
}

async function inventory(role: Role, cluster: Cluster, config: MigrationConfig): Promise<ClusterInventory> {
  const cc = config[role];
  const base = { role, name: cc.name, url: displayUrl(cc.urls[0] ?? "") };
  try {
    const facts = await cluster.facts();
    const indices = summarize(await cluster.indices(), config, await creationVersions(cluster));
    return { ...base, reachable: true, facts, indices };
  } catch (thrown) {
    const error = toBluegreenError(thrown);
    return {
      ...base,
      reachable: false,
      error: {
        code: error.code,
        message: error.message,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
      },
    };
  }
}

type Rule = (s: ClusterInventory, t: ClusterInventory) => Finding | Finding[] | undefined;

/** Blocker rules: each small and named, so a report says which rule fired. */
const BLOCKER_RULES: Readonly<Record<string, Rule>> = {
  "cluster-unreachable": (s, t) =>
    [s, t]
      .filter((c) => !c.reachable)
      .map((c) => ({
        rule: "cluster-unreachable",
        message: `The ${c.role} cluster "${c.name}" at ${c.url} cannot be inspected: ${c.error?.message ?? "unknown error"}`,
        ...(c.error?.fix === undefined ? {} : { fix: c.error.fix }),
      })),
  // The compatibility matrix's whole-path rows (target older than the source, not OpenSearch).
  "path-refused": (s, t) => {
    if (s.facts === undefined || t.facts === undefined) return undefined;
    const refusal = pathRefusal(s.facts, t.facts);
    if (refusal === undefined) return undefined;
    const message = sentence(refusal.reason);
    return {
      rule: refusal.rule,
      message,
      fix: sentence(refusal.instead),
    };
  },
  "cluster-red": (s, t) =>
    [s, t]
      .filter((c) => c.facts?.health.status === "red")
      .map((c) => ({
        rule: "cluster-red",
        message: `The ${c.role} cluster "${c.name}" is red: some primary shards are unassigned.`,
        fix: "Fix allocation first (GET _cluster/allocation/explain).",
      })),
  "plugin-missing-on-target": (s, t) => {
    if (s.facts === undefined || t.facts === undefined) return undefined;
    const missing = s.facts.plugins.filter((p) => !t.facts?.plugins.includes(p));
    return missing.map((p) => ({
      rule: "plugin-missing-on-target",
      message: `Plugin "${p}" is installed on the source but not on the target; indices or settings using it will not work there.`,
      fix: `Install ${p} on every target node (bin/opensearch-plugin install ${p}) and restart them.`,
    }));
  },
};

const WARNING_RULES: Readonly<Record<string, Rule>> = {
  "no-index-selected": (s) =>
    s.reachable && (s.indices?.length ?? 0) === 0
      ? {
          rule: "no-index-selected",
          message: "The index selection matches no index on the source.",
          fix: "Check indices.include / indices.exclude in the migration file.",
        }
      : undefined,
  "target-has-selected-indices": (_s, t) => {
    const count = t.indices?.length ?? 0;
    return count > 0
      ? {
          rule: "target-has-selected-indices",
          message: `The target already holds ${count} index(es) the selection matches; prepare will compare rather than create them.`,
        }
      : undefined;
  },
};

function run(rules: Readonly<Record<string, Rule>>, s: ClusterInventory, t: ClusterInventory): Finding[] {
  return Object.values(rules).flatMap((rule) => {
    const found = rule(s, t);
    return found === undefined ? [] : Array.isArray(found) ? found : [found];
  });
}

function compatibilityPlan(s: ClusterInventory, t: ClusterInventory): IndexPlan[] | undefined {
  if (s.facts === undefined || t.facts === undefined) return undefined;
  const [from, to] = [s.facts, t.facts];
  return (s.indices ?? []).map((i) => ({
    index: i.name,
    ...(i.created === undefined ? {} : { created: i.created }),
    verdicts: methodVerdicts(from, to, i.created),
  }));
}

export function evaluate(source: ClusterInventory, target: ClusterInventory): CheckReport {
  const plan = compatibilityPlan(source, target);
  return {
    source,
    target,
    ...(plan === undefined ? {} : { plan }),
    blockers: run(BLOCKER_RULES, source, target),
    warnings: run(WARNING_RULES, source, target),
  };
}

/** Inspects both clusters side by side; never throws for an unreachable cluster (that is a blocker). */
export async function checkClusters(config: MigrationConfig, logger?: Logger): Promise<CheckReport> {
  const clusters = {
    source: createCluster(config.source, logger === undefined ? {} : { logger }),
    target: createCluster(config.target, logger === undefined ? {} : { logger }),
  };
  try {
    const [source, target] = await Promise.all([
      inventory("source", clusters.source, config),
      inventory("target", clusters.target, config),
    ]);
    return evaluate(source, target);
  } finally {
    await Promise.all([clusters.source.close(), clusters.target.close()]);
  }
}
