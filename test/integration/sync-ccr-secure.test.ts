/**
 * CCR on the suite's secure pair (2.11 → 2.19 with the security plugin, TLS and the CCR plugin),
 * connecting as the admin user by password (so the plugin checks roles as it would for any user).
 * First the refusals: a user not mapped to the roles `sync.ccr.useRoles` names, and security on one
 * side only; then, with the roles mapped as an operator would, the main case of test/support/ccr.ts
 * (`use_roles` on every `_start` and auto-follow rule): writes during set-up and sync, lag to zero,
 * stop, digest-equal. The mappings made here are removed at the end.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import type { SandboxStatus } from "../../src/sandbox/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { resolveSyncMethod } from "../../src/sync/index.ts";
import { assertCcrRefused, ccrConfigFile, ccrMainCase, dropPrefix, silent } from "../support/ccr.ts";
import { testSandbox } from "../support/sandbox.ts";
import { secureTestPair } from "../support/secure-pair.ts";

const P = `ccs-${randomBytes(4).toString("hex")}`;
const ALIAS = `${P.replace(/-/g, "")}leader`;
const PASSWORD_ENV = "BG_TEST_CCR_SECURE_PW";
const ROLES = {
  source: "cross_cluster_replication_leader_full_access",
  target: "cross_cluster_replication_follower_full_access",
} as const;
const dir = mkdtempSync(join(tmpdir(), "bg-ccr-secure-"));
let pair: SandboxStatus;
let secure: { source: string; target: string };
const open: Cluster[] = [];

async function clusterOf(file: string, side: "source" | "target"): Promise<Cluster> {
  const cluster = createCluster((await loadConfig(file))[side], { logger: silent });
  open.push(cluster);
  return cluster;
}

const mapping = (role: string) => `/_plugins/_security/api/rolesmapping/${role}`;

before(async () => {
  pair = await secureTestPair();
  const creds = pair.credentials;
  assert.ok(creds !== undefined, "a secure sandbox reports credentials");
  process.env[PASSWORD_ENV] = creds.password;
  const side = (url: string) =>
    `{ url: "${url}", auth: { type: basic, username: ${creds.username}, passwordEnv: ${PASSWORD_ENV} }, tls: { ca: "${creds.ca}" } }`;
  secure = { source: side(pair.source.url), target: side(pair.target.url) };
});

after(async () => {
  const file = ccrConfigFile(dir, "cleanup", secure, P, ALIAS, "ccr");
  for (const role of ["source", "target"] as const) {
    const cluster = await clusterOf(file, role);
    await cluster.request({ method: "DELETE", path: mapping(ROLES[role]), allowStatus: [404] });
  }
  await dropPrefix(file, P);
  await Promise.all(open.map((c) => c.close()));
});

const REFUSED: [string, () => { source: string; target: string }, string][] = [
  [
    "the user is not mapped to the use_roles roles",
    () => secure,
    `the user admin is not mapped to the role ${ROLES.source} on the source (sync.ccr.useRoles.leader; CCR runs its tasks as it); the user admin is not mapped to the role ${ROLES.target} on the target (sync.ccr.useRoles.follower; CCR runs its tasks as it)`,
  ],
  [
    "security on the target only",
    () => ({ source: `{ url: "${testSandbox().source.url}" }`, target: secure.target }),
    "the security plugin runs on the target only; CCR needs it on both clusters or on neither",
  ],
];

test("secure clusters CCR cannot serve as they are: refused with the reason and the fix", async () => {
  for (const [what, sides, reason] of REFUSED) {
    const file = ccrConfigFile(dir, `refused-${randomBytes(3).toString("hex")}`, sides(), P, ALIAS, "ccr");
    const config = await loadConfig(file);
    const state = openMigrationState(config);
    try {
      const s = await clusterOf(file, "source");
      const t = await clusterOf(file, "target");
      await assertCcrRefused(resolveSyncMethod(config, state, s, t), reason, what);
    } finally {
      state.close();
    }
  }
});

test("CCR 2.11.1 → 2.19.4 with security: set up during writes, lag to zero, stop, digest-equal", async () => {
  const file = ccrConfigFile(dir, "secure", secure, P, ALIAS, "ccr");
  // What an operator does once per cluster (the refusal above names it): map the user to the roles.
  for (const role of ["source", "target"] as const) {
    const cluster = await clusterOf(file, role);
    await cluster.request({ method: "PUT", path: mapping(ROLES[role]), body: { users: ["admin"] } });
  }
  await ccrMainCase(file, dir, P, ALIAS);
});
