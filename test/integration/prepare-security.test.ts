/**
 * Prepare copies the security configuration between two clusters with the security plugin, on the
 * suite's shared secure pair (2.11 → 2.19): internal users with their password hashes, roles, role
 * mappings, action groups and tenants. The proof is a login: the copied user signs in to the target with the
 * password it was given on the source and holds the mapped role there.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { type IndexSelection, parseConfig, Secret } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import {
  apply,
  type Inventory,
  inventory,
  type PlanItem,
  plan,
  prepareStep,
  TUNING_CHECKPOINT,
} from "../../src/prepare/index.ts";
import type { SandboxStatus } from "../../src/sandbox/index.ts";
import { openState } from "../../src/state/index.ts";
import { runWorkflow } from "../../src/workflow/index.ts";
import { secureTestPair } from "../support/secure-pair.ts";

const P = `pp-${randomBytes(3).toString("hex")}`;
const PASSWORD = `Src-${randomBytes(6).toString("hex")}!9`;
const selection: IndexSelection = { include: [`${P}-*`], exclude: [], includeHidden: false };

let status: SandboxStatus;
let ca = "";
let adminCert = "";
let adminKey = "";
const open: Cluster[] = [];

/** The sandbox's admin password; with `withCert`, also the admin certificate (needed to read hashes). */
function connect(url: string, auth: { username: string; password: string }, withCert: boolean): Cluster {
  const config: ClusterConfig = {
    name: url.endsWith("1") ? "target" : "source",
    urls: [url],
    auth: { type: "basic", username: auth.username, password: new Secret(auth.password) },
    tls: withCert
      ? { ca, cert: adminCert, key: new Secret(adminKey), insecure: false }
      : { ca, insecure: false },
    requestTimeoutMs: 30_000,
    retry: { maxAttempts: 2, initialDelayMs: 200, maxDelayMs: 1_000 },
  };
  const cluster = createCluster(config);
  open.push(cluster);
  return cluster;
}

function admin(role: "source" | "target", withCert = true): Cluster {
  const creds = status.credentials;
  assert.ok(creds !== undefined);
  return connect(status[role].url, creds, withCert);
}

const API = "/_plugins/_security/api";

async function put(cluster: Cluster, path: string, body: unknown): Promise<void> {
  await cluster.request({ method: "PUT", path: `${API}/${path}`, body });
}

async function own(source: Cluster, target: Cluster): Promise<{ items: PlanItem[]; src: Inventory }> {
  const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
  return { items: plan(src, tgt).items.filter((i) => i.name.startsWith(P)), src };
}

before(async () => {
  status = await secureTestPair();
  const creds = status.credentials;
  assert.ok(creds !== undefined, "a secure sandbox reports credentials");
  ca = readFileSync(creds.ca, "utf8");
  // The sandbox CA folder also holds the certificate named in plugins.security.authcz.admin_dn.
  adminCert = readFileSync(join(dirname(creds.ca), "admin.pem"), "utf8");
  adminKey = readFileSync(join(dirname(creds.ca), "admin-key.pem"), "utf8");

  const source = admin("source");
  await put(source, `actiongroups/${P}-readers`, {
    allowed_actions: ["indices:data/read/search*", "indices:data/read/get"],
    type: "index",
    description: "search and get",
  });
  await put(source, `tenants/${P}-team`, { description: "the team's dashboards" });
  await put(source, `roles/${P}-reader`, {
    cluster_permissions: ["cluster_composite_ops_ro"],
    index_permissions: [{ index_patterns: [`${P}-*`], allowed_actions: [`${P}-readers`], fls: ["~secret"] }],
    tenant_permissions: [{ tenant_patterns: [`${P}-team`], allowed_actions: ["kibana_all_read"] }],
  });
  await put(source, `internalusers/${P}-alice`, {
    password: PASSWORD,
    backend_roles: [`${P}-analysts`],
    attributes: { team: "search" },
    description: "copied by prepare",
  });
  await put(source, `rolesmapping/${P}-reader`, { users: [`${P}-alice`], backend_roles: [`${P}-analysts`] });
});

after(async () => {
  for (const role of ["source", "target"] as const) {
    const cluster = admin(role);
    for (const path of [
      `rolesmapping/${P}-reader`,
      `internalusers/${P}-alice`,
      `roles/${P}-reader`,
      `tenants/${P}-team`,
      `actiongroups/${P}-readers`,
    ]) {
      await cluster.request({ method: "DELETE", path: `${API}/${path}`, allowStatus: [404] });
    }
  }
  await Promise.all(open.map((c) => c.close()));
});

test("without the admin certificate, users are unsupported with advice; the rest is planned", async () => {
  const { items } = await own(admin("source", false), admin("target", false));
  const user = items.find((i) => i.kind === "internal_user");
  assert.equal(user?.action, "unsupported");
  assert.match(user?.reason ?? "", /admin certificate[\s\S]*source\.tls\.cert/);
  assert.deepEqual(
    items.filter((i) => i.kind !== "internal_user").map((i) => `${i.action} ${i.kind}`),
    ["create action_group", "create tenant", "create role", "create role_mapping"],
  );
});

test("users with hashes, roles, mappings, action groups and tenants are created; the user logs in to the target", async () => {
  const source = admin("source");
  const target = admin("target");
  const { items, src } = await own(source, target);
  assert.deepEqual(
    items.map((i) => `${i.action} ${i.kind} ${i.name}`),
    [
      `create action_group ${P}-readers`,
      `create tenant ${P}-team`,
      `create role ${P}-reader`,
      `create internal_user ${P}-alice`,
      `create role_mapping ${P}-reader`,
    ],
  );
  const result = await apply(target, items, src);
  assert.equal(result.applied.length, 5);
  assert.deepEqual(result.skipped, []);

  // The source password works on the target, and the target maps the copied role.
  const alice = connect(status.target.url, { username: `${P}-alice`, password: PASSWORD }, false);
  const info = await alice.request<{ user_name: string; roles: string[]; backend_roles: string[] }>({
    method: "GET",
    path: "/_plugins/_security/authinfo",
  });
  assert.equal(info.body.user_name, `${P}-alice`);
  assert.ok(info.body.roles.includes(`${P}-reader`), JSON.stringify(info.body.roles));
  assert.deepEqual(info.body.backend_roles, [`${P}-analysts`]);
  const wrong = connect(status.target.url, { username: `${P}-alice`, password: `${PASSWORD}x` }, false);
  await assert.rejects(wrong.request({ method: "GET", path: "/_plugins/_security/authinfo" }));

  const again = await own(source, target);
  assert.deepEqual(
    again.items.filter((i) => i.action !== "identical"),
    [],
    JSON.stringify(again.items, null, 2),
  );
});

test("a password changed on the source is one user update; a target-only role is extra, deleted with prune", async () => {
  const source = admin("source");
  const target = admin("target");
  await put(source, `internalusers/${P}-alice`, {
    password: `${PASSWORD}-2`,
    backend_roles: [`${P}-analysts`],
    attributes: { team: "search" },
    description: "copied by prepare",
  });
  await put(target, `roles/${P}-stale`, { cluster_permissions: ["cluster_monitor"] });
  const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
  const mine = (items: readonly PlanItem[]) =>
    items.filter((i) => i.name.startsWith(P) && i.action !== "identical");
  assert.deepEqual(
    mine(plan(src, tgt).items).map((i) => `${i.action} ${i.kind} ${i.name}`),
    [`extra role ${P}-stale`, `update internal_user ${P}-alice`],
  );
  const pruned = mine(plan(src, tgt, { prune: true }).items);
  await apply(target, pruned, src);
  assert.deepEqual(mine((await own(source, target)).items), []);
  const alice = connect(status.target.url, { username: `${P}-alice`, password: `${PASSWORD}-2` }, false);
  const info = await alice.request({ method: "GET", path: "/_plugins/_security/authinfo" });
  assert.equal(info.status, 200);
});

test("persistent cluster settings that differ are reported, never copied (cluster-wide, so restored after)", async () => {
  const source = admin("source");
  const target = admin("target");
  const setting = { persistent: { "cluster.max_shards_per_node": 1234 } };
  await source.request({ method: "PUT", path: "/_cluster/settings", body: setting });
  try {
    const [src, tgt] = await Promise.all([inventory(source, selection), inventory(target, selection)]);
    const result = plan(src, tgt);
    assert.deepEqual(
      result.clusterSettings.filter((d) => d.key === "cluster.max_shards_per_node"),
      [{ key: "cluster.max_shards_per_node", source: "1234" }],
    );
    await apply(
      target,
      result.items.filter((i) => i.name.startsWith(P)),
      src,
    );
    const after = await target.request<{ persistent: Record<string, unknown> }>({
      method: "GET",
      path: "/_cluster/settings",
      querystring: { flat_settings: true },
    });
    assert.equal(after.body.persistent["cluster.max_shards_per_node"], undefined);
  } finally {
    await source.request({
      method: "PUT",
      path: "/_cluster/settings",
      body: { persistent: { "cluster.max_shards_per_node": null } },
    });
  }
});

test("the workflow step on this pair: a tuned, overridden index; the values to restore survive a forced re-run", async () => {
  const source = admin("source");
  const target = admin("target");
  await source.request({
    method: "PUT",
    path: `/${P}-orders`,
    body: { settings: { number_of_shards: 2, number_of_replicas: 0, refresh_interval: "5s" } },
  });
  const creds = status.credentials;
  assert.ok(creds !== undefined);
  const dir = dirname(creds.ca);
  const tls = `{ ca: '${creds.ca}', cert: '${join(dir, "admin.pem")}', key: '${join(dir, "admin-key.pem")}' }`;
  const auth = "{ type: basic, username: admin, passwordEnv: PP_PW }";
  const yaml = [
    "version: 1",
    `name: ${P}`,
    `source: { url: '${status.source.url}', auth: ${auth}, tls: ${tls} }`,
    `target: { url: '${status.target.url}', auth: ${auth}, tls: ${tls} }`,
    `indices: { include: ['${P}-*'] }`,
    `prepare: { backfillTuning: true, overrides: [{ index: '${P}-orders', shards: 1 }] }`,
  ].join("\n");
  const config = parseConfig(yaml, { baseDir: "/tmp", env: { PP_PW: creds.password } });
  const state = openState(join(mkdtempSync(join(tmpdir(), "pp-step-")), "state.db"), {
    migrationName: P,
    fingerprint: "f",
  });
  const logger = createLogger({ level: "silent" });
  const outcome = await runWorkflow([prepareStep(config)], { state, logger });
  assert.equal(outcome.steps[0]?.outcome, "done", JSON.stringify(outcome.steps[0]));
  assert.deepEqual(state.getCheckpoint("prepare", TUNING_CHECKPOINT), {
    [`${P}-orders`]: { "index.refresh_interval": "5s", "index.number_of_replicas": "0" },
  });
  const settings = await target.request<Record<string, { settings: Record<string, string> }>>({
    method: "GET",
    path: `/${P}-orders/_settings`,
    querystring: { flat_settings: true },
  });
  const copied = settings.body[`${P}-orders`]?.settings ?? {};
  assert.equal(copied["index.number_of_shards"], "1");
  assert.equal(copied["index.refresh_interval"], "-1");
  // A forced re-run clears the step's checkpoints: nothing to apply, and the values to restore survive.
  const again = await runWorkflow([prepareStep(config)], { state, logger, from: "prepare" });
  assert.equal(again.steps[0]?.outcome, "done", JSON.stringify(again.steps[0]));
  const summary = again.steps[0]?.summary as { applied?: number } | undefined;
  assert.equal(summary?.applied, 0);
  assert.deepEqual(state.getCheckpoint("prepare", TUNING_CHECKPOINT), {
    [`${P}-orders`]: { "index.refresh_interval": "5s", "index.number_of_replicas": "0" },
  });
  await Promise.all(
    [source, target].map((c) => c.request({ method: "DELETE", path: `/${P}-orders`, allowStatus: [404] })),
  );
});
