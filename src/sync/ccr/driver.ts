/** Cross-cluster replication as the sync interface: the target (follower) pulls from the source (leader). */
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { StateStore } from "../../state/index.ts";
import type { SyncDriver, SyncLag } from "../types.ts";
import { pauseFollowing, resumeFollowing } from "./api.ts";
import { ccrBlockers } from "./blockers.ts";
import { ccrRecord, follow, followers, stopAll, waitBootstrapped } from "./follow.ts";
import { ccrLag } from "./lag.ts";
import { describeFindings } from "./preflight.ts";
import { remoteClusters, removeRemoteCluster } from "./remote.ts";

export function ccrDriver(config: MigrationConfig, state: StateStore, logger: Logger): SyncDriver {
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  const each = async (work: (follower: string) => Promise<void>) => {
    for (const follower of (await followers(state, source)).values()) await work(follower);
  };
  const lag = (): Promise<SyncLag> => ccrLag(state, source, target);
  return {
    method: "ccr",
    async start(signal) {
      const { findings, secured } = await ccrBlockers(config, state, source, target);
      if (findings.length > 0) {
        throw new BluegreenError(
          "BG_SYNC_CCR_IMPOSSIBLE",
          `Cross-cluster replication cannot serve these clusters: ${describeFindings(findings)}.`,
          { fix: [...new Set(findings.map((f) => f.fix))].join(" ") },
        );
      }
      if (ccrRecord(state)?.stoppedAt !== undefined) {
        return { alias: config.sync.ccr.alias, stoppedAt: ccrRecord(state)?.stoppedAt };
      }
      const indices = selectIndices(await source.indices(), config.indices)
        .filter((i) => i.status === "open")
        .map((i) => i.name);
      const record = await follow(config, state, target, indices, {
        ...(secured ? { useRoles: config.sync.ccr.useRoles } : {}),
        ...(signal === undefined ? {} : { signal }),
        onIndex: (leader, follower, outcome) => logger.info({ leader, follower, outcome }, "ccr: follower"),
      });
      await waitBootstrapped(target, Object.values(record.followed), signal);
      return {
        alias: record.alias,
        followed: Object.keys(record.followed).length,
        autoFollow: Object.values(record.autoFollow),
      };
    },
    lag,
    async pause() {
      await each((f) => pauseFollowing(target, f));
    },
    async resume() {
      await each((f) => resumeFollowing(target, f));
    },
    async drain(timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await lag();
        if (now.lagRecords === 0) return;
        if (Date.now() >= deadline) {
          const behind = (now.indices ?? []).filter((i) => i.operationsBehind > 0);
          throw new BluegreenError(
            "BG_CUTOVER_DRAIN",
            `Cross-cluster replication is still ${now.lagRecords} operation(s) behind after cutover.drainTimeout: ${behind.map((i) => `${i.followerIndex} ${i.operationsBehind} (${i.status})`).join(", ")}.`,
            {
              fix: "Check each follower's status (GET _plugins/_replication/<index>/_status on the target); resume paused ones; run cutover again to go on draining, or bluegreen rollback.",
              retryable: true,
            },
          );
        }
        await delay(500, undefined, signal === undefined ? {} : { signal });
      }
    },
    async stop() {
      return stopAll(state, source, target);
    },
    async cleanUp() {
      const remotes = remoteClusters(state);
      for (const remote of remotes) await removeRemoteCluster(target, remote);
      return { removed: remotes.map((r) => r.alias) };
    },
    async close() {
      await Promise.all([source.close(), target.close()]);
    },
  };
}

/**
 * The backfill's CCR runner: one index followed (the remote connection made first) and bootstrapped
 * by CCR itself, which copies the index's segments; then the backfill records it as copied by CCR.
 */
export async function bootstrapFollower(
  config: MigrationConfig,
  state: StateStore,
  source: Cluster,
  target: Cluster,
  index: string,
  signal?: AbortSignal,
): Promise<string> {
  const { findings, secured } = await ccrBlockers(config, state, source, target);
  if (findings.length > 0) {
    throw new BluegreenError(
      "BG_SYNC_CCR_IMPOSSIBLE",
      `Cross-cluster replication cannot start: ${describeFindings(findings)}.`,
      { fix: [...new Set(findings.map((f) => f.fix))].join(" ") },
    );
  }
  const record = await follow(config, state, target, [index], {
    ...(secured ? { useRoles: config.sync.ccr.useRoles } : {}),
    ...(signal === undefined ? {} : { signal }),
  });
  const follower = record.followed[index] ?? index;
  await waitBootstrapped(target, [follower], signal);
  return follower;
}
