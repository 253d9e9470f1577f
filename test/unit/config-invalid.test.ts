import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { type ErrorCode, isBluegreenError } from "../../src/errors/index.ts";

const FIXTURES = join(import.meta.dirname, "../fixtures/config");

const SOURCE = "source:\n  url: http://127.0.0.1:9200\n";
const TARGET = "target:\n  url: http://127.0.0.1:9201\n";
const HEAD = "version: 1\nname: orders-upgrade\n";

interface Case {
  readonly name: string;
  readonly yaml: string;
  readonly env?: Record<string, string>;
  readonly code: ErrorCode;
  /** Fragments the message must contain: at least the field path and the fix. */
  readonly contains: readonly string[];
  /** Fragments it must not contain (echoed secrets). */
  readonly omits?: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: "unknown key, with a suggestion",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: admin, pasword: x }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.auth (line 5)", 'unknown key "pasword"', 'did you mean "password"?'],
  },
  {
    name: "unknown key, without a close match",
    yaml: `${HEAD}${SOURCE}${TARGET}colour: blue\n`,
    code: "BG_CONFIG_INVALID",
    contains: ['unknown key "colour"', "the keys allowed here are", '"backfill"'],
  },
  {
    name: "wrong type: a string where a list belongs",
    yaml: `${HEAD}${SOURCE}${TARGET}indices:\n  include: "logs-*"\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["indices.include (line 8)", "expected a list, got a string", "write it as a list"],
  },
  {
    name: "wrong type: a number where text belongs",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: 1234, password: x }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.auth.username", "expected text, got a number", "wrap the value in quotes"],
  },
  {
    name: "not an http(s) URL",
    yaml: `${HEAD}${SOURCE}target:\n  url: htp://x\n`,
    code: "BG_CONFIG_INVALID",
    contains: [
      'target.url (line 6): "htp://x" is not an http(s) URL',
      "use http://host:port or https://host:port",
    ],
  },
  {
    name: "credentials inside a URL are refused without being echoed",
    yaml: `${HEAD}${SOURCE}target:\n  url: https://admin:hunter2@os.internal:9200\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["target.url", "has credentials in it", "put them under auth"],
    omits: ["hunter2"],
  },
  {
    name: "missing source",
    yaml: `${HEAD}${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source: is required", "add a `source:` section"],
  },
  {
    name: "cluster without url",
    yaml: `${HEAD}source:\n  requestTimeout: 10s\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source (line 3): has no url", "add `url: http://host:9200`"],
  },
  {
    name: "unset env var in a secret",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth:\n    type: basic\n    username: admin\n    password: \${SOURCE_PASSWORD}\n${TARGET}`,
    code: "BG_SECRET_UNRESOLVED",
    contains: ["source.auth.password (line 8)", "SOURCE_PASSWORD is not set", "export SOURCE_PASSWORD"],
  },
  {
    name: "unset env var in a plain setting",
    yaml: `${HEAD}${SOURCE}target:\n  url: \${TARGET_URL}\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["target.url", "TARGET_URL is not set", "$" + "{TARGET_URL:-default}"],
  },
  {
    name: "passwordEnv naming an unset variable",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: admin, passwordEnv: OPS_PW }\n${TARGET}`,
    code: "BG_SECRET_UNRESOLVED",
    contains: ["source.auth.passwordEnv", "OPS_PW is not set", "export OPS_PW"],
  },
  {
    name: "missing password file",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: admin, passwordFile: ./nope.password }\n${TARGET}`,
    code: "BG_SECRET_UNRESOLVED",
    contains: ["source.auth.passwordFile", "nope.password does not exist", "fix the path"],
  },
  {
    name: "password given two ways",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: admin, password: x, passwordEnv: PW }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.auth.passwordEnv", "is set together with password", "exactly one way"],
  },
  {
    name: "missing CA file",
    yaml: `${HEAD}${SOURCE}target:\n  url: https://os.internal:9200\n  tls: { ca: ./missing-ca.pem }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["target.tls.ca", "missing-ca.pem does not exist", "fix the path"],
  },
  {
    name: "CA file that is not PEM",
    yaml: `${HEAD}${SOURCE}target:\n  url: https://os.internal:9200\n  tls: { ca: ./not-pem.txt }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["target.tls.ca", "holds no PEM data", "point it at a PEM file"],
  },
  {
    name: "same source and target",
    yaml: `${HEAD}${SOURCE}target:\n  url: http://localhost:9200/\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["target.url (line 6)", "same cluster as the source", "give it its own URL"],
  },
  {
    name: "bad duration",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  requestTimeout: 5 minutes\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ['source.requestTimeout (line 5): "5 minutes" is not a duration', '"30s"'],
  },
  {
    name: "unknown backfill method",
    yaml: `${HEAD}${SOURCE}${TARGET}backfill:\n  method: snapshots\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["backfill.method (line 8)", '"snapshots"', 'did you mean "snapshot"?'],
  },
  {
    name: "snapshot backfill without a repository",
    yaml: `${HEAD}${SOURCE}${TARGET}backfill:\n  method: snapshot\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["backfill.repository", "is required for method snapshot", "registered on both clusters"],
  },
  {
    name: "empty include",
    yaml: `${HEAD}${SOURCE}${TARGET}indices:\n  include: []\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["indices.include (line 8)", "nothing would be migrated", "list at least one pattern"],
  },
  {
    name: "comma-separated patterns",
    yaml: `${HEAD}${SOURCE}${TARGET}indices:\n  include: ["logs-*,metrics-*"]\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["indices.include[0]", "several patterns in one string", "its own list entry"],
  },
  {
    name: "dot pattern while hidden indices are off",
    yaml: `${HEAD}${SOURCE}${TARGET}indices:\n  include: [".kibana*"]\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["indices.include[0]", "dot-prefixed", "includeHidden: true"],
  },
  {
    name: "sigv4 over http",
    yaml: `${HEAD}source:\n  url: http://search.example.com\n  auth: { type: sigv4, region: eu-west-1 }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.auth.type", "sigv4 but the cluster URL is plain http", "use the https:// endpoint"],
  },
  {
    name: "auth field of another type",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  auth: { type: basic, username: a, password: b, region: eu-west-1 }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.auth.region", "only applies to type sigv4", "set type: sigv4"],
  },
  {
    name: "tls files on an http URL",
    yaml: `${HEAD}source:\n  url: http://127.0.0.1:9200\n  tls: { ca: ./ca.pem }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.tls", "plain http, so they would be ignored", "use an https:// URL at source.url"],
  },
  {
    name: "client certificate without key",
    yaml: `${HEAD}source:\n  url: https://es.internal:9200\n  tls: { cert: ./client.pem }\n${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["source.tls.key", "required for a client certificate", "set both tls.cert and tls.key"],
  },
  {
    name: "unsupported schema version",
    yaml: `version: 2\nname: orders-upgrade\n${SOURCE}${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["version (line 1)", "not a version this bluegreen reads", "upgrade bluegreen"],
  },
  {
    name: "invalid migration name",
    yaml: `version: 1\nname: Orders Upgrade\n${SOURCE}${TARGET}`,
    code: "BG_CONFIG_INVALID",
    contains: ["name (line 2)", "not a valid migration name", "lowercase letters"],
  },
  {
    name: "empty file",
    yaml: "# nothing yet\n",
    code: "BG_CONFIG_INVALID",
    contains: ["the file is empty", "bluegreen init"],
  },
  {
    name: "YAML syntax error, with its line",
    yaml: `${HEAD}source:\n  url: [http://127.0.0.1:9200\n${TARGET}`,
    code: "BG_CONFIG_PARSE",
    contains: ["is not valid YAML", "line 5, column 1"],
  },
  {
    name: "duplicate key is a YAML error",
    yaml: `${HEAD}${SOURCE}${TARGET}${TARGET}`,
    code: "BG_CONFIG_PARSE",
    contains: ["line 7, column 1", "unique"],
  },
  {
    name: "sync.ccr.mode not a connection mode",
    yaml: `${HEAD}${SOURCE}${TARGET}sync:\n  ccr:\n    mode: bridge\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["sync.ccr.mode (line 9)", '"bridge" is not a known value', 'use one of "sniff", "proxy"'],
  },
  {
    name: "sync.ccr.seeds empty",
    yaml: `${HEAD}${SOURCE}${TARGET}sync:\n  ccr:\n    seeds: []\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["sync.ccr.seeds (line 9)", "needs at least 1 entries"],
  },
  {
    name: "decommission.soak not a duration",
    yaml: `${HEAD}${SOURCE}${TARGET}decommission:\n  soak: forever\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["decommission.soak (line 8)", '"forever" is not a duration', "write a number with a unit"],
  },
  {
    name: "decommission.finalSnapshot without a repository",
    yaml: `${HEAD}${SOURCE}${TARGET}decommission:\n  finalSnapshot: { name: last }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["decommission.finalSnapshot.repository (line 8)", "is required"],
  },
  {
    name: "gateway.shadowReads above 1",
    yaml: `${HEAD}${SOURCE}${TARGET}gateway:\n  shadowReads: 1.5\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["gateway.shadowReads (line 8)", "1.5 is not a number from 0 to 1", "use a fraction"],
  },
  {
    name: "gateway.shadowReads not a number",
    yaml: `${HEAD}${SOURCE}${TARGET}gateway:\n  shadowReads: often\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["gateway.shadowReads (line 8)", '"often" is not a number from 0 to 1'],
  },
  {
    name: "validate.shadowMismatchMax below 0",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  shadowMismatchMax: -0.1\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.shadowMismatchMax (line 8)", "-0.1 is not a number from 0 to 1"],
  },
  {
    name: "probe user without passwordEnv",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - name: reader\n      username: reader\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[0].passwordEnv (line 9)", "is required"],
  },
  {
    name: "probe user with neither username nor usernameEnv",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - name: reader\n      passwordEnv: PW\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[0].usernameEnv", "is required (or username)", "give the user name once"],
  },
  {
    name: "probe user with both username and usernameEnv",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - { name: reader, username: r, usernameEnv: U, passwordEnv: PW }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[0].username (line 9)", "and usernameEnv are both set"],
  },
  {
    name: "probe user with a literal password (credentials come from the environment only)",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - { name: reader, username: r, password: Hunter2-secret, passwordEnv: PW }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[0] (line 9)", 'unknown key "password"', '"passwordEnv"'],
    omits: ["Hunter2-secret"],
  },
  {
    name: "probe path without a leading slash",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - name: reader\n      username: r\n      passwordEnv: PW\n      probes: [{ method: GET, path: logs/_search }]\n`,
    code: "BG_CONFIG_INVALID",
    contains: [
      "validate.probeUsers[0].probes[0].path (line 12)",
      "does not start with /",
      'write "/logs/_search"',
    ],
  },
  {
    name: "probe with an unknown method",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - name: reader\n      username: r\n      passwordEnv: PW\n      probes: [{ method: PATCH, path: /logs }]\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[0].probes[0].method (line 12)", '"PATCH"', '"DELETE"'],
  },
  {
    name: "two probe users with one name",
    yaml: `${HEAD}${SOURCE}${TARGET}validate:\n  probeUsers:\n    - { name: reader, username: r, passwordEnv: PW }\n    - { name: reader, username: s, passwordEnv: PW2 }\n`,
    code: "BG_CONFIG_INVALID",
    contains: ["validate.probeUsers[1].name (line 10)", 'repeats "reader"', "its own name"],
  },
];

function parseFailure(yaml: string, env: Record<string, string> = {}) {
  try {
    parseConfig(yaml, { baseDir: FIXTURES, env, configPath: "/etc/bluegreen.yaml" });
  } catch (error) {
    return error;
  }
  assert.fail("expected the config to be rejected");
}

describe("invalid configs", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const error = parseFailure(c.yaml, c.env);
      assert.ok(isBluegreenError(error), `not a BluegreenError: ${String(error)}`);
      assert.equal(error.code, c.code, error.message);
      for (const fragment of c.contains)
        assert.ok(error.message.includes(fragment), `missing ${fragment}:\n${error.message}`);
      for (const fragment of c.omits ?? [])
        assert.ok(!error.message.includes(fragment), `leaked ${fragment}`);
      assert.ok(error.message.includes("/etc/bluegreen.yaml"), "message names the file");
      assert.ok(error.fix !== undefined && error.fix.length > 0);
      // No raw zod wording ever reaches the operator.
      assert.doesNotMatch(
        error.message,
        /Invalid input|Unrecognized key|received|ZodError|\bat \S+:\d+:\d+\)/,
      );
      assert.equal(error.cause, undefined);
    });
  }

  it("has at least 12 cases", () => {
    assert.ok(CASES.length >= 12);
  });

  it("lists every problem at once, in file order, with structured details", () => {
    const yaml = `version: 1\nname: orders-upgrade\nsource:\n  url: htp://x\n  requestTimeout: soon\ntarget:\n  url: http://127.0.0.1:9201\n  retry: { maxAttempts: 0 }\nbackfill: { method: copy, batchsize: 5 }\n`;
    const error = parseFailure(yaml);
    assert.ok(isBluegreenError(error, "BG_CONFIG_INVALID"));
    assert.match(error.message, /has 5 problems/);
    const order = [
      "source.url",
      "source.requestTimeout",
      "target.retry.maxAttempts",
      "backfill.method",
      "backfill (line 9)",
    ];
    const positions = order.map((fragment) => error.message.indexOf(fragment));
    assert.ok(
      positions.every((p) => p >= 0),
      error.message,
    );
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
    );
    const problems = error.details.problems as { path: string; line: number; fix: string }[];
    assert.equal(problems.length, 5);
    assert.deepEqual(problems[0], {
      path: "source.url",
      line: 4,
      problem: '"htp://x" is not an http(s) URL',
      fix: "use http://host:port or https://host:port",
    });
  });

  it("reports schema problems and env problems together, without knock-on noise", () => {
    const yaml = `${HEAD}source:\n  url: \${SRC}\n${TARGET}backfill: { batchSize: lots }\n`;
    const error = parseFailure(yaml);
    assert.ok(isBluegreenError(error, "BG_CONFIG_INVALID"));
    assert.match(error.message, /has 2 problems/);
    assert.match(error.message, /SRC is not set/);
    assert.doesNotMatch(error.message, /source.url[^\n]*not an http/);
  });

  it("rejects a malformed reference", () => {
    const error = parseFailure(`${HEAD}${SOURCE}target:\n  url: "http://\${HOST"\n`);
    assert.ok(isBluegreenError(error, "BG_CONFIG_INVALID"));
    assert.match(error.message, /target\.url.*is never closed/);
  });
});

describe("YAML errors", () => {
  it("do not echo a literal password from the broken line", () => {
    const error = parseFailure(
      `${HEAD}source:\n  url: http://a:9200\n  auth: { type: basic, username: u, password: "hunter2 }\n${TARGET}`,
    );
    assert.ok(isBluegreenError(error, "BG_CONFIG_PARSE"));
    assert.ok(!error.message.includes("hunter2"), error.message);
    assert.ok(!JSON.stringify(error).includes("hunter2"));
  });
});

describe("YAML errors about a stray token", () => {
  it("show the line once, as an excerpt, but do not copy the token into structured details", () => {
    const error = parseFailure(`${HEAD}${SOURCE}${TARGET}  } s3cr3t-token\n`);
    assert.ok(isBluegreenError(error, "BG_CONFIG_PARSE"));
    assert.match(
      error.message,
      /line 7, column 3: Unexpected flow-map-end token in YAML stream\n {6}\} s3cr3t-token\n {6}\^/,
    );
    assert.ok(!JSON.stringify(error.details).includes("s3cr3t"));
  });
});
