/**
 * Which clusters still route the typed document API (see classify.ts, typeSensitive). The gateway asks
 * a cluster once, the first time a path whose meaning depends on it arrives: `GET /` with the
 * migration's own credentials (made for the gateway, not for the client; any user that may reach the
 * cluster may read it). Nothing else waits for it: a gateway starts, and serves every other request,
 * whether or not that cluster answers.
 */
import { type Cluster, createCluster, parseRootInfo } from "../cluster/index.ts";
import type { ClusterConfig } from "../config/index.ts";

/** Elasticsearch (any version bluegreen reads) and OpenSearch before 2.0 route `/{index}/{type}/...`. */
export function routesTypes(distribution: string, major: number): boolean {
  return distribution !== "opensearch" || major < 2;
}

type Side = "source" | "target";

export class ApiKinds {
  readonly #clusters: Record<Side, Cluster>;
  readonly #known: Partial<Record<Side, Promise<boolean>>> = {};

  constructor(source: ClusterConfig, target: ClusterConfig) {
    this.#clusters = { source: createCluster(source), target: createCluster(target) };
  }

  /** Rejects when the cluster cannot be asked; the next call asks again. */
  typed(side: Side): Promise<boolean> {
    const known = this.#known[side];
    if (known !== undefined) return known;
    const cluster = this.#clusters[side];
    const asked = cluster.request({ method: "GET", path: "/" }).then((res) => {
      const root = parseRootInfo(res.body, cluster.name);
      return routesTypes(root.distribution, root.version.major);
    });
    this.#known[side] = asked;
    asked.catch(() => {
      if (this.#known[side] === asked) delete this.#known[side];
    });
    return asked;
  }

  async close(): Promise<void> {
    await Promise.all([this.#clusters.source.close(), this.#clusters.target.close()]);
  }
}
