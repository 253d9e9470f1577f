/**
 * The secure sandbox end to end: the suite's shared secure pair (the security plugin, TLS from a private CA and
 * a generated admin password), checked through the cluster layer the way a user's config would reach it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createCluster } from "../../src/cluster/index.ts";
import type { ClusterConfig } from "../../src/config/cluster-config.ts";
import { Secret } from "../../src/config/secret.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { type SandboxStatus, sandboxStatus } from "../../src/sandbox/index.ts";
import { SECURE_NAME, secureTestPair } from "../support/secure-pair.ts";

let status: SandboxStatus;
let ca = "";
let scratch = "";

function configFor(url: string, password: string, caPem: string): ClusterConfig {
  return {
    name: "secure",
    urls: [url],
    auth: { type: "basic", username: "admin", password: new Secret(password) },
    tls: { ca: caPem, insecure: false },
    requestTimeoutMs: 30_000,
    // One attempt: the failures below are not transient and retries only slow the test down.
    retry: { maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 100 },
  };
}

function credentials(): { username: string; password: string; ca: string } {
  const creds = status.credentials;
  assert.ok(creds !== undefined, "a secure sandbox reports credentials");
  return creds;
}

before(async () => {
  status = await secureTestPair();
  ca = readFileSync(credentials().ca, "utf8");
  scratch = mkdtempSync(join(tmpdir(), "bluegreen-wrong-ca-"));
});

after(async () => {
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
});

for (const role of ["source", "target"] as const) {
  test(`${role}: GET / over https with the sandbox CA and admin password; security detected`, async () => {
    const cluster = createCluster(configFor(status[role].url, credentials().password, ca));
    try {
      const root = await cluster.request<{ version: { number: string } }>({ method: "GET", path: "/" });
      assert.equal(root.status, 200);
      assert.equal(root.body.version.number, status[role].version);
      const facts = await cluster.facts();
      assert.equal(facts.capabilities.security, true, `modules/plugins: ${facts.modules.join(", ")}`);
    } finally {
      await cluster.close();
    }
  });
}

test("a CA that did not sign the node certificate fails with BG_CLUSTER_TLS", async () => {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "other-key.pem",
      "-out",
      "other-ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=some other CA",
    ],
    { cwd: scratch, stdio: "ignore" },
  );
  const wrongCa = readFileSync(join(scratch, "other-ca.pem"), "utf8");
  const cluster = createCluster(configFor(status.source.url, credentials().password, wrongCa));
  try {
    await assert.rejects(cluster.request({ method: "GET", path: "/" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_TLS"), String(error));
      assert.match(error.message, /certificate verification/);
      return true;
    });
  } finally {
    await cluster.close();
  }
});

test("a wrong password fails with BG_CLUSTER_AUTH", async () => {
  const cluster = createCluster(configFor(status.target.url, `${credentials().password}-wrong`, ca));
  try {
    await assert.rejects(cluster.request({ method: "GET", path: "/" }), (error) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_AUTH"), String(error));
      return true;
    });
  } finally {
    await cluster.close();
  }
});

test("status JSON carries the credentials a config needs", async () => {
  const json = JSON.parse(JSON.stringify(await sandboxStatus(SECURE_NAME))) as Record<string, unknown>;
  assert.equal(json.secure, true);
  const creds = json.credentials as { username: string; password: string; ca: string };
  assert.equal(creds.username, "admin");
  assert.equal(typeof creds.password, "string");
  assert.ok(creds.password.length >= 16, "generated password");
  assert.match(readFileSync(creds.ca, "utf8"), /BEGIN CERTIFICATE/);
  for (const role of ["source", "target"] as const) {
    const node = json[role] as { url: string; healthy: boolean };
    assert.match(node.url, /^https:\/\//);
    assert.equal(node.healthy, true);
  }
});
