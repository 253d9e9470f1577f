/**
 * The replication plugin's REST calls, each made idempotent: a call whose effect is already there
 * (a started follower, a rule that exists, a stopped index) returns what is, so every caller can be
 * re-run after a crash. All calls go to the follower (the target), which pulls from the leader.
 */
import type { Cluster } from "../../cluster/index.ts";
import { BluegreenError } from "../../errors/index.ts";

const BASE = "/_plugins/_replication";
const enc = encodeURIComponent;

/** SYNCING, BOOTSTRAPPING, PAUSED, FAILED, or NOT_REPLICATING (the plugin says "REPLICATION NOT IN PROGRESS"). */
export type FollowerStatus = "SYNCING" | "BOOTSTRAPPING" | "PAUSED" | "FAILED" | "NOT_REPLICATING" | string;

export interface ShardCheckpoints {
  readonly shard: number;
  /** The leader's checkpoint as the follower last heard it, and the follower's own. */
  readonly leaderCheckpoint: number;
  readonly followerCheckpoint: number;
}

export interface ReplicationStatus {
  readonly index: string;
  readonly status: FollowerStatus;
  readonly reason?: string;
  readonly leaderIndex?: string;
  readonly shards: readonly ShardCheckpoints[];
}

interface RawStatus {
  status?: string;
  reason?: string;
  leader_index?: string;
  shard_replication_details?: {
    shard_id?: string;
    syncing_task_details?: { leader_checkpoint?: number; follower_checkpoint?: number };
  }[];
}

function failure(what: string, body: unknown): BluegreenError {
  const reason = (body as { error?: { reason?: string } } | undefined)?.error?.reason ?? JSON.stringify(body);
  return new BluegreenError("BG_SYNC_CCR", `${what}: ${reason}`, {
    fix: "Look at the target's log for the replication plugin's cause; fix it and run the command again (every step resumes).",
  });
}

function reasonOf(body: unknown): string {
  return String((body as { error?: { reason?: string } } | undefined)?.error?.reason ?? "");
}

export async function replicationStatus(target: Cluster, index: string): Promise<ReplicationStatus> {
  const res = await target.request<RawStatus>({
    method: "GET",
    path: `${BASE}/${enc(index)}/_status`,
    querystring: { verbose: "true" },
    allowStatus: [400, 404],
  });
  if (res.status >= 400) return { index, status: "NOT_REPLICATING", shards: [] };
  const body = res.body;
  const status = body.status === "REPLICATION NOT IN PROGRESS" ? "NOT_REPLICATING" : String(body.status);
  const shards = (body.shard_replication_details ?? []).map((d) => ({
    shard: Number(/\]\[(\d+)\]$/.exec(d.shard_id ?? "")?.[1] ?? -1),
    leaderCheckpoint: d.syncing_task_details?.leader_checkpoint ?? -1,
    followerCheckpoint: d.syncing_task_details?.follower_checkpoint ?? -1,
  }));
  return {
    index,
    status,
    ...(body.reason === undefined ? {} : { reason: body.reason }),
    ...(body.leader_index === undefined ? {} : { leaderIndex: body.leader_index }),
    shards,
  };
}

export interface StartRequest {
  readonly alias: string;
  readonly leaderIndex: string;
  readonly followerIndex: string;
  readonly useRoles?: { readonly leader: string; readonly follower: string };
}

function rolesBody(useRoles: StartRequest["useRoles"]): Record<string, unknown> {
  if (useRoles === undefined) return {};
  return { use_roles: { leader_cluster_role: useRoles.leader, follower_cluster_role: useRoles.follower } };
}

/** Starts following; a follower already replicating this leader index is left as it is. */
export async function startFollowing(target: Cluster, req: StartRequest): Promise<"started" | "already"> {
  const now = await replicationStatus(target, req.followerIndex);
  if (now.status !== "NOT_REPLICATING") return "already";
  const res = await target.request({
    method: "PUT",
    path: `${BASE}/${enc(req.followerIndex)}/_start`,
    body: { leader_alias: req.alias, leader_index: req.leaderIndex, ...rolesBody(req.useRoles) },
    allowStatus: [400, 403, 500],
  });
  if (res.status >= 400)
    throw failure(`Following ${req.leaderIndex} as ${req.followerIndex} failed`, res.body);
  return "started";
}

export async function pauseFollowing(target: Cluster, index: string): Promise<void> {
  const res = await target.request({
    method: "POST",
    path: `${BASE}/${enc(index)}/_pause`,
    body: {},
    allowStatus: [400, 500],
  });
  if (res.status >= 400 && !/already paused/i.test(reasonOf(res.body))) {
    throw failure(`Pausing replication of ${index} failed`, res.body);
  }
}

export async function resumeFollowing(target: Cluster, index: string): Promise<void> {
  const res = await target.request({
    method: "POST",
    path: `${BASE}/${enc(index)}/_resume`,
    body: {},
    allowStatus: [400, 500],
  });
  if (res.status >= 400 && (await replicationStatus(target, index)).status === "PAUSED") {
    throw failure(`Resuming replication of ${index} failed`, res.body);
  }
}

/** Stops following: the follower becomes an ordinary, writable index. Stopped already is fine. */
export async function stopFollowing(target: Cluster, index: string): Promise<"stopped" | "already"> {
  const res = await target.request({
    method: "POST",
    path: `${BASE}/${enc(index)}/_stop`,
    body: {},
    allowStatus: [400, 404, 500],
  });
  if (res.status < 400) return "stopped";
  if (/no replication in progress|no such index|not found/i.test(reasonOf(res.body))) return "already";
  throw failure(`Stopping replication of ${index} failed`, res.body);
}

export async function autoFollowRules(target: Cluster): Promise<string[]> {
  const res = await target.request<{ autofollow_stats?: { name?: string }[] }>({
    method: "GET",
    path: `${BASE}/autofollow_stats`,
    allowStatus: [404],
  });
  if (res.status === 404) return [];
  return (res.body.autofollow_stats ?? []).map((r) => String(r.name));
}

export async function createAutoFollow(
  target: Cluster,
  alias: string,
  name: string,
  pattern: string,
  useRoles?: StartRequest["useRoles"],
): Promise<void> {
  if ((await autoFollowRules(target)).includes(name)) return;
  const res = await target.request({
    method: "POST",
    path: `${BASE}/_autofollow`,
    body: { leader_alias: alias, name, pattern, ...rolesBody(useRoles) },
    allowStatus: [400, 500],
  });
  // Two callers at once (the backfill follows indices side by side) both find no rule; the second is
  // refused ("… cannot be recreated/updated"), and the rule it wanted is there.
  if (res.status >= 400 && !(await autoFollowRules(target)).includes(name)) {
    throw failure(`Creating the auto-follow rule ${name} (${pattern}) failed`, res.body);
  }
}

export async function deleteAutoFollow(target: Cluster, alias: string, name: string): Promise<void> {
  const res = await target.request({
    method: "DELETE",
    path: `${BASE}/_autofollow`,
    body: { leader_alias: alias, name },
    allowStatus: [400, 404, 500],
  });
  if (res.status >= 400 && !/does not exist/i.test(reasonOf(res.body))) {
    throw failure(`Deleting the auto-follow rule ${name} failed`, res.body);
  }
}

/**
 * The global checkpoint per primary shard of an index, read on its own cluster: the leader's on the
 * source, the follower's on the target (CCR keeps the leader's sequence numbers, so they compare; and
 * unlike `_status`, which shows no checkpoints while a follower is paused, this always answers).
 * Empty when the index does not exist.
 */
export async function primaryCheckpoints(cluster: Cluster, index: string): Promise<Map<number, number>> {
  const res = await cluster.request<{
    indices?: Record<
      string,
      {
        shards?: Record<
          string,
          { routing?: { primary?: boolean }; seq_no?: { global_checkpoint?: number } }[]
        >;
      }
    >;
  }>({
    method: "GET",
    path: `/${enc(index)}/_stats/docs`,
    querystring: { level: "shards" },
    allowStatus: [404],
  });
  const shards = res.body.indices?.[index]?.shards ?? {};
  const out = new Map<number, number>();
  for (const [id, copies] of Object.entries(shards)) {
    const primary = copies.find((c) => c.routing?.primary === true);
    out.set(Number(id), primary?.seq_no?.global_checkpoint ?? -1);
  }
  return out;
}
