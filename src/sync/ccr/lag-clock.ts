/**
 * Seconds behind for CCR, measured honestly. Neither cluster says how old the operations a follower
 * lacks are: the plugin reports checkpoints (sequence numbers), not times. So bluegreen notes, at every
 * lag reading it makes (status, the sync step, validate, cutover's drain, a metrics scrape), when it
 * saw each leader checkpoint on each shard, on its own clock, and keeps those sightings in the state
 * file. A follower at checkpoint F lacks only operations the leader reached after the last sighting
 * with a checkpoint ≤ F, and at least one it had reached by the first sighting above F, so
 *
 *   behind ≤ now − (last time the leader was seen at ≤ F)   (reported as seconds behind)
 *   behind ≥ now − (first time the leader was seen above F)  (reported as at least)
 *
 * Without a sighting at or below F (the first reading ever) the upper bound is unknown. Both
 * bounds tighten as readings come more often; neither can be wrong by clock skew, since one clock
 * takes every time.
 */

/** One leader checkpoint, seen from `from` until `to` (epoch ms). */
export interface Sighting {
  readonly cp: number;
  readonly from: number;
  readonly to: number;
}

export interface ShardBehind {
  /** Milliseconds; undefined when no sighting is old enough to bound it. */
  readonly atMostMs: number | undefined;
  readonly atLeastMs: number;
}

/** Enough to keep a few minutes of readings every 500 ms while a follower stays behind. */
const MAX_SIGHTINGS = 64;

/**
 * Adds the reading (leader `leader`, follower `follower`, at `now`) to a shard's sightings and bounds
 * how far behind the follower is. Pure: the caller stores the returned sightings.
 */
export function sight(
  history: readonly Sighting[],
  leader: number,
  follower: number,
  now: number,
): { history: Sighting[]; behind: ShardBehind } {
  // A checkpoint going down means a new leader index under the same name: the past says nothing.
  const last = history.at(-1);
  let next = last !== undefined && leader < last.cp ? [] : [...history];
  const top = next.at(-1);
  if (top !== undefined && top.cp === leader) next[next.length - 1] = { ...top, to: now };
  else next.push({ cp: leader, from: now, to: now });
  // Only the latest sighting at or below the follower still matters: the follower never goes back.
  const below = next.filter((s) => s.cp <= follower);
  const above = next.filter((s) => s.cp > follower);
  next = [...below.slice(-1), ...above];
  while (next.length > MAX_SIGHTINGS) next.splice(Math.floor(next.length / 2), 1);
  if (follower >= leader) return { history: next, behind: { atMostMs: 0, atLeastMs: 0 } };
  const bound = below.at(-1);
  const firstAbove = above[0];
  return {
    history: next,
    behind: {
      atMostMs: bound === undefined ? undefined : now - bound.to,
      atLeastMs: firstAbove === undefined ? 0 : now - firstAbove.from,
    },
  };
}

/** The worst of several shards (an index) or indices (the migration). */
export function worst(all: readonly ShardBehind[]): ShardBehind {
  let atMostMs: number | undefined = 0;
  let atLeastMs = 0;
  for (const b of all) {
    atMostMs =
      atMostMs === undefined || b.atMostMs === undefined ? undefined : Math.max(atMostMs, b.atMostMs);
    atLeastMs = Math.max(atLeastMs, b.atLeastMs);
  }
  return { atMostMs, atLeastMs };
}
