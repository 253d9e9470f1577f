/** Cross-cluster replication as the sync interface: the target (follower) pulls from the source (leader). */
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { Logger } from "../../log/index.ts";
import type { StateStore } from "../../state/index.ts";
import type { SyncDriver, SyncLag } from "../types.ts";
import { pauseFollowing, resumeFollowing } from "./api.ts";
import { ccrRecord, follow, followers, stopAll, waitBootstrapped } from "./follow.ts";
import { ccrLag } from "./lag.ts";
import {
  bothFacts,
  type CcrFinding,
  ccrConnection,
  ccrFindings,
  describeFindings,
  publishedTransport,
  securedPair,
} from "./preflight.ts";
import {
  putRemoteCluster,
  recordRemoteCluster,
  remoteClusters,
  remoteConnected,
  removeRemoteCluster,
} from "./remote.ts";

const CONNECT_WAIT_MS = 30_000;

/**
 * Registers the source on the target under the configured alias (recorded first) and waits for the
 * connection; undefined when connected, else the finding naming the address that was not reached.
 */
export async function connectRemote(
  config: MigrationConfig,
  state: StateStore,
  source: Cluster,
  target: Cluster,
): Promise<CcrFinding | undefined> {
  const remote = ccrConnection(config, await publishedTransport(source));
  recordRemoteCluster(state, { alias: remote.alias, mode: remote.mode, autoFollowRules: [] });
  await putRemoteCluster(target, remote);
  const deadline = Date.now() + CONNECT_WAIT_MS;
  for (;;) {
    if (await remoteConnected(target, remote.alias)) return undefined;
    if (Date.now() >= deadline) break;
    await delay(500);
  }
  const address =
    remote.mode === "proxy" ? (remote.proxyAddress ?? "(no proxyAddress)") : remote.seeds.join(", ");
  return {
    check: "transport",
    reason: `the target did not connect to the source's transport address ${address} (remote cluster ${remote.alias}) within ${CONNECT_WAIT_MS / 1000} s`,
    fix: "Open the source's transport port to the target's nodes (firewall, security groups), or set sync.ccr.seeds (or mode proxy with proxyAddress) to an address the target can reach.",
  };
}

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
      const facts = await bothFacts(source, target);
      const findings = ccrFindings(facts.source, facts.target);
      const unreachable =
        findings.length > 0 ? undefined : await connectRemote(config, state, source, target);
      if (unreachable !== undefined) findings.push(unreachable);
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
        ...(securedPair(facts.source) ? { useRoles: config.sync.ccr.useRoles } : {}),
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
  const facts = await bothFacts(source, target);
  const unreachable = await connectRemote(config, state, source, target);
  if (unreachable !== undefined) {
    throw new BluegreenError(
      "BG_SYNC_CCR_IMPOSSIBLE",
      `Cross-cluster replication cannot start: ${unreachable.reason}.`,
      {
        fix: unreachable.fix,
      },
    );
  }
  const record = await follow(config, state, target, [index], {
    ...(securedPair(facts.source) ? { useRoles: config.sync.ccr.useRoles } : {}),
    ...(signal === undefined ? {} : { signal }),
  });
  const follower = record.followed[index] ?? index;
  await waitBootstrapped(target, [follower], signal);
  return follower;
}
