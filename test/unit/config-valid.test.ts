import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import {
  canonicalConfig,
  exampleConfig,
  loadConfig,
  type MigrationConfig,
  parseConfig,
  parseDuration,
  Secret,
} from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/config");
const EXAMPLES = join(import.meta.dirname, "../../examples");
const FULL = readFileSync(join(FIXTURES, "full.yaml"), "utf8");
const ENV = { TARGET_PASSWORD: "target-password-must-not-leak" };
const SECRETS = [
  "password-from-file-must-not-leak",
  "target-password-must-not-leak",
  "private-key-material-must-not-leak",
];

function parseFull(env: Record<string, string> = ENV): MigrationConfig {
  return parseConfig(FULL, { baseDir: FIXTURES, env, configPath: join(FIXTURES, "full.yaml") });
}

describe("valid configs", () => {
  it("normalizes the full fixture", () => {
    const config = parseFull();
    assert.equal(config.name, "orders-upgrade");
    assert.equal(config.configPath, join(FIXTURES, "full.yaml"));
    assert.deepEqual(config.source.urls, ["https://es-1.internal:9200", "https://es-2.internal:9200"]);
    assert.equal(config.source.name, "blue");
    assert.equal(config.source.requestTimeoutMs, 45_000);
    assert.deepEqual(config.source.retry, { maxAttempts: 7, initialDelayMs: 100, maxDelayMs: 60_000 });
    assert.equal(config.source.tls.servername, "es.internal");
    assert.match(config.source.tls.ca ?? "", /BEGIN CERTIFICATE/);
    assert.match(config.source.tls.cert ?? "", /fakeClientCertificate/);
    assert.ok(config.source.tls.key instanceof Secret);
    assert.match(config.source.tls.key.reveal(), /private-key-material/);
    assert.equal(config.source.auth.type, "basic");
    if (config.source.auth.type === "basic") {
      // The file's trailing newline is not part of the password.
      assert.equal(config.source.auth.password.reveal(), "password-from-file-must-not-leak");
    }
    assert.equal(config.target.auth.type, "basic");
    if (config.target.auth.type === "basic") {
      assert.equal(config.target.auth.username, "admin");
      assert.equal(config.target.auth.password.reveal(), ENV.TARGET_PASSWORD);
    }
    assert.deepEqual(config.indices, {
      include: ["orders-*", "customers"],
      exclude: ["orders-tmp-*"],
      includeHidden: false,
    });
    assert.equal(config.state.path, join(FIXTURES, "state/orders.db"));
    const { stream, ...backfill } = config.backfill;
    // Failed documents land next to the state file unless backfill.stream.failedDocsDir says otherwise.
    assert.equal(stream.failedDocsDir, join(FIXTURES, "state"));
    assert.deepEqual(backfill, {
      method: "snapshot",
      repository: "migration-repo",
      batchSize: 500,
      concurrency: 2,
    });
    assert.deepEqual(config.sync, {
      method: "gateway",
      maxLagMs: 10_000,
      ccr: {
        alias: "bluegreen-source",
        mode: "sniff",
        useRoles: {
          leader: "cross_cluster_replication_leader_full_access",
          follower: "cross_cluster_replication_follower_full_access",
        },
      },
    });
    assert.deepEqual(config.validate, {
      mode: "full",
      sampleSize: 200,
      seed: 1,
      countTolerance: 0.001,
      maxAgeMs: 3_600_000,
      settleWaitMs: 60_000,
      shadowMismatchMax: 0.002,
      // The variables are named, not read: only validate needs the credentials.
      probeUsers: [
        { name: "reader", username: { env: "READER_USER" }, passwordEnv: "READER_PASSWORD" },
        {
          name: "writer",
          username: { value: "orders-writer" },
          passwordEnv: "WRITER_PASSWORD",
          probes: [
            { method: "GET", path: "/orders/_search" },
            { method: "PUT", path: "/orders/_doc/x", body: { a: 1 } },
          ],
        },
      ],
    });
    assert.deepEqual(config.cutover, { writeBlockSource: true, drainTimeoutMs: 120_000 });
    assert.deepEqual(config.decommission, { soakMs: 172_800_000, finalSnapshot: { repository: "archive" } });
    assert.match(config.fingerprint, /^[0-9a-f]{64}$/);
  });

  it("fills every default for a minimal file", () => {
    const config = parseConfig(
      "version: 1\nname: tiny\nsource: { url: 'http://a:9200' }\ntarget: { url: 'http://b:9200' }\n",
      { baseDir: "/srv/migrations", env: {} },
    );
    assert.deepEqual(config.source.auth, { type: "none" });
    assert.deepEqual(config.source.tls, { insecure: false });
    assert.equal(config.source.requestTimeoutMs, 30_000);
    assert.deepEqual(config.indices, { include: ["*"], exclude: [], includeHidden: false });
    assert.equal(config.state.path, "/srv/migrations/.bluegreen/tiny.db");
    assert.deepEqual(config.prepare, { templates: true, prune: false, overrides: [], backfillTuning: false });
    assert.equal(config.backfill.method, "auto");
    // Unset, each method takes its own: pages of up to 2,000 (stream), scroll batches of 1,000 (reindex).
    assert.equal(config.backfill.batchSize, undefined);
    assert.equal(config.sync.method, "none");
    assert.equal(config.configPath, undefined);
  });

  it("is deeply frozen", () => {
    const config = parseFull();
    assert.ok(
      Object.isFrozen(config) && Object.isFrozen(config.source.urls) && Object.isFrozen(config.indices),
    );
    assert.throws(() => {
      (config.backfill as { batchSize: number }).batchSize = 1;
    }, TypeError);
  });

  it("substitutes env vars with defaults, and honours the $${ escape", () => {
    const yaml = `version: 1\nname: env\nsource:\n  url: http://\${SRC_HOST:-127.0.0.1}:9200\n  auth: { type: basic, username: u, password: 'p$\${NOT_A_VAR}' }\ntarget:\n  url: http://\${DST_HOST}:9200\nbackfill:\n  batchSize: \${BATCH}\n  concurrency: \${CONC:-4}\n`;
    const config = parseConfig(yaml, { baseDir: "/", env: { DST_HOST: "green", BATCH: "250", CONC: "" } });
    assert.deepEqual(config.source.urls, ["http://127.0.0.1:9200"]);
    assert.deepEqual(config.target.urls, ["http://green:9200"]);
    assert.equal(config.backfill.batchSize, 250);
    assert.equal(config.backfill.concurrency, 4);
    assert.ok(
      config.source.auth.type === "basic" && config.source.auth.password.reveal() === `p\${NOT_A_VAR}`,
    );
  });

  it("accepts an unquoted reference inside a { } mapping, as operators write it", () => {
    const yaml = `version: 1\nname: flow\nsource:\n  url: http://a:9200\n  auth: { type: basic, username: admin, password: \${SOURCE_PASSWORD} }\ntarget: { url: http://b:9200 }\n`;
    const config = parseConfig(yaml, { baseDir: "/", env: { SOURCE_PASSWORD: "p{a}ss, #1" } });
    assert.ok(config.source.auth.type === "basic" && config.source.auth.password.reveal() === "p{a}ss, #1");
  });

  it("accepts inline PEM and sigv4 with explicit keys", () => {
    const yaml = `version: 1\nname: aws\nsource:\n  url: https://search-x.eu-west-1.es.amazonaws.com\n  auth: { type: sigv4, region: eu-west-1, accessKeyId: AKIAEXAMPLE, secretAccessKey: \${AWS_SECRET} }\ntarget:\n  url: https://os.internal:9200\n  tls: { ca: "\${CA_PEM}" }\n`;
    const pem = "-----BEGIN CERTIFICATE-----\nMIIinline\n-----END CERTIFICATE-----\n";
    const config = parseConfig(yaml, { baseDir: "/", env: { AWS_SECRET: "aws-secret-value", CA_PEM: pem } });
    assert.equal(config.target.tls.ca, pem);
    assert.equal(config.source.auth.type, "sigv4");
    if (config.source.auth.type === "sigv4") {
      assert.equal(config.source.auth.service, "es");
      assert.equal(config.source.auth.secretAccessKey?.reveal(), "aws-secret-value");
    }
    assert.ok(!JSON.stringify(config).includes("aws-secret-value"));
  });

  it("parses durations", () => {
    const table: [unknown, number | undefined][] = [
      ["500ms", 500],
      ["30s", 30_000],
      ["1.5s", 1_500],
      ["5m", 300_000],
      ["2h", 7_200_000],
      ["1000", 1_000],
      [250, 250],
      ["5 minutes", undefined],
      ["-1s", undefined],
      [1.5, undefined],
      ["", undefined],
    ];
    for (const [input, expected] of table) assert.equal(parseDuration(input), expected, String(input));
  });
});

describe("secrets never leak", () => {
  const config = parseFull();
  const outputs = {
    "JSON.stringify": JSON.stringify(config),
    "util.inspect": inspect(config, { depth: Number.POSITIVE_INFINITY }),
    "template string": `${config.source.auth.type === "basic" ? config.source.auth.password : ""}`,
    "fingerprint input": canonicalConfig(config),
  };
  for (const [name, text] of Object.entries(outputs)) {
    it(`not through ${name}`, () => {
      for (const secret of SECRETS) assert.ok(!text.includes(secret), `${secret} leaked through ${name}`);
    });
  }

  it("the fingerprint ignores secret values and the file's location, but not settings", () => {
    const base = parseFull();
    const rotated = parseFull({ TARGET_PASSWORD: "rotated" });
    assert.equal(rotated.fingerprint, base.fingerprint);
    const moved = parseConfig(FULL, { baseDir: FIXTURES, env: ENV, configPath: "/elsewhere/x.yaml" });
    assert.equal(moved.fingerprint, base.fingerprint);
    const changed = parseFull({ ...ENV, BATCH_SIZE: "501" });
    assert.notEqual(changed.fingerprint, base.fingerprint);
  });
});

describe("example files", () => {
  it("exampleConfig() parses with an empty environment and round-trips its defaults", () => {
    const config = parseConfig(exampleConfig(), { baseDir: "/work", env: {} });
    const minimal = parseConfig(
      "version: 1\nname: my-upgrade\nsource: { url: 'http://127.0.0.1:9200' }\ntarget: { url: 'http://127.0.0.1:9201' }\n",
      { baseDir: "/work", env: {} },
    );
    // The example spells out every default, so it means exactly what the minimal file means.
    assert.equal(config.fingerprint, minimal.fingerprint);
  });

  it("exampleConfig() documents every key it accepts", () => {
    const example = exampleConfig();
    for (const key of [
      "passwordFile",
      "passwordEnv",
      "sigv4",
      "servername",
      "includeHidden",
      "repository",
      "maxLag",
    ]) {
      assert.ok(example.includes(key), key);
    }
  });

  it("examples/sandbox.yaml loads", async () => {
    const config = await loadConfig(join(EXAMPLES, "sandbox.yaml"), { env: {} });
    assert.deepEqual(config.source.urls, ["http://127.0.0.1:9200"]);
    assert.deepEqual(config.target.urls, ["http://127.0.0.1:9201"]);
    assert.equal(config.state.path, join(EXAMPLES, ".bluegreen/sandbox.db"));
  });

  it("examples/sandbox-secure.yaml loads with the sandbox's variables", async () => {
    const env = { BLUEGREEN_SANDBOX_PASSWORD: "admin-pw", BLUEGREEN_SANDBOX_CA: join(FIXTURES, "ca.pem") };
    const config = await loadConfig(join(EXAMPLES, "sandbox-secure.yaml"), { env });
    assert.deepEqual(config.target.urls, ["https://127.0.0.1:9211"]);
    assert.match(config.source.tls.ca ?? "", /BEGIN CERTIFICATE/);
    assert.ok(config.target.auth.type === "basic" && config.target.auth.password.reveal() === "admin-pw");
  });

  it("examples/sandbox-secure.yaml without the variables names both", async () => {
    const error = await loadConfig(join(EXAMPLES, "sandbox-secure.yaml"), { env: {} }).catch(
      (e: unknown) => e,
    );
    assert.ok(isBluegreenError(error));
    assert.match(error.message, /BLUEGREEN_SANDBOX_PASSWORD is not set/);
    assert.match(error.message, /BLUEGREEN_SANDBOX_CA is not set/);
  });
});

describe("loadConfig", () => {
  it("reports a missing file as BG_CONFIG_NOT_FOUND with a fix", async () => {
    const error = await loadConfig("/nonexistent/bluegreen.yaml").catch((e: unknown) => e);
    assert.ok(isBluegreenError(error, "BG_CONFIG_NOT_FOUND"));
    assert.match(error.message, /\/nonexistent\/bluegreen\.yaml does not exist/);
    assert.match(error.fix ?? "", /bluegreen init/);
  });

  it("resolves relative paths from the file's directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bg-config-"));
    writeFileSync(join(dir, "pw"), "from-file\r\n");
    writeFileSync(
      join(dir, "bluegreen.yaml"),
      "version: 1\nname: rel\nsource:\n  url: http://a:9200\n  auth: { type: basic, username: u, passwordFile: pw }\ntarget: { url: 'http://b:9200' }\n",
    );
    const config = await loadConfig(join(dir, "bluegreen.yaml"), { env: {} });
    assert.ok(config.source.auth.type === "basic" && config.source.auth.password.reveal() === "from-file");
    assert.equal(config.state.path, join(dir, ".bluegreen/rel.db"));
  });
});
