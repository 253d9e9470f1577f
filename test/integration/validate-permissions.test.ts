/**
 * Permission probes and shadow reads on a secure pair (2.11 → 2.19, security plugin, TLS): a user
 * with the same read-only role on both sides passes; a role widened on the target is a failure that
 * names the probe and the user; a wrong password is an error naming the user and the variable,
 * never the password. The gateway's shadow reads carry the client's own credentials to the target.
 *
 * Runs on the suite's shared secure pair (test/support/secure-pair.ts).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { type MigrationConfig, parseConfig, Secret } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import type { Gateway } from "../../src/gateway/index.ts";
import type { SandboxStatus } from "../../src/sandbox/index.ts";
import { checkPermissions, PROBE_ID } from "../../src/validate/index.ts";
import { memoryGateway } from "../support/gateway-harness.ts";
import { secureTestPair } from "../support/secure-pair.ts";

const P = `vp-${randomBytes(3).toString("hex")}`;
const INDEX = `${P}-data`;
const PASSWORD = `Rd-${randomBytes(6).toString("hex")}!9`;
const API = "/_plugins/_security/api";

let status: SandboxStatus;
let config: MigrationConfig;
const admins: Cluster[] = [];

function readerRole(actions: readonly string[]) {
  return {
    cluster_permissions: ["cluster_monitor"],
    index_permissions: [{ index_patterns: [INDEX], allowed_actions: actions }],
  };
}

before(async () => {
  status = await secureTestPair();
  const creds = status.credentials;
  assert.ok(creds !== undefined);
  const ca = readFileSync(creds.ca, "utf8");
  const cert = readFileSync(join(dirname(creds.ca), "admin.pem"), "utf8");
  const key = readFileSync(join(dirname(creds.ca), "admin-key.pem"), "utf8");
  config = parseConfig(
    `version: 1
name: ${P}
source: { url: '${status.source.url}', auth: { type: basic, username: admin, passwordEnv: ADMIN_PW }, tls: { ca: CA } }
target: { url: '${status.target.url}', auth: { type: basic, username: admin, passwordEnv: ADMIN_PW }, tls: { ca: CA } }
indices: { include: ['${P}-*'] }
validate:
  probeUsers:
    - { name: reader, username: ${P}-reader, passwordEnv: PROBE_PW }
`,
    { baseDir: "/tmp", env: { ADMIN_PW: creds.password }, readFile: () => ca },
  );
  for (const side of ["source", "target"] as const) {
    const admin = createCluster({
      ...config[side],
      tls: { ...config[side].tls, cert, key: new Secret(key) },
    });
    admins.push(admin);
    await admin.request({ method: "PUT", path: `/${INDEX}`, body: { settings: { number_of_replicas: 0 } } });
    await admin.request({
      method: "PUT",
      path: `/${INDEX}/_doc/1`,
      body: { n: 1 },
      querystring: { refresh: "true" },
    });
    await admin.request({
      method: "PUT",
      path: `/${P}-other`,
      body: { settings: { number_of_replicas: 0 } },
    });
    await admin.request({ method: "PUT", path: `${API}/roles/${P}-reader`, body: readerRole(["read"]) });
    await admin.request({
      method: "PUT",
      path: `${API}/internalusers/${P}-reader`,
      body: { password: PASSWORD },
    });
    await admin.request({
      method: "PUT",
      path: `${API}/rolesmapping/${P}-reader`,
      body: { users: [`${P}-reader`] },
    });
  }
});

after(async () => {
  for (const admin of admins) {
    for (const path of [`rolesmapping/${P}-reader`, `internalusers/${P}-reader`, `roles/${P}-reader`])
      await admin.request({ method: "DELETE", path: `${API}/${path}`, allowStatus: [404] });
    await admin.request({ method: "DELETE", path: `/${P}-*`, allowStatus: [404] });
    await admin.close();
  }
});

const PAIRS = [{ index: INDEX, targetIndex: INDEX }];

describe("permission probes", () => {
  test("the same read-only role on both sides: every probe answers alike, and nothing was written", async () => {
    const [check] = await checkPermissions(config, PAIRS, { PROBE_PW: PASSWORD });
    assert.ok(check !== undefined);
    assert.equal(check.passed, true, check.summary);
    assert.equal(check.user, "reader");
    assert.deepEqual(
      check.probes?.map((p) => `${p.method} ${p.path.split("?")[0]} ${p.source}/${p.target}`),
      [
        "GET /_plugins/_security/authinfo 200/200",
        "GET /_cluster/health 200/200",
        `GET /${INDEX}/_search 200/200`,
        `PUT /${INDEX}/_doc/${PROBE_ID} 403/403`,
      ],
    );
    for (const admin of admins) {
      const got = await admin.request({
        method: "GET",
        path: `/${INDEX}/_doc/${PROBE_ID}`,
        allowStatus: [404],
      });
      assert.equal(got.status, 404);
    }
  });

  test("a role widened on the target: the write probe fails, named with both status codes", async () => {
    const target = admins[1] as Cluster;
    await target.request({
      method: "PUT",
      path: `${API}/roles/${P}-reader`,
      body: readerRole(["read", "write"]),
    });
    try {
      const [check] = await checkPermissions(config, PAIRS, { PROBE_PW: PASSWORD });
      assert.ok(check !== undefined);
      assert.equal(check.passed, false);
      assert.match(
        check.summary,
        new RegExp(
          `^user reader: 1 of 4 probe\\(s\\) differ; PUT /${INDEX}/_doc/${PROBE_ID}\\S* source 403 ≠ target 409 \\(the target allows what the source refuses\\)$`,
        ),
      );
      // The conditional write was allowed, and still wrote nothing.
      const got = await target.request({
        method: "GET",
        path: `/${INDEX}/_doc/${PROBE_ID}`,
        allowStatus: [404],
      });
      assert.equal(got.status, 404);
    } finally {
      await target.request({ method: "PUT", path: `${API}/roles/${P}-reader`, body: readerRole(["read"]) });
    }
  });

  test("a wrong password: an error naming the user and the variable, without the password", async () => {
    const wrong = `${PASSWORD}-wrong`;
    await assert.rejects(checkPermissions(config, PAIRS, { PROBE_PW: wrong }), (error) => {
      assert.ok(isBluegreenError(error, "BG_VALIDATE_PROBE_AUTH"), String(error));
      assert.match(
        error.message,
        /validate\.probeUsers\[0\] \("reader"\) cannot sign in to the source \(401\)/,
      );
      assert.match(error.message, /the password in PROBE_PW is wrong/);
      assert.match(error.fix ?? "", /Set PROBE_PW/);
      const all = `${error.message} ${error.fix} ${JSON.stringify(error.details)}`;
      assert.ok(!all.includes(wrong) && !all.includes(PASSWORD), "a password leaked");
      return true;
    });
  });
});

describe("shadow reads on the secure pair", () => {
  let gateway: Gateway | undefined;
  after(async () => {
    await gateway?.close();
  });

  test("the shadow request carries the client's credentials, never the tool's", async () => {
    const started = await memoryGateway(config, { settings: { shadowReads: 1 } });
    gateway = started.gateway;
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const reader = { authorization: basic(`${P}-reader`, PASSWORD) };
    // The gateway listens on plain http here; it forwards to the clusters over TLS.
    const asks = [
      { path: `/${INDEX}/_doc/1`, headers: reader, status: 200 },
      { path: `/${P}-other/_search`, headers: reader, status: 403 },
      // No credentials at all: were the tool's admin credentials added, the target would answer 200.
      { path: `/${INDEX}/_count`, headers: {}, status: 401 },
    ];
    for (const ask of asks) {
      const res = await fetch(`${started.url}${ask.path}`, { headers: ask.headers });
      await res.arrayBuffer();
      assert.equal(res.status, ask.status, ask.path);
    }
    let w = gateway.shadowWindow();
    for (let i = 0; i < 600 && (w?.compared ?? 0) < asks.length; i++) {
      await delay(50);
      w = gateway.shadowWindow();
    }
    assert.equal(w?.compared, asks.length, JSON.stringify(w));
    assert.equal(w?.matched, asks.length, JSON.stringify(w));
  });
});
