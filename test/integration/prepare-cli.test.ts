/**
 * `bluegreen prepare` as a user runs it against the shared dev pair: the documented `--json` plan
 * schema, the terraform-style text plan, and bad input as a table asserting exit code and message.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { planJsonSchemaText, planOutputSchema } from "../../src/prepare/schema.ts";
import { plainClusterConfig, testSandbox } from "../support/sandbox.ts";

const BIN = new URL("../../bin/bluegreen.js", import.meta.url).pathname;
const SCHEMA = new URL("../../docs/prepare-plan.schema.json", import.meta.url).pathname;
const sandbox = testSandbox();
const P = `pp-cli-${randomBytes(3).toString("hex")}`;
const dir = mkdtempSync(join(tmpdir(), "bg-prepare-cli-"));

let source: Cluster;
let target: Cluster;

function bluegreen(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "silent" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function migration(name: string, sourceUrl: string, targetUrl: string, include: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nsource:\n  url: ${sourceUrl}\n  retry: { maxAttempts: 1 }\ntarget:\n  url: ${targetUrl}\n  retry: { maxAttempts: 1 }\nindices:\n  include: ["${include}"]\n`,
  );
  return file;
}

async function send(cluster: Cluster, method: "PUT" | "DELETE", path: string, body?: unknown) {
  await cluster.request({ method, path, body, allowStatus: method === "DELETE" ? [404] : [] });
}

before(async () => {
  source = createCluster(plainClusterConfig("source", sandbox.source.url));
  target = createCluster(plainClusterConfig("target", sandbox.target.url));
  await send(source, "PUT", `/${P}-map`, { mappings: { properties: { f: { type: "keyword" } } } });
  await send(target, "PUT", `/${P}-map`, { mappings: { properties: { f: { type: "long" } } } });
  await send(source, "PUT", `/${P}-new`, { settings: { number_of_replicas: 0 } });
  // Lives on the newer cluster only: the "target older than source" row points the source there.
  await send(target, "PUT", `/${P}-older`);
});

after(async () => {
  await Promise.all([send(source, "DELETE", `/${P}-*`), send(target, "DELETE", `/${P}-*`)]);
  await Promise.all([source.close(), target.close()]);
});

test("--json plan output validates against the documented schema, which equals the committed file", () => {
  const r = bluegreen([
    "prepare",
    "-c",
    migration("json", sandbox.source.url, sandbox.target.url, `${P}-*`),
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const output = planOutputSchema.parse(JSON.parse(r.stdout));
  assert.equal(output.source.version, sandbox.source.version);
  assert.equal(output.target.version, sandbox.target.version);
  const mine = output.items.filter((i) => i.name.startsWith(P)).map((i) => `${i.action} ${i.kind} ${i.name}`);
  assert.deepEqual(mine, [`conflict index ${P}-map`, `create index ${P}-new`, `extra index ${P}-older`]);
  assert.equal(output.summary.create, output.items.filter((i) => i.action === "create").length);
  assert.equal(readFileSync(SCHEMA, "utf8"), planJsonSchemaText(), "run npm run schema:prepare");
});

test("the text plan is terraform style: a symbol per action, details indented, a summary first", () => {
  const r = bluegreen(["prepare", "-c", migration("text", sandbox.source.url, sandbox.target.url, `${P}-*`)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^plan: \d+ create, \d+ update, 1 conflict/);
  assert.match(r.stdout, new RegExp(`\\n  \\+ index ${P}-new\\n`));
  assert.match(
    r.stdout,
    new RegExp(
      `\\n  ! index ${P}-map \\(conflict\\)\\n      field f: type long on target, keyword on source\\n      => .*reindex`,
    ),
  );
});

// Bad input: each row names the input, the exit code and what the message must say.
const BAD_INPUT: readonly { name: string; args: () => string[]; code: number; stderr: RegExp }[] = [
  {
    name: "an index pattern that matches nothing on the source",
    args: () => [
      "prepare",
      "-c",
      migration("nomatch", sandbox.source.url, sandbox.target.url, `${P}-typo-*`),
    ],
    code: 2,
    stderr: new RegExp(
      `BG_PREPARE_NO_MATCH: The index pattern\\(s\\) "${P}-typo-\\*" match no index or data stream on the source[\\s\\S]*fix: Check indices\\.include`,
    ),
  },
  {
    name: "an unreachable target",
    args: () => ["prepare", "-c", migration("down", sandbox.source.url, "http://127.0.0.1:31299", `${P}-*`)],
    code: 1,
    stderr:
      /BG_CLUSTER_UNREACHABLE: Cannot reach cluster "target" \(.*127\.0\.0\.1:31299.*ECONNREFUSED[\s\S]*fix: /,
  },
  {
    name: "a target older than the source blocks --apply",
    args: () => [
      "prepare",
      "-c",
      migration("older", sandbox.target.url, sandbox.source.url, `${P}-older`),
      "--apply",
    ],
    code: 1,
    stderr: new RegExp(
      `BG_PREPARE_BLOCKED: Prepare found 1 blocker\\(s\\); nothing was applied:\\n- The target \\(opensearch ${sandbox.source.version.replaceAll(".", "\\.")}\\) is older than the source \\(opensearch ${sandbox.target.version.replaceAll(".", "\\.")}\\)[\\s\\S]*fix: Upgrade the target`,
    ),
  },
  {
    name: "a field whose type changed cannot be applied in place",
    args: () => [
      "prepare",
      "-c",
      migration("mapping", sandbox.source.url, sandbox.target.url, `${P}-map`),
      "--apply",
    ],
    code: 1,
    stderr: new RegExp(
      `BG_STEP_FAILED: Prepare found 1 conflict\\(s\\)[\\s\\S]*index ${P}-map: field f: type long on target, keyword on source\\n  => these cannot change on an existing index: create a new index[\\s\\S]*reindex`,
    ),
  },
];

for (const row of BAD_INPUT) {
  test(`bad input: ${row.name}`, () => {
    const r = bluegreen(row.args());
    assert.equal(r.code, row.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stderr, row.stderr);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace for a user's mistake");
  });
}

test("a blocked or conflicting apply changed nothing on the target", async () => {
  const older = await source.request({ method: "HEAD", path: `/${P}-older`, allowStatus: [404] });
  assert.equal(older.status, 404);
  const mapping = await target.request<Record<string, { mappings: unknown }>>({
    method: "GET",
    path: `/${P}-map/_mapping`,
  });
  assert.deepEqual(mapping.body[`${P}-map`]?.mappings, { properties: { f: { type: "long" } } });
});
