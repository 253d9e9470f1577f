/**
 * The remote-cluster connections and auto-follow rules bluegreen makes on the target for CCR are
 * recorded (step `sync`, key `remote-clusters`) before they are made, so a crash in between still
 * leaves decommission knowing what to remove; nothing else of the target's cluster settings is touched.
 */
import type { Cluster } from "../../cluster/index.ts";
import type { StateStore } from "../../state/index.ts";
import { deleteAutoFollow } from "./api.ts";

export interface RemoteClusterRecord {
  readonly alias: string;
  readonly autoFollowRules: readonly string[];
  /** Absent in records from before proxy mode: sniff. */
  readonly mode?: "sniff" | "proxy";
}

export const REMOTE_CLUSTERS = { step: "sync", key: "remote-clusters" } as const;

export function remoteClusters(state: StateStore): RemoteClusterRecord[] {
  return state.getCheckpoint<RemoteClusterRecord[]>(REMOTE_CLUSTERS.step, REMOTE_CLUSTERS.key) ?? [];
}

/** Adds or replaces the record of one alias (merging auto-follow rule names). */
export function recordRemoteCluster(state: StateStore, remote: RemoteClusterRecord): void {
  const others = remoteClusters(state).filter((r) => r.alias !== remote.alias);
  const before = remoteClusters(state).find((r) => r.alias === remote.alias);
  const rules = [...new Set([...(before?.autoFollowRules ?? []), ...remote.autoFollowRules])];
  state.putCheckpoint(REMOTE_CLUSTERS.step, REMOTE_CLUSTERS.key, [
    ...others,
    { ...remote, autoFollowRules: rules },
  ]);
}

export interface RemoteConnection {
  readonly alias: string;
  readonly mode: "sniff" | "proxy";
  readonly seeds: readonly string[];
  readonly proxyAddress?: string;
}

export async function putRemoteCluster(target: Cluster, remote: RemoteConnection): Promise<void> {
  const prefix = `cluster.remote.${remote.alias}`;
  const settings =
    remote.mode === "proxy"
      ? { [`${prefix}.mode`]: "proxy", [`${prefix}.proxy_address`]: remote.proxyAddress ?? null }
      : { [`${prefix}.mode`]: "sniff", [`${prefix}.seeds`]: remote.seeds };
  await target.request({ method: "PUT", path: "/_cluster/settings", body: { persistent: settings } });
}

/** Whether the target holds an open connection to the alias, per `_remote/info`. */
export async function remoteConnected(target: Cluster, alias: string): Promise<boolean> {
  const res = await target.request<Record<string, { connected?: boolean }>>({
    method: "GET",
    path: "/_remote/info",
  });
  return res.body[alias]?.connected === true;
}

export async function removeRemoteCluster(target: Cluster, remote: RemoteClusterRecord): Promise<void> {
  for (const name of remote.autoFollowRules) await deleteAutoFollow(target, remote.alias, name);
  const prefix = `cluster.remote.${remote.alias}`;
  const settings =
    remote.mode === "proxy"
      ? { [`${prefix}.proxy_address`]: null, [`${prefix}.mode`]: null }
      : { [`${prefix}.seeds`]: null, [`${prefix}.mode`]: null };
  await target.request({ method: "PUT", path: "/_cluster/settings", body: { persistent: settings } });
}
