/**
 * Which clusters still route the typed document API (see classify.ts, typeSensitive). The gateway asks
 * a cluster once, the first time a path whose meaning depends on it arrives, with the migration's own
 * credentials (a `GET /` made for the gateway, not for the client). Nothing else waits for it: a
 * gateway starts, and serves every other request, whether or not that cluster answers.
 */
import { type Cluster, createCluster } from "../cluster/index.ts";
import type { ClusterConfig } from "../config/index.ts";

/** Elasticsearch (any version bluegreen reads) and OpenSearch before 2.0 route `/{index}/{type}/...`. */
export function routesTypes(distribution: string, major: number): boolean {
  return distribution !== "opensearch" || major < 2;
}

export class ApiKinds {
  readonly #clusters: Record<"source" | "target", Cluster>;

  constructor(source: ClusterConfig, target: ClusterConfig) {
    this.#clusters = { source: createCluster(source), target: createCluster(target) };
  }

  /** Rejects when the cluster cannot be asked; the next call asks again (facts() keeps only answers). */
  async typed(side: "source" | "target"): Promise<boolean> {
    const facts = await this.#clusters[side].facts();
    return routesTypes(facts.distribution, facts.version.major);
  }

  async close(): Promise<void> {
    await Promise.all([this.#clusters.source.close(), this.#clusters.target.close()]);
  }
}
