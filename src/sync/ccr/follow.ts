/**
 * Setting CCR up on the target and taking it down again at cutover. What was started is recorded
 * (step `sync`, key `ccr`) as it happens, and every call checks the cluster first, so a run killed at
 * any point and run again reaches the same end state.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Cluster } from "../../cluster/index.ts";
import { globToRegExp, type MigrationConfig, selectIndices } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { StateStore } from "../../state/index.ts";
import {
  createAutoFollow,
  deleteAutoFollow,
  replicationStatus,
  startFollowing,
  stopFollowing,
} from "./api.ts";
import { recordRemoteCluster } from "./remote.ts";

const STEP = "sync";
const KEY = "ccr";

export interface CcrRecord {
  readonly alias: string;
  /** leader (source) index → follower (target) index, for every index bluegreen started. */
  readonly followed: Readonly<Record<string, string>>;
  /** rule name → pattern. */
  readonly autoFollow: Readonly<Record<string, string>>;
  /** Followers stopped so far, recorded one by one (a stop killed half-way shows how far it got). */
  readonly stopped?: readonly string[];
  /** Set once every follower is stopped (cutover). */
  readonly stoppedAt?: string;
}

export function ccrRecord(state: StateStore): CcrRecord | undefined {
  return state.getCheckpoint<CcrRecord>(STEP, KEY);
}

function putRecord(state: StateStore, record: CcrRecord): void {
  state.putCheckpoint(STEP, KEY, record);
}

/** The target name: `backfill.rename` applied to the source name, as the backfill would name it. */
export function followerName(config: MigrationConfig, index: string): string {
  const rename = config.backfill.rename;
  return rename === undefined ? index : index.replace(new RegExp(rename.pattern), rename.replacement);
}

/** Auto-follow patterns: configured, else the selection's include patterns that have a wildcard. */
export function autoFollowPatterns(config: MigrationConfig): string[] {
  return [...(config.sync.ccr.autoFollow ?? config.indices.include.filter((p) => /[*?]/.test(p)))];
}

function ruleName(alias: string, pattern: string): string {
  return `bluegreen-${alias}-${pattern.replace(/[^a-zA-Z0-9_-]+/g, "_")}`;
}

/**
 * A follower must not exist before `_start`. A target index that is empty and not following (prepare
 * created it from the source's mappings) is deleted so CCR can create it; one holding documents is
 * never touched: the error says what to do.
 */
async function clearEmptyFollower(target: Cluster, follower: string): Promise<boolean> {
  const res = await target.request<{ count?: number }>({
    method: "GET",
    path: `/${encodeURIComponent(follower)}/_count`,
    allowStatus: [404],
  });
  if (res.status === 404) return false;
  if ((res.body.count ?? 0) > 0) {
    throw new BluegreenError(
      "BG_SYNC_CCR",
      `The target already has ${follower} with ${res.body.count} document(s), not following the source; CCR creates its followers itself.`,
      {
        fix: `Delete ${follower} on the target (it is re-created and filled by CCR), or exclude it from the selection, then run again.`,
      },
    );
  }
  await target.request({ method: "DELETE", path: `/${encodeURIComponent(follower)}`, allowStatus: [404] });
  return true;
}

export interface FollowOptions {
  readonly useRoles?: { readonly leader: string; readonly follower: string };
  readonly signal?: AbortSignal;
  readonly onIndex?: (leader: string, follower: string, outcome: string) => void;
}

/** Starts following each of `indices` (source names) and creates the auto-follow rules. */
export async function follow(
  config: MigrationConfig,
  state: StateStore,
  target: Cluster,
  indices: readonly string[],
  options: FollowOptions = {},
): Promise<CcrRecord> {
  const alias = config.sync.ccr.alias;
  let record: CcrRecord = ccrRecord(state) ?? { alias, followed: {}, autoFollow: {} };
  const patterns = autoFollowPatterns(config);
  const rules = Object.fromEntries(patterns.map((p) => [ruleName(alias, p), p]));
  // Recorded before they exist, so a crash in between still leaves decommission knowing them.
  recordRemoteCluster(state, { alias, mode: config.sync.ccr.mode, autoFollowRules: Object.keys(rules) });
  for (const leader of indices) {
    options.signal?.throwIfAborted();
    const follower = followerName(config, leader);
    const status = await replicationStatus(target, follower);
    let outcome = "already following";
    if (status.status === "NOT_REPLICATING") {
      const cleared = await clearEmptyFollower(target, follower);
      await startFollowing(target, {
        alias,
        leaderIndex: leader,
        followerIndex: follower,
        ...(options.useRoles === undefined ? {} : { useRoles: options.useRoles }),
      });
      outcome = cleared ? "started (the empty index prepare made was replaced)" : "started";
    }
    record = { ...record, followed: { ...record.followed, [leader]: follower } };
    putRecord(state, record);
    options.onIndex?.(leader, follower, outcome);
  }
  for (const [name, pattern] of Object.entries(rules)) {
    await createAutoFollow(target, alias, name, pattern, options.useRoles);
    record = { ...record, autoFollow: { ...record.autoFollow, [name]: pattern } };
    putRecord(state, record);
  }
  return record;
}

/** Waits until no follower bootstraps any more (CCR's own initial copy); a FAILED one is an error. */
export async function waitBootstrapped(
  target: Cluster,
  followers: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  for (;;) {
    const statuses = await Promise.all(followers.map((f) => replicationStatus(target, f)));
    const failed = statuses.find((s) => s.status === "FAILED");
    if (failed !== undefined) {
      throw new BluegreenError(
        "BG_SYNC_CCR",
        `Replication of ${failed.index} failed: ${failed.reason ?? "no reason given"}.`,
        {
          fix: `Look at the target's log, delete ${failed.index} on the target and run again.`,
        },
      );
    }
    if (statuses.every((s) => s.status !== "BOOTSTRAPPING" && s.status !== "NOT_REPLICATING")) return;
    await delay(1_000, undefined, signal === undefined ? {} : { signal });
  }
}

/**
 * Every follower: those bluegreen started plus those an auto-follow rule started (source indices
 * matching a rule's pattern whose target index follows).
 */
export async function followers(state: StateStore, source: Cluster): Promise<Map<string, string>> {
  const record = ccrRecord(state);
  const out = new Map(Object.entries(record?.followed ?? {}));
  const patterns = Object.values(record?.autoFollow ?? {}).map(globToRegExp);
  if (patterns.length > 0) {
    const all = selectIndices(await source.indices(), { include: ["*"], exclude: [], includeHidden: false });
    for (const i of all)
      if (patterns.some((p) => p.test(i.name)) && !out.has(i.name)) out.set(i.name, i.name);
  }
  return out;
}

/** Auto-follow rules first (no new follower appears meanwhile), then every follower. */
export async function stopAll(
  state: StateStore,
  source: Cluster,
  target: Cluster,
): Promise<{ stopped: string[]; already: string[] }> {
  let record = ccrRecord(state);
  if (record === undefined) return { stopped: [], already: [] };
  for (const name of Object.keys(record.autoFollow)) await deleteAutoFollow(target, record.alias, name);
  const stopped: string[] = [];
  const already: string[] = [];
  for (const follower of (await followers(state, source)).values()) {
    ((await stopFollowing(target, follower)) === "stopped" ? stopped : already).push(follower);
    if (!(record.stopped ?? []).includes(follower)) {
      record = { ...record, stopped: [...(record.stopped ?? []), follower] };
      putRecord(state, record);
    }
  }
  putRecord(state, { ...record, stoppedAt: new Date().toISOString() });
  return { stopped, already };
}
