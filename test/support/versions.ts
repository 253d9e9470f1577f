import type { ClusterVersion } from "../../src/cluster/index.ts";

/** An OpenSearch release, e.g. os(2, 19, 4), for tables over versions. */
export const os = (major: number, minor: number, patch: number): ClusterVersion => ({
  distribution: "opensearch",
  version: { major, minor, patch },
});

/** An Elasticsearch release, e.g. es(7, 10, 2). */
export const es = (major: number, minor: number, patch: number): ClusterVersion => ({
  distribution: "elasticsearch",
  version: { major, minor, patch },
});
