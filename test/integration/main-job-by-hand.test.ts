/**
 * The README's main job run step by step, as a first-time user runs it (issue 12, items 1-3): replay
 * before any backfill says what it waits for (and `--until-caught-up` refuses at once, exit 3); a
 * gateway started with `--listen` on another address than `gateway.listen` is found through the state
 * file by backfill, `gateway mode` and status, and when it cannot be reached the error names it; the
 * step commands record what they did, so `status` and `run` agree with it.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { MigrationStatus } from "../../src/cli/commands/status.ts";
import { createCluster } from "../../src/cluster/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { seed } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, replayReport, waitForOutput } from "../support/gateway-child.ts";
import { dropIndices, gatewayConfig } from "../support/gateway-harness.ts";

const P = `mj-${randomBytes(4).toString("hex")}`;
const INDEX = `${P}-orders`;
const DOCS = 400;

/** A port nothing listens on (taken and released at once). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function cli(args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const run = bluegreen(args);
  const code = await exitOf(run);
  return { code, output: run.output() };
}

describe("the main job by hand", () => {
  const dir = mkdtempSync(join(tmpdir(), "mj-"));
  const file = join(dir, "bluegreen.yaml");
  let config: ReturnType<typeof gatewayConfig>;
  let gateway: ReturnType<typeof bluegreen> | undefined;
  let url = "";
  const stateOf = () => openMigrationState(config);

  before(async () => {
    // gateway.listen names an address where no gateway will ever listen: it must be found elsewhere.
    config = gatewayConfig(P, dir, { listen: `127.0.0.1:${await unusedPort()}` });
    appendFileSync(
      file,
      `indices: { include: ['${P}-*'] }\nsync: { method: gateway }\nbackfill: { method: stream }\n`,
    );
    const source = createCluster(config.source);
    await seed(source, INDEX, DOCS, { shards: 1 });
    await source.close();
  });

  after(async () => {
    gateway?.child.kill("SIGKILL");
    const clusters = [createCluster(config.source), createCluster(config.target)];
    await dropIndices(clusters, P);
    await Promise.all(clusters.map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("replay before any backfill: --until-caught-up exits 3 at once naming the command; following, it says what it waits for", async () => {
    const started = performance.now();
    const held = await cli(["replay", "-c", file, "--until-caught-up"]);
    assert.equal(held.code, 3, held.output);
    assert.match(
      held.output,
      /error BG_REPLAY_HELD: Replay cannot catch up: with sync\.method gateway it applies nothing until a backfill marks the capture log, and no backfill is running\./,
    );
    assert.match(
      held.output,
      new RegExp(`fix: Run \`bluegreen backfill -c ${file.replaceAll(".", "\\.")}\``),
    );
    assert.ok(performance.now() - started < 15_000, "not at once");

    const follow = bluegreen(["replay", "-c", file, "--json"]);
    const waiting = () =>
      follow
        .output()
        .split("\n")
        .filter((l) => l.startsWith('{"event":"waiting"'))
        .map((l) => JSON.parse(l) as { for: string; message: string; waitedSeconds: number });
    const deadline = Date.now() + 30_000;
    while (waiting().length < 2) {
      assert.ok(Date.now() < deadline && follow.child.exitCode === null, follow.output());
      await new Promise((r) => setTimeout(r, 100));
    }
    const [first, second] = waiting();
    assert.equal(first?.for, "backfill-mark");
    assert.match(first?.message ?? "", /no backfill is running; run `bluegreen backfill -c /);
    assert.ok((second?.waitedSeconds ?? 0) >= 4, `the second report came after ${second?.waitedSeconds} s`);
    follow.child.kill("SIGTERM");
    assert.equal(await exitOf(follow), 0, follow.output());
    assert.equal(replayReport<{ applied: number }>(follow).applied, 0);
  });

  test("clusters check, prepare --apply, then the gateway on --listen 127.0.0.1:0, found by backfill and gateway mode", async () => {
    const check = await cli(["clusters", "check", "-c", file]);
    assert.equal(check.code, 0, check.output);
    const prepare = await cli(["prepare", "-c", file, "--apply"]);
    assert.equal(prepare.code, 0, prepare.output);

    gateway = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0", "--replay"]);
    await waitForOutput(gateway, /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /);
    url = /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(gateway.output())?.[1] ?? "";
    const mode = await cli(["gateway", "mode", "-c", file]);
    assert.equal(mode.code, 0, mode.output);
    assert.match(mode.output, /^mode capture \(0 write\(s\) in flight\)/m);

    const write = await fetch(`${url}/${INDEX}/_doc/during`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"title":"written through the gateway"}',
    });
    assert.equal(write.status, 201, await write.text());
    const backfill = await cli(["backfill", "-c", file]);
    assert.equal(backfill.code, 0, backfill.output);
    assert.match(
      backfill.output,
      new RegExp(`plan: ${INDEX} → ${INDEX} by stream \\(backfill\\.method\\): `),
    );
    assert.doesNotMatch(backfill.output, /BG_CAPTURE_LOCKED/);
  });

  test("status knows what the commands did, and shows the gateway, replay and each index", async () => {
    // In-process replay catches up after the backfill lifted its hold.
    const deadline = Date.now() + 60_000;
    let status: MigrationStatus | undefined;
    for (;;) {
      const run = await cli(["status", "-c", file, "--json"]);
      assert.equal(run.code, 0, run.output);
      status = JSON.parse(run.output.slice(run.output.indexOf("{"))) as MigrationStatus;
      if (status.replay.lagRecords === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(status !== undefined);
    assert.deepEqual(
      status.steps.map((s) => [s.id, s.status, (s.summary as { via?: string } | undefined)?.via]),
      [
        ["preflight", "done", "clusters check"],
        ["prepare", "done", "prepare --apply"],
        ["backfill", "done", "backfill"],
        ["sync", "pending", undefined],
        ["validate", "pending", undefined],
        ["cutover", "pending", undefined],
        ["decommission", "pending", undefined],
      ],
    );
    assert.equal(status.next, "sync");
    assert.equal(status.gateway.running, true);
    assert.equal(status.gateway.mode, "capture");
    assert.equal(status.gateway.modeFrom, "gateway");
    assert.equal(status.gateway.process?.pid, gateway?.child.pid);
    assert.equal(status.gateway.process?.url, url);
    assert.equal(status.replay.hold, "none");
    assert.equal(status.replay.lagRecords, 0);
    assert.deepEqual(
      status.backfill.map((b) => [b.index, b.method, b.phase, b.docsDone]),
      [[INDEX, "stream", "done", DOCS + 1]],
    );

    const text = await cli(["status", "-c", file]);
    assert.match(text.output, /next: sync/);
    assert.match(
      text.output,
      new RegExp(`gateway: running \\(pid ${gateway?.child.pid}, ${url}\\), mode capture, log `),
    );
    assert.match(text.output, /replay: 0 record\(s\) behind; position \{"0":\d+\}; not held/);
    assert.match(text.output, /prepare\s+│ done .*by prepare --apply/);

    const run = await cli(["run", "-c", file, "--until", "cutover", "--json"]);
    assert.equal(run.code, 0, run.output);
    const outcome = JSON.parse(run.output.slice(run.output.indexOf("{")));
    assert.deepEqual(
      outcome.steps.map((s: { id: string; outcome: string }) => [s.id, s.outcome]),
      [
        ["preflight", "already-done"],
        ["prepare", "already-done"],
        ["backfill", "already-done"],
        // The steps not done by hand run, and pass: the gateway captures, replay caught up, and the
        // copy plus replay left source ≡ target.
        ["sync", "done"],
        ["validate", "done"],
        ["cutover", "not-run"],
        ["decommission", "not-run"],
      ],
    );
  });

  test("a gateway that owns the log but cannot be reached at its address is named in the error", async () => {
    const state = stateOf();
    const [record] = state.listCheckpoints("gateway").filter((c) => c.key.startsWith("running/"));
    assert.ok(record !== undefined, "the gateway recorded no address");
    const real = record.value as { url: string };
    const unreachable = `http://127.0.0.1:${await unusedPort()}`;
    state.putCheckpoint("gateway", record.key, { ...real, url: unreachable });
    state.close();
    const pid = gateway?.child.pid;
    try {
      const failed = await cli(["backfill", "-c", file]);
      assert.equal(failed.code, 1, failed.output);
      assert.match(
        failed.output,
        new RegExp(
          `error BG_GATEWAY_ADMIN: A gateway \\(pid ${pid}, ${unreachable}\\) owns the capture log .*, but it could not be asked for the log's end \\(The gateway at ${unreachable} cannot be reached: ECONNREFUSED`,
        ),
      );
      assert.match(
        failed.output,
        new RegExp(`fix: Check that the gateway answers at ${unreachable} .*kill ${pid}`),
      );
      // That backfill held replay and stopped: replay says so, and what lifts it.
      const held = await cli(["replay", "-c", file, "--until-caught-up"]);
      assert.equal(held.code, 3, held.output);
      assert.match(
        held.output,
        /error BG_REPLAY_HELD: Replay cannot catch up: it is held by a backfill that stopped before it finished \(pid \d+\)/,
      );
    } finally {
      const restore = stateOf();
      restore.putCheckpoint("gateway", record.key, real);
      restore.close();
    }
    const again = await cli(["backfill", "-c", file]);
    assert.equal(again.code, 0, again.output);
  });

  test("the gateway stops on SIGTERM; status then says it is not running; replay catches up; source ≡ target", async () => {
    gateway?.child.kill("SIGTERM");
    assert.equal(gateway === undefined ? -1 : await exitOf(gateway), 0, gateway?.output());
    const status = await cli(["status", "-c", file]);
    assert.match(status.output, /gateway: not running \(it starts in mode capture\), log /);
    const replay = await cli(["replay", "-c", file, "--until-caught-up"]);
    assert.equal(replay.code, 0, replay.output);
    const source = createCluster(config.source);
    const target = createCluster(config.target);
    try {
      await assertSameContent(source, INDEX, target, INDEX);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });
});
