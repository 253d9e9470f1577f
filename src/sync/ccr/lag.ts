/**
 * CCR lag per follower: operations behind (leader vs follower checkpoints per shard) and seconds
 * behind, bounded from the sightings of leader checkpoints kept in the state file (lag-clock.ts).
 */
import type { Cluster } from "../../cluster/index.ts";
import type { StateStore } from "../../state/index.ts";
import type { IndexLag, SyncLag } from "../types.ts";
import { primaryCheckpoints, replicationStatus } from "./api.ts";
import { followers } from "./follow.ts";
import { type ShardBehind, type Sighting, sight, worst } from "./lag-clock.ts";

const STEP = "sync";
const KEY = "ccr-sightings";

/** follower index → shard → sightings. */
type Sightings = Record<string, Record<string, Sighting[]>>;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms / 100) / 10);

async function indexLag(
  source: Cluster,
  target: Cluster,
  leader: string,
  follower: string,
  seen: Record<string, Sighting[]>,
  now: number,
): Promise<{ lag: IndexLag; behind: ShardBehind }> {
  const [status, leaders, followed] = await Promise.all([
    replicationStatus(target, follower),
    primaryCheckpoints(source, leader),
    primaryCheckpoints(target, follower),
  ]);
  const bounds: ShardBehind[] = [];
  const shards = [...leaders].map(([shard, leaderCp]) => {
    const followerCp = followed.get(shard) ?? -1;
    const { history, behind } = sight(seen[shard] ?? [], leaderCp, followerCp, now);
    seen[shard] = history;
    bounds.push(behind);
    return { shard, leader: leaderCp, follower: followerCp };
  });
  const behind = worst(bounds);
  const operationsBehind = shards.reduce((s, x) => s + Math.max(0, x.leader - x.follower), 0);
  return {
    lag: {
      index: leader,
      followerIndex: follower,
      status: status.status,
      operationsBehind,
      secondsBehind: seconds(behind.atMostMs),
      secondsBehindAtLeast: seconds(behind.atLeastMs) ?? 0,
      shards,
    },
    behind,
  };
}

/** Every follower's lag now; the sightings this reading adds are stored for the next one. */
export async function ccrLag(state: StateStore, source: Cluster, target: Cluster): Promise<SyncLag> {
  const now = Date.now();
  const stored = state.getCheckpoint<Sightings>(STEP, KEY) ?? {};
  const next: Sightings = {};
  const indices: IndexLag[] = [];
  const bounds: ShardBehind[] = [];
  for (const [leader, follower] of await followers(state, source)) {
    const seen = { ...(stored[follower] ?? {}) };
    const { lag, behind } = await indexLag(source, target, leader, follower, seen, now);
    next[follower] = seen;
    indices.push(lag);
    bounds.push(behind);
  }
  state.putCheckpoint(STEP, KEY, next);
  const all = worst(bounds);
  return {
    lagRecords: indices.reduce((s, i) => s + i.operationsBehind, 0),
    indices,
    secondsBehind: seconds(all.atMostMs),
    secondsBehindAtLeast: seconds(all.atLeastMs) ?? 0,
  };
}
