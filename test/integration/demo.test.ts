/**
 * `bluegreen demo` end to end on the suite's main pair (attached with --sandbox, so CI starts no third
 * pair): sample data, the gateway and replay in their own process, clients writing through it for the
 * whole run, every step to decommission approved by the demo, then its own proof. The test checks the
 * outcome the demo prints against the clusters themselves, and that it left the shared pair as it found it.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, test } from "node:test";
import { createCluster } from "../../src/cluster/index.ts";
import type { DemoResult } from "../../src/demo/index.ts";
import { bluegreen } from "../support/backfill.ts";
import { bluegreen as child, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { plainClusterConfig, testSandbox } from "../support/sandbox.ts";

type Outcome = Omit<DemoResult, "error"> & { error?: { code: string; message: string; fix?: string } };

describe("bluegreen demo", () => {
  const pair = testSandbox();

  async function assertNoDemoIndices(): Promise<void> {
    for (const url of [pair.source.url, pair.target.url]) {
      const cluster = createCluster(plainClusterConfig("c", url));
      try {
        const res = await cluster.request<unknown[]>({
          method: "GET",
          path: "/_cat/indices/demo-*",
          querystring: { format: "json" },
        });
        assert.deepEqual(res.body, [], url);
      } finally {
        await cluster.close();
      }
    }
  }

  test("a small demo on the running pair: every step done, clients' writes on the target, digests equal, the report kept", async () => {
    const run = bluegreen(["demo", "--sandbox", pair.name, "--docs", "3000", "--json"], tmpdir());
    assert.equal(run.code, 0, `${run.stderr}\n${run.stdout}`);
    const outcome = JSON.parse(run.stdout) as Outcome;
    try {
      assert.equal(outcome.status, "completed");
      assert.deepEqual(
        outcome.steps?.map((s) => [s.id, s.outcome]),
        [
          ["preflight", "done"],
          ["prepare", "done"],
          ["backfill", "done"],
          ["sync", "done"],
          ["validate", "done"],
          ["cutover", "done"],
          ["decommission", "done"],
        ],
      );
      assert.equal(
        outcome.dataset?.reduce((s, i) => s + i.docs, 0),
        3000,
      );
      const writes = outcome.writes;
      assert.ok(writes !== undefined && writes.ok > 0, JSON.stringify(writes));
      assert.equal(writes.failed, 0, `${writes.firstFailure}\n${run.stderr}`);
      assert.equal(writes.sent, writes.ok + writes.unavailable);
      assert.ok((outcome.writePauseMs ?? -1) >= 0);
      assert.equal(outcome.validation?.passed, true);
      const proof = outcome.proof;
      assert.ok(proof !== undefined);
      assert.equal(proof.equal, true, JSON.stringify(proof.indices));
      assert.equal(proof.acceptedOnTarget, true, JSON.stringify(proof.acceptedMissing));
      assert.equal(proof.refusedAbsent, true, JSON.stringify(proof.refusedFound));
      assert.deepEqual(
        proof.indices.map((i) => i.index),
        [
          "demo-customers",
          "demo-orders",
          "demo-events-2024.01",
          "demo-events-2024.02",
          "demo-events-2024.03",
        ],
      );
      // Every sample document was on the source before the run; orders clients wrote are on top.
      const orders = proof.indices.find((i) => i.index === "demo-orders");
      assert.equal(orders?.targetDocs, 900 + writes.ok);
      assert.match(
        run.stderr,
        /▶ cutover\n(.*\n)*.*cutover switch: clients now write to the target; write pause/,
      );

      // The demo cleaned up: the report is all that is left of its work folder, the pair holds no demo index.
      assert.ok(outcome.report !== undefined);
      assert.match(readFileSync(outcome.report.markdown, "utf8"), /write pause \(fence to switch\)/);
      assert.ok(existsSync(outcome.report.html));
      assert.equal(existsSync(outcome.configFile ?? "missing"), false);
      await assertNoDemoIndices();
    } finally {
      rmSync(outcome.workDir, { recursive: true, force: true });
    }
  });

  test("Ctrl-C in the middle of the run: the gateway stops, the demo's indices and work folder go, exit 1", async () => {
    const run = child(["demo", "--sandbox", pair.name, "--docs", "3000", "--json"]);
    await waitForOutput(run, /▶ validate\n/, 300_000);
    const gatewayPid = Number(/gateway listening on \S+ \(pid (\d+)\)/.exec(run.output())?.[1]);
    run.child.kill("SIGINT");
    assert.equal(await exitOf(run), 1, run.output());
    const text = run.output();
    const outcome = JSON.parse(
      text.slice(text.indexOf('{\n  "status"'), text.lastIndexOf("}") + 1),
    ) as Outcome;
    assert.equal(outcome.status, "cancelled");
    assert.equal(outcome.error, undefined);
    assert.deepEqual(
      outcome.steps?.slice(4).map((s) => [s.id, s.outcome]),
      [
        ["validate", "cancelled"],
        ["cutover", "not-run"],
        ["decommission", "not-run"],
      ],
    );
    assert.throws(() => process.kill(gatewayPid, 0), /ESRCH/, "the gateway is not left running");
    assert.equal(existsSync(outcome.workDir), false);
    await assertNoDemoIndices();
  });

  test("bad input: the message names the flag, exit code 2 (1 for a sandbox that is not there)", () => {
    const cases: [string[], number, RegExp][] = [
      [
        ["--docs", "0"],
        2,
        /option '--docs <n>' argument '0' is invalid\. "0" is not a document count: use a whole number from 10 to 10000000\./,
      ],
      [["--docs", "many"], 2, /"many" is not a document count/],
      [
        ["--sandbox", pair.name, "--port-base", "9300"],
        2,
        /error BG_USAGE: --port-base and --sandbox do not go together\.\nfix: --port-base places the demo's own sandbox; an attached one already has its ports\./,
      ],
      [
        ["--sandbox", "no-such-sandbox-here"],
        1,
        /error BG_SANDBOX_NOT_RUNNING: There is no sandbox named "no-such-sandbox-here"\.\nfix: Start it with `bluegreen sandbox up --name no-such-sandbox-here`\./,
      ],
    ];
    for (const [args, code, message] of cases) {
      const run = bluegreen(["demo", ...args], tmpdir());
      assert.equal(run.code, code, `${args.join(" ")}: ${run.stderr}`);
      assert.match(`${run.stderr}${run.stdout}`, message, args.join(" "));
    }
  });
});
