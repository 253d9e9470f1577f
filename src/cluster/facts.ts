import { BluegreenError } from "../errors/index.ts";
import { type Capabilities, detectCapabilities } from "./capabilities.ts";
import type { Requester } from "./types.ts";
import { type Distribution, distributionOf, tryParseVersion, type Version } from "./version.ts";

export type HealthStatus = "green" | "yellow" | "red";

export interface ClusterHealth {
  readonly status: HealthStatus;
  readonly numberOfNodes: number;
  readonly numberOfDataNodes: number;
}

/** What `GET /` says about the cluster. */
export interface RootInfo {
  readonly distribution: Distribution;
  readonly version: Version;
  /** The version as the server wrote it, e.g. "7.10.2" or "2.19.4". */
  readonly versionText: string;
  /** Elasticsearch's "oss" or "default" (x-pack); undefined for OpenSearch and old releases. */
  readonly buildFlavor: string | undefined;
  readonly clusterName: string;
  readonly clusterUuid: string;
}

export interface NodePlugins {
  /** Plugins installed on every node (what a cluster-wide feature can rely on). */
  readonly plugins: readonly string[];
  /** Plugins installed on some nodes only: usually a half-finished install, worth a warning. */
  readonly partialPlugins: readonly string[];
  readonly modules: readonly string[];
  /** Distinct node versions; more than one means a rolling upgrade is in progress. */
  readonly nodeVersions: readonly string[];
}

export interface ClusterFacts extends RootInfo, NodePlugins {
  readonly health: ClusterHealth;
  readonly capabilities: Capabilities;
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function unsupported(cluster: string, why: string): BluegreenError {
  return new BluegreenError(
    "BG_CLUSTER_UNSUPPORTED",
    `Cluster "${cluster}" does not look like OpenSearch or Elasticsearch: ${why}.`,
    {
      fix: "Check that the URL points at the cluster's REST endpoint (not Dashboards/Kibana or a proxy page).",
      details: { cluster },
    },
  );
}

export function parseRootInfo(body: unknown, cluster: string): RootInfo {
  const root = record(body);
  const version = record(root.version);
  const number = text(version.number);
  const parsed = tryParseVersion(number);
  if (parsed === undefined) {
    throw unsupported(
      cluster,
      number === "" ? "GET / has no version.number" : `version "${number}" is not readable`,
    );
  }
  const flavor = text(version.build_flavor);
  return {
    distribution: distributionOf(version.distribution),
    version: parsed,
    versionText: number,
    buildFlavor: flavor === "" ? undefined : flavor,
    clusterName: text(root.cluster_name),
    clusterUuid: text(root.cluster_uuid),
  };
}

export function parseHealth(body: unknown): ClusterHealth {
  const health = record(body);
  const status = health.status === "green" || health.status === "yellow" ? health.status : "red";
  return {
    status,
    numberOfNodes: typeof health.number_of_nodes === "number" ? health.number_of_nodes : 0,
    numberOfDataNodes: typeof health.number_of_data_nodes === "number" ? health.number_of_data_nodes : 0,
  };
}

function names(list: unknown): string[] {
  return Array.isArray(list)
    ? list.map((entry) => text(record(entry).name)).filter((name) => name !== "")
    : [];
}

/** Reads `GET /_nodes/plugins`: a plugin or module counts as present only if every node has it. */
export function parseNodesPlugins(body: unknown): NodePlugins {
  const nodes = Object.values(record(record(body).nodes)).map(record);
  const pluginSets = nodes.map((node) => new Set(names(node.plugins)));
  const moduleSets = nodes.map((node) => new Set(names(node.modules)));
  const everywhere = (sets: Set<string>[]): string[] => {
    const [first, ...rest] = sets;
    if (first === undefined) return [];
    return [...first].filter((name) => rest.every((set) => set.has(name))).sort();
  };
  const plugins = everywhere(pluginSets);
  const anywhere = new Set(pluginSets.flatMap((set) => [...set]));
  return {
    plugins,
    partialPlugins: [...anywhere].filter((name) => !plugins.includes(name)).sort(),
    modules: everywhere(moduleSets),
    nodeVersions: [...new Set(nodes.map((node) => text(node.version)).filter((v) => v !== ""))].sort(),
  };
}

/** One round of detection: three read-only requests, in parallel. */
export async function detectFacts(cluster: Requester, name: string): Promise<ClusterFacts> {
  const [root, health, nodes] = await Promise.all([
    cluster.request({ method: "GET", path: "/" }),
    cluster.request({ method: "GET", path: "/_cluster/health" }),
    cluster.request({
      method: "GET",
      path: "/_nodes/plugins",
      querystring: { filter_path: "nodes.*.version,nodes.*.plugins.name,nodes.*.modules.name" },
    }),
  ]);
  const info = parseRootInfo(root.body, name);
  const plugins = parseNodesPlugins(nodes.body);
  return {
    ...info,
    ...plugins,
    health: parseHealth(health.body),
    capabilities: detectCapabilities({
      distribution: info.distribution,
      version: info.version,
      plugins: plugins.plugins,
      modules: plugins.modules,
    }),
  };
}
