/**
 * `bluegreen run` from preflight to decommission, as a script runs it, with the gateway as a service
 * and a client writing through it: `--until` stops before a step; without --yes (and no terminal) the
 * run stops before cutover with BG_APPROVAL (exit 4) and status shows the gate; with --yes it cuts over
 * and decommissions, and every write the gateway captured is on the target (source ≡ target).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { MigrationStatus } from "../../src/cli/commands/status.ts";
import { createCluster } from "../../src/cluster/index.ts";
import { bluegreen as runSync, seed } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { dropIndices, gatewayConfig } from "../support/gateway-harness.ts";

const P = `run-${randomBytes(4).toString("hex")}`;
const INDEX = `${P}-orders`;

async function cli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const run = bluegreen(args);
  const code = await exitOf(run);
  return { code, output: run.output() };
}

function json<T>(output: string): T {
  return JSON.parse(output.slice(output.indexOf("{"), output.lastIndexOf("}") + 1)) as T;
}

interface Outcome {
  status: string;
  steps: { id: string; outcome: string }[];
}

describe("bluegreen run with approvals", () => {
  const dir = mkdtempSync(join(tmpdir(), "run-"));
  const file = join(dir, "bluegreen.yaml");
  let config: ReturnType<typeof gatewayConfig>;
  let gateway: ReturnType<typeof bluegreen> | undefined;
  let url = "";
  let written = 0;

  async function write(n: number): Promise<void> {
    for (let i = 0; i < n; i++, written++) {
      const res = await fetch(`${url}/${INDEX}/_doc/w${written}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: `written ${written}`, n: written }),
      });
      assert.equal(res.status, 201, await res.text());
    }
  }

  before(async () => {
    config = gatewayConfig(P, dir, { gateway: "captureInTargetMode: true" });
    appendFileSync(
      file,
      `indices: { include: ['${P}-*'] }\nsync: { method: gateway }\nbackfill: { method: stream }\n`,
    );
    const source = createCluster(config.source);
    await seed(source, INDEX, 200, { shards: 1 });
    await source.close();
  });

  after(async () => {
    gateway?.child.kill("SIGTERM");
    if (gateway !== undefined) await exitOf(gateway);
    const clusters = [createCluster(config.source), createCluster(config.target)];
    await clusters[0]?.request({
      method: "PUT",
      path: `/${P}-*/_settings`,
      body: { "index.blocks.write": null },
      allowStatus: [404],
    });
    await dropIndices(clusters, P);
    await Promise.all(clusters.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("no gateway running: the run stops at sync and says what to start; nothing after it runs", async () => {
    // Synchronously, with logs silenced: stdout is the outcome alone (no gateway runs to block).
    const run = runSync(["run", "-c", file, "--until", "validate", "--json"], dir);
    assert.equal(run.code, 1, run.stderr);
    const outcome = JSON.parse(run.stdout) as {
      status: string;
      steps: { id: string; outcome: string; error?: { code: string; message: string; fix: string } }[];
    };
    assert.equal(outcome.status, "failed");
    const sync = outcome.steps.find((s) => s.id === "sync");
    assert.equal(sync?.error?.code, "BG_SYNC_NOT_READY");
    assert.equal(
      sync?.error?.message,
      "No gateway of this migration is running (none is recorded in the state file) and gateway.listen is not set, so no write is being captured.",
    );
    assert.match(sync?.error?.fix ?? "", new RegExp(`\`bluegreen gateway -c ${file} --replay\``));
    assert.deepEqual(outcome.steps.map((s) => [s.id, s.outcome]).slice(2), [
      ["backfill", "done"],
      ["sync", "failed"],
      ["validate", "not-run"],
      ["cutover", "not-run"],
      ["decommission", "not-run"],
    ]);
  });

  test("with the gateway started, --until validate resumes at sync and stops before validate, exit 0", async () => {
    gateway = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0", "--replay"]);
    await waitForOutput(gateway, /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /);
    url = /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(gateway.output())?.[1] ?? "";
    await write(5);
    const run = await cli(["run", "-c", file, "--until", "validate", "--json"]);
    assert.equal(run.code, 0, run.output);
    const outcome = json<Outcome & { stoppedBefore: string; reason: string }>(run.output);
    assert.equal(outcome.status, "stopped");
    assert.equal(outcome.stoppedBefore, "validate");
    assert.equal(outcome.reason, "until");
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["preflight", "already-done"],
        ["prepare", "already-done"],
        ["backfill", "already-done"],
        ["sync", "done"],
        ["validate", "not-run"],
        ["cutover", "not-run"],
        ["decommission", "not-run"],
      ],
    );
  });

  test("without --yes and without a terminal: validated, then stopped before cutover, exit 4", async () => {
    await write(5);
    const until = await cli(["run", "-c", file, "--until", "cutover"]);
    assert.equal(until.code, 0, until.output);
    assert.match(until.output, /stopped before cutover \(--until cutover\)/);
    const run = await cli(["run", "-c", file]);
    assert.equal(run.code, 4, run.output);
    assert.match(
      run.output,
      /error BG_APPROVAL: The run stopped before cutover, which fences writes, write-blocks the source and switches clients to the target: it needs approval \(no --yes, and no terminal to ask on\)\. Every step before it is done\./,
    );
    assert.match(
      run.output,
      /fix: Run `bluegreen run -c .* --yes` to approve it, or run it on a terminal and answer yes/,
    );
    assert.doesNotMatch(run.output, /\n\s+at /, "no stack trace");
    const status = await cli(["status", "-c", file, "--json"]);
    const parsed = json<MigrationStatus>(status.output);
    assert.equal(parsed.next, "cutover");
    assert.equal(parsed.gate.open, true);
    assert.equal(parsed.gate.lastValidation?.passed, true);
    assert.equal(parsed.cutover.pauseMs, undefined);
    const text = await cli(["status", "-c", file]);
    assert.match(text.output, /gate: open: last validation passed \d+ s ago \(.*; validate\.maxAge 60 min\)/);
    assert.match(text.output, /cutover: not started/);
  });

  test("--yes cuts over and decommissions: source ≡ target, the report written, status shows the pause", async () => {
    await write(5);
    const run = await cli(["run", "-c", file, "--yes", "--json"]);
    assert.equal(run.code, 0, run.output);
    const outcome = json<Outcome>(run.output);
    assert.equal(outcome.status, "completed");
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["preflight", "already-done"],
        ["prepare", "already-done"],
        ["backfill", "already-done"],
        ["sync", "already-done"],
        ["validate", "already-done"],
        ["cutover", "done"],
        ["decommission", "done"],
      ],
    );
    const source = createCluster(config.source);
    const target = createCluster(config.target);
    try {
      const digest = await assertSameContent(source, INDEX, target);
      assert.equal(digest.sourceCount, 200 + written);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
    const status = await cli(["status", "-c", file]);
    assert.match(status.output, /cutover: switched at \S+; write pause \d+\.\d\d s/);
    assert.match(status.output, /decommission: done sync, repositories, remote, readonly/);
    assert.match(status.output, /all steps done/);
    assert.match(status.output, /gateway: running .* mode target/);

    const report = join(dir, `${P}-report.md`);
    assert.ok(existsSync(report) && existsSync(join(dir, `${P}-report.html`)));
    const md = readFileSync(report, "utf8");
    assert.match(md, /- write pause \(fence to switch\): \*\*\d+\.\d\d s\*\*/);
    assert.match(md, /\| cutover \| approved \(--yes\) \|/);
    assert.match(
      md,
      new RegExp(
        `still forwards clients to the target and logs their writes\\. .* with \`kill -TERM ${gateway?.child.pid}\``,
      ),
    );
    assert.match(md, new RegExp(`\\| ${INDEX} \\| ${INDEX} \\| stream \\| 20\\d \\| ${200 + written} \\|`));
  });
});
