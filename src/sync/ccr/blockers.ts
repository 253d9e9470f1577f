/**
 * Every reason cross-cluster replication cannot serve this pair, found before anything follows: the
 * facts of both clusters (plugin, versions, security), the roles CCR runs its tasks as (secure
 * clusters), and whether the target connects to the source's transport address.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Cluster } from "../../cluster/index.ts";
import type { MigrationConfig } from "../../config/index.ts";
import type { StateStore } from "../../state/index.ts";
import {
  bothFacts,
  type CcrFinding,
  ccrConnection,
  ccrFindings,
  publishedTransport,
  securedPair,
} from "./preflight.ts";
import { putRemoteCluster, recordRemoteCluster, remoteConnected } from "./remote.ts";

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

interface AuthInfo {
  user_name?: string;
  roles?: string[];
  principal?: string | null;
}

/**
 * With security on, `_start` runs CCR's tasks as the roles `sync.ccr.useRoles` names, and the plugin
 * refuses a user not mapped to them ("No mapping for User … on roles …"). Checked for users who log in
 * with a password or token; a user authenticated by certificate may be the security admin, who needs
 * no mapping, and authinfo cannot tell, so `_start` has the last word there.
 */
export async function roleFindings(
  config: MigrationConfig,
  source: Cluster,
  target: Cluster,
): Promise<CcrFinding[]> {
  const findings: CcrFinding[] = [];
  const roles = config.sync.ccr.useRoles;
  for (const [side, cluster, role, field] of [
    ["source", source, roles.leader, "leader"],
    ["target", target, roles.follower, "follower"],
  ] as const) {
    const res = await cluster.request<AuthInfo>({
      method: "GET",
      path: "/_plugins/_security/authinfo",
      allowStatus: [401, 403, 404],
    });
    const info = res.body;
    if (res.status >= 400 || (info.principal ?? null) !== null || info.roles?.includes(role) !== false)
      continue;
    const user = info.user_name ?? "(unknown)";
    findings.push({
      check: "roles",
      reason: `the user ${user} is not mapped to the role ${role} on the ${side} (sync.ccr.useRoles.${field}; CCR runs its tasks as it)`,
      fix: `Map it on the ${side}: PUT _plugins/_security/api/rolesmapping/${role} with {"users": ["${user}"]} (keep the mapping's other users), or name a role it holds in sync.ccr.useRoles.${field}.`,
    });
  }
  return findings;
}

/** All findings; the remote cluster is registered (recorded first) only when nothing else blocks. */
export async function ccrBlockers(
  config: MigrationConfig,
  state: StateStore,
  source: Cluster,
  target: Cluster,
): Promise<{ findings: CcrFinding[]; secured: boolean }> {
  const facts = await bothFacts(source, target);
  const secured = securedPair(facts.source) && securedPair(facts.target);
  const findings = ccrFindings(facts.source, facts.target);
  if (findings.length === 0 && secured) findings.push(...(await roleFindings(config, source, target)));
  if (findings.length > 0) return { findings, secured };
  const unreachable = await connectRemote(config, state, source, target);
  return { findings: unreachable === undefined ? [] : [unreachable], secured };
}
