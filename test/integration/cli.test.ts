/**
 * The CLI end to end, as a user runs it, against the suite's real sandbox clusters.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { testSandbox } from "../support/sandbox.ts";

const BIN = new URL("../../bin/bluegreen.js", import.meta.url).pathname;
const sandbox = testSandbox();

function bluegreen(args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "silent" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function migration(dir: string, name: string, source: string, target: string, include = "cli-*"): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nsource:\n  url: ${source}\ntarget:\n  url: ${target}\nindices:\n  include: ["${include}"]\n`,
  );
  return file;
}

/** The names are fixed, so a run against long-lived sandboxes starts from and leaves no `cli-*` index. */
async function dropCliIndices(): Promise<void> {
  for (const url of [sandbox.source.url, sandbox.target.url]) {
    await fetch(`${url}/cli-*?expand_wildcards=all`, { method: "DELETE" });
  }
}
before(dropCliIndices);
after(dropCliIndices);

async function seed(index: string, docs: number): Promise<void> {
  const body = Array.from({ length: docs }, (_, i) => `{"index":{"_id":"${i}"}}\n{"n":${i}}\n`).join("");
  const res = await fetch(`${sandbox.source.url}/${index}/_bulk?refresh=true`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
  });
  assert.equal(res.status, 200);
}

test("clusters check shows both clusters side by side, with versions, modules and the selected indices", async () => {
  await seed("cli-check-a", 3);
  const dir = mkdtempSync(join(tmpdir(), "bg-cli-"));
  const file = migration(dir, "check", sandbox.source.url, sandbox.target.url);
  const human = bluegreen(["clusters", "check", "-c", file], dir);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, new RegExp(`opensearch ${sandbox.source.version.replaceAll(".", "\\.")}`));
  assert.match(human.stdout, new RegExp(`opensearch ${sandbox.target.version.replaceAll(".", "\\.")}`));
  assert.match(human.stdout, /cli-check-a/);
  assert.match(human.stdout, /no blockers/);

  const json = bluegreen(["clusters", "check", "-c", file, "--json"], dir);
  assert.equal(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  assert.equal(report.source.facts.versionText, sandbox.source.version);
  assert.equal(report.target.facts.versionText, sandbox.target.version);
  assert.deepEqual(report.blockers, []);
  const index = report.source.indices.find((i: { name: string }) => i.name === "cli-check-a");
  assert.equal(index.docs, 3);
});

test("run --until sync executes preflight, prepare and backfill, records them in state, and status reports it", async () => {
  await seed("cli-run-a", 5);
  const dir = mkdtempSync(join(tmpdir(), "bg-cli-"));
  const file = migration(dir, "runs", sandbox.source.url, sandbox.target.url, "cli-run-*");
  // Sync needs a running gateway; stopping before it on purpose is a success.
  const run = bluegreen(["run", "-c", file, "--until", "sync", "--json"], dir);
  assert.equal(run.code, 0, run.stderr);
  const outcome = JSON.parse(run.stdout);
  assert.equal(outcome.status, "stopped");
  assert.equal(outcome.stoppedBefore, "sync");
  assert.equal(outcome.steps[0].id, "preflight");
  assert.equal(outcome.steps[0].outcome, "done");
  assert.equal(outcome.steps[1].id, "prepare");
  assert.ok(["done", "skipped"].includes(outcome.steps[1].outcome), outcome.steps[1].outcome);

  const again = JSON.parse(bluegreen(["run", "-c", file, "--until", "sync", "--json"], dir).stdout);
  assert.equal(again.steps[0].outcome, "already-done");

  const status = bluegreen(["status", "-c", file, "--json"], dir);
  assert.equal(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout);
  assert.equal(parsed.steps[0].status, "done");
  assert.ok(["done", "skipped"].includes(parsed.steps[1].status));
  assert.equal(parsed.next, "sync");
});

// Bad input: each row names the input, the exit code and what the message must say.
const BAD_INPUT: readonly { name: string; args: (dir: string) => string[]; code: number; stderr: RegExp }[] =
  [
    {
      name: "target older than the source blocks preflight",
      args: (dir) => ["run", "-c", migration(dir, "older", sandbox.target.url, sandbox.source.url)],
      code: 1,
      stderr: /BG_STEP_FAILED|BG_PREFLIGHT_BLOCKED|target-older-than-source/,
    },
    {
      name: "an unreachable cluster blocks clusters check",
      args: (dir) => [
        "clusters",
        "check",
        "-c",
        migration(dir, "down", sandbox.source.url, "http://127.0.0.1:1"),
      ],
      code: 1,
      stderr: /BLOCKER[\s\S]*cluster-unreachable[\s\S]*target[\s\S]*ECONNREFUSED/,
    },
    {
      name: "a missing migration file",
      args: () => ["clusters", "check", "-c", "does-not-exist.yaml"],
      code: 2,
      stderr: /BG_CONFIG_NOT_FOUND: .*does-not-exist\.yaml does not exist[\s\S]*fix: .*bluegreen init/,
    },
    {
      name: "an unknown sandbox version",
      args: () => ["sandbox", "up", "--source", "0.9"],
      code: 2,
      stderr:
        /BG_SANDBOX_VERSION: The sandbox has no version "0\.9"[\s\S]*fix: Use one of: .*2\.19 \(opensearch 2\.19\.4\)/,
    },
    {
      name: "an unknown command",
      args: () => ["migrate-everything"],
      code: 2,
      stderr: /unknown command 'migrate-everything'/,
    },
    {
      name: "a port that is not a number",
      args: () => ["sandbox", "up", "--port-base", "http"],
      code: 2,
      stderr: /"http" is not a port number/,
    },
  ];

for (const row of BAD_INPUT) {
  test(`bad input: ${row.name}`, () => {
    const dir = mkdtempSync(join(tmpdir(), "bg-cli-"));
    const r = bluegreen(row.args(dir), dir);
    assert.equal(r.code, row.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    assert.match(r.stderr + (row.code === 1 ? r.stdout : ""), row.stderr);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace for a user's mistake");
  });
}

test("init writes a commented example that clusters check accepts, and refuses to overwrite", () => {
  const dir = mkdtempSync(join(tmpdir(), "bg-cli-"));
  const first = bluegreen(["init"], dir);
  assert.equal(first.code, 0, first.stderr);
  const second = bluegreen(["init"], dir);
  assert.equal(second.code, 2);
  assert.match(second.stderr, /BG_CONFIG_EXISTS: bluegreen\.yaml already exists[\s\S]*--force/);
});

test("prepare plans, applies, and then reports no changes; a conflicting field type exits 1 and applies nothing", async () => {
  await seed("cli-prep-a", 2);
  const dir = mkdtempSync(join(tmpdir(), "bg-cli-"));
  const file = migration(dir, "prep", sandbox.source.url, sandbox.target.url, "cli-prep-*");
  const planned = bluegreen(["prepare", "-c", file, "--json"], dir);
  assert.equal(planned.code, 0, planned.stderr);
  const items = JSON.parse(planned.stdout).items as { kind: string; name: string; action: string }[];
  assert.deepEqual(
    items.filter((i) => i.kind === "index").map((i) => [i.name, i.action]),
    [["cli-prep-a", "create"]],
  );
  const applied = bluegreen(["prepare", "-c", file, "--apply"], dir);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /applied \d+ change/);
  const again = bluegreen(["prepare", "-c", file], dir);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^no changes: 0 create, 0 update, 0 conflict/);

  // A field typed differently on the target cannot be changed in place.
  await fetch(`${sandbox.source.url}/cli-prep-b`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mappings: { properties: { f: { type: "keyword" } } } }),
  });
  await fetch(`${sandbox.target.url}/cli-prep-b`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ mappings: { properties: { f: { type: "long" } } } }),
  });
  const conflict = bluegreen(["prepare", "-c", file, "--apply"], dir);
  assert.equal(conflict.code, 1);
  assert.match(
    conflict.stderr,
    /error BG_STEP_FAILED: Prepare found 1 conflict[\s\S]*cli-prep-b[\s\S]*fix: .*reindex/,
  );
});
