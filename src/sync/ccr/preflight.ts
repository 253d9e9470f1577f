/**
 * Whether cross-cluster replication can serve this pair, as named findings with their fixes: the plugin
 * on both sides, a follower not older than the leader, security on both sides or on neither, and the
 * target reaching the source's transport address. `auto` takes the gateway when any finding remains.
 */
import type { Cluster, ClusterFacts } from "../../cluster/index.ts";
import type { MigrationConfig } from "../../config/index.ts";
import { ccrVersionVerdict } from "./compat.ts";

export const CCR_PLUGIN = "opensearch-cross-cluster-replication";
const SECURITY_PLUGIN = "opensearch-security";

export interface CcrFinding {
  readonly check: "distribution" | "plugin" | "version" | "security" | "roles" | "transport";
  readonly reason: string;
  readonly fix: string;
}

/** The findings that do not need a connection: from both clusters' facts alone. */
export function ccrFindings(source: ClusterFacts, target: ClusterFacts): CcrFinding[] {
  const findings: CcrFinding[] = [];
  for (const [side, facts] of [
    ["source", source],
    ["target", target],
  ] as const) {
    if (facts.distribution !== "opensearch") {
      findings.push({
        check: "distribution",
        reason: `the ${side} is ${facts.distribution} ${facts.versionText}; cross-cluster replication is an OpenSearch plugin`,
        fix: "Use sync.method gateway for this pair.",
      });
    } else if (!facts.plugins.includes(CCR_PLUGIN)) {
      findings.push({
        check: "plugin",
        reason: `the ${side} (${facts.versionText}) does not have the ${CCR_PLUGIN} plugin${facts.partialPlugins.includes(CCR_PLUGIN) ? " on every node" : ""}`,
        fix: `Install ${CCR_PLUGIN} ${facts.versionText}.0 on every ${side} node (a rolling restart), or use sync.method gateway.`,
      });
    }
  }
  // Versions of different distributions do not compare; the distribution finding says enough.
  const comparable = source.distribution === "opensearch" && target.distribution === "opensearch";
  const version = comparable ? ccrVersionVerdict(source.versionText, target.versionText) : undefined;
  if (version !== undefined) {
    findings.push({ check: "version", reason: version, fix: "Use sync.method gateway for this pair." });
  }
  const secured = (f: ClusterFacts) => f.plugins.includes(SECURITY_PLUGIN);
  if (secured(source) !== secured(target)) {
    findings.push({
      check: "security",
      reason: `the security plugin runs on the ${secured(source) ? "source" : "target"} only; CCR needs it on both clusters or on neither`,
      fix: "Enable security on both clusters (same CA for transport TLS), or use sync.method gateway.",
    });
  }
  return findings;
}

export async function bothFacts(
  source: Cluster,
  target: Cluster,
): Promise<{ source: ClusterFacts; target: ClusterFacts }> {
  const [s, t] = await Promise.all([source.facts(), target.facts()]);
  return { source: s, target: t };
}

export function securedPair(source: ClusterFacts): boolean {
  return source.plugins.includes(SECURITY_PLUGIN);
}

/** The source's transport addresses as its nodes publish them (the default seeds). */
export async function publishedTransport(source: Cluster): Promise<string[]> {
  const res = await source.request<{ nodes?: Record<string, { transport?: { publish_address?: string } }> }>({
    method: "GET",
    path: "/_nodes/transport",
  });
  return Object.values(res.body.nodes ?? {})
    .map((n) => n.transport?.publish_address ?? "")
    .filter((a) => a !== "")
    .map((a) => a.replace(/^.*\//, ""));
}

export function describeFindings(findings: readonly CcrFinding[]): string {
  return findings.map((f) => f.reason).join("; ");
}

export function ccrConnection(config: MigrationConfig, published: readonly string[]) {
  const ccr = config.sync.ccr;
  return {
    alias: ccr.alias,
    mode: ccr.mode,
    seeds: ccr.seeds ?? published,
    ...(ccr.proxyAddress === undefined ? {} : { proxyAddress: ccr.proxyAddress }),
  };
}
