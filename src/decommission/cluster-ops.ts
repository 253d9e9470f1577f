/**
 * What decommission does to the clusters, one function per part. Each is safe to run again after a
 * crash: a repository already gone, a block already set, a snapshot already taken are all fine.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Cluster } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";

const enc = encodeURIComponent;

/** `GET /`'s cluster_name: what an operator types back before the source's data is deleted. */
export async function clusterName(cluster: Cluster): Promise<string> {
  const res = await cluster.request<{ cluster_name?: unknown }>({ method: "GET", path: "/" });
  return String(res.body.cluster_name ?? "");
}

/** Unregisters a snapshot repository; true if it was there. The snapshots in it are not touched. */
export async function removeRepository(cluster: Cluster, name: string): Promise<boolean> {
  const res = await cluster.request({
    method: "DELETE",
    path: `/_snapshot/${enc(name)}`,
    allowStatus: [404],
  });
  return res.status !== 404;
}

type SnapshotState = "IN_PROGRESS" | "SUCCESS" | "FAILED" | "PARTIAL" | "MISSING" | string;

async function snapshotState(source: Cluster, repository: string, name: string) {
  const res = await source.request<{ snapshots?: { state?: string; failures?: unknown[] }[] }>({
    method: "GET",
    path: `/_snapshot/${enc(repository)}/${enc(name)}`,
    allowStatus: [404],
  });
  const first = res.status === 404 ? undefined : res.body.snapshots?.[0];
  return { state: (first?.state ?? "MISSING") as SnapshotState, failures: first?.failures ?? [] };
}

/**
 * Takes (or, after a crash, waits for) the final snapshot of `indices`. The repository must be
 * registered already: it is the operator's archive, so bluegreen neither creates nor removes it.
 */
export async function finalSnapshot(
  source: Cluster,
  repository: string,
  name: string,
  indices: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const repo = await source.request({
    method: "GET",
    path: `/_snapshot/${enc(repository)}`,
    allowStatus: [404],
  });
  if (repo.status === 404) {
    throw new BluegreenError(
      "BG_SNAPSHOT_FAILED",
      `The final snapshot's repository "${repository}" (decommission.finalSnapshot.repository) is not registered on the source; nothing was deleted or changed.`,
      {
        fix: `Register it on the source (PUT _snapshot/${repository} with its type and settings), or remove decommission.finalSnapshot, then run decommission again.`,
      },
    );
  }
  let current = await snapshotState(source, repository, name);
  if (current.state === "MISSING") {
    await source.request({
      method: "PUT",
      path: `/_snapshot/${enc(repository)}/${enc(name)}`,
      body: { indices: indices.join(","), include_global_state: false, ignore_unavailable: false },
    });
  }
  for (;;) {
    current = await snapshotState(source, repository, name);
    if (current.state === "SUCCESS") return;
    if (current.state !== "IN_PROGRESS" && current.state !== "MISSING") {
      throw new BluegreenError(
        "BG_SNAPSHOT_FAILED",
        `The final snapshot ${repository}/${name} ended ${current.state}: ${JSON.stringify(current.failures).slice(0, 600)}.`,
        {
          fix: `Look at GET _snapshot/${repository}/${name}; delete it (DELETE _snapshot/${repository}/${name}) and run decommission again to take it anew. Nothing of the source was deleted.`,
        },
      );
    }
    await delay(1_000, undefined, signal === undefined ? {} : { signal });
  }
}

/** Puts `index.blocks.write: true` where it is not set; returns the indices it had to block. */
export async function ensureWriteBlocked(source: Cluster, indices: readonly string[]): Promise<string[]> {
  const blocked: string[] = [];
  for (const index of indices) {
    const res = await source.request<Record<string, { settings?: Record<string, string> }>>({
      method: "GET",
      path: `/${enc(index)}/_settings/index.blocks.write`,
      querystring: { flat_settings: true },
      allowStatus: [404],
    });
    if (res.status === 404 || res.body[index]?.settings?.["index.blocks.write"] === "true") continue;
    await source.request({
      method: "PUT",
      path: `/${enc(index)}/_settings`,
      body: { "index.blocks.write": true },
    });
    blocked.push(index);
  }
  return blocked;
}

/** Deletes exactly these indices (by name, never a pattern); returns those that existed. */
export async function deleteIndices(source: Cluster, indices: readonly string[]): Promise<string[]> {
  const deleted: string[] = [];
  for (const index of indices) {
    const res = await source.request({ method: "DELETE", path: `/${enc(index)}`, allowStatus: [404] });
    if (res.status !== 404) deleted.push(index);
  }
  return deleted;
}

/**
 * The seam for cross-cluster replication (not built yet): whatever sets up CCR records here the
 * remote-cluster alias it put on the target and the auto-follow rules it made, and decommission
 * removes exactly those. Nothing else of the target's cluster settings is touched.
 */
export interface RemoteClusterRecord {
  readonly alias: string;
  readonly autoFollowRules: readonly string[];
}

export const REMOTE_CLUSTERS = { step: "sync", key: "remote-clusters" } as const;

export async function removeRemoteCluster(target: Cluster, remote: RemoteClusterRecord): Promise<void> {
  for (const name of remote.autoFollowRules) {
    await target.request({
      method: "DELETE",
      path: "/_plugins/_replication/_autofollow",
      body: { leader_alias: remote.alias, name },
      allowStatus: [404],
    });
  }
  await target.request({
    method: "PUT",
    path: "/_cluster/settings",
    body: { persistent: { [`cluster.remote.${remote.alias}.seeds`]: null } },
  });
}
