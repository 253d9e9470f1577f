/**
 * kill -9 inside cutover and rollback (issue 11, faults). A gateway runs as its own process with a
 * following replayer; one client writes through it the whole time; a probe writes straight to the
 * source. Each round SIGKILLs `bluegreen cutover` at a seeded random point, runs it again (it must
 * resume and finish) or, one round in three, rolls back instead; then does the same to `bluegreen
 * rollback`. Checked every round and at the end:
 * (a) the source never accepted a direct write while the gateway was in target mode (the probe), and
 *     the recorded transitions never switch to the target before the block nor lift the block before
 *     the fence;
 * (b) the live cluster holds exactly what the client was answered 2xx for, and nothing answered 503;
 * (c) after the last rollback and forward catch-up, source ≡ target by content digest, with the
 *     source's write blocks back to what they were before.
 *
 * BLUEGREEN_TEST_SEED replays a run's kill points (the seed is printed first); BLUEGREEN_TEST_ROUNDS
 * (default 6: 12 kills) sets how many rounds.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { parseConfig } from "../../src/config/index.ts";
import { cutoverRecord } from "../../src/cutover/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { openMigrationState, type StateStore } from "../../src/state/index.ts";
import { syncLag } from "../../src/validate/index.ts";
import { seed } from "../support/backfill.ts";
import {
  gatewayModeOf,
  ModelWriter,
  SplitBrainProbe,
  seededRandom,
  switchGateway,
} from "../support/cutover-load.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { dropIndices, gatewayConfig } from "../support/gateway-harness.ts";

const P = `ck-${randomBytes(4).toString("hex")}`;
const DATA = [`${P}-a`, `${P}-b`];
const PROBE = `${P}-probe`;
const ROUNDS = Number(process.env.BLUEGREEN_TEST_ROUNDS ?? 6);
const MIN_KILLS = Math.min(10, ROUNDS * 2);
const SEED = Number(process.env.BLUEGREEN_TEST_SEED ?? randomBytes(4).readUInt32LE());
const random = seededRandom(SEED);

/** Where a kill lands: after a part's "done" line (or once the gateway reports `fenced`), plus a delay. */
const CUTOVER_AFTER = ["mode fenced", "gate", "fence", "block", "drain", "finish", "mode target"] as const;
const ROLLBACK_AFTER = ["mode fenced", "fence", "unblock", "reverse"] as const;

const dir = mkdtempSync(join(tmpdir(), "ck-"));
const file = join(dir, "bluegreen.yaml");
gatewayConfig(P, dir, { gateway: "captureInTargetMode: true" });
appendFileSync(
  file,
  `indices: { include: ['${P}-*'] }\nsync: { method: gateway }\nbackfill: { method: stream }\n`,
);
const config = parseConfig(readFileSync(file, "utf8"), { baseDir: dir, env: {} });
const source: Cluster = createCluster(config.source);
const target: Cluster = createCluster(config.target);
let gateway: ReturnType<typeof bluegreen> | undefined;
let url = "";
const t0 = Date.now();

/** Progress on stderr as it happens (diagnostics only show once the test ends). */
function say(message: string): void {
  process.stderr.write(`[cutover-kill +${((Date.now() - t0) / 1000).toFixed(1)}s] ${message}\n`);
}

async function cli(args: readonly string[]): Promise<string> {
  say(`bluegreen ${args.join(" ")}`);
  const run = bluegreen(args);
  const code = await exitOf(run);
  assert.equal(code, 0, `bluegreen ${args.join(" ")} (seed ${SEED}):\n${run.output()}`);
  return run.output();
}

/** Runs `fn` on the migration's state file, opened for just that (the CLI children use it too). */
function withState<T>(fn: (state: StateStore) => T): T {
  const state = openMigrationState(config);
  try {
    return fn(state);
  } finally {
    state.close();
  }
}

async function waitCaughtUp(): Promise<void> {
  const state = openMigrationState(config);
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const lag = await syncLag(config, state, createLogger({ level: "silent" }));
      if (lag?.lagRecords === 0) return;
      assert.ok(Date.now() < deadline, `replay is still ${lag?.lagRecords} record(s) behind (seed ${SEED})`);
      await delay(200);
    }
  } finally {
    state.close();
  }
}

before(async () => {
  for (const index of DATA) await seed(source, index, 100, { shards: 1 });
  await source.request({ method: "PUT", path: `/${PROBE}`, body: { settings: { number_of_replicas: 0 } } });
  await source.request({ method: "PUT", path: `/${PROBE}/_doc/probe`, body: { probe: true } });
  gateway = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0", "--replay"]);
  await waitForOutput(gateway, /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /);
  url = /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(gateway.output())?.[1] ?? "";
  await cli(["backfill", "-c", file]);
  await waitCaughtUp();
  await cli(["validate", "-c", file]);
});

after(async () => {
  gateway?.child.kill("SIGKILL");
  await source.request({
    method: "PUT",
    path: `/${P}-*/_settings`,
    body: { "index.blocks.write": null },
    allowStatus: [404],
  });
  await dropIndices([source, target], P);
  await Promise.all([source.close(), target.close()]);
  rmSync(dir, { recursive: true, force: true });
});

interface Kill {
  readonly after: string;
  readonly delayMs: number;
}

function pickKill(points: readonly string[]): Kill {
  const after = points[Math.floor(random() * points.length)] as string;
  // The gateway's switch is recorded within milliseconds of it: a longer delay would land after.
  return { after, delayMs: Math.floor(random() * (after.startsWith("mode ") ? 20 : 150)) };
}

/** The parts a command had recorded, read from the state file. */
function recordedParts(command: "cutover" | "rollback"): string[] {
  return withState((state) =>
    Object.keys(
      command === "cutover"
        ? cutoverRecord(state)
        : (state.getCheckpoint<Record<string, string>>("rollback", "parts") ?? {}),
    ),
  );
}

/**
 * Starts the command, SIGKILLs it at `kill`, and says where it landed: `inside` when the command had
 * not finished its work (a kill after its last commit, or after it exited, does not count).
 */
async function killInside(
  command: "cutover" | "rollback",
  kill: Kill,
): Promise<{ inside: boolean; where: string }> {
  say(`bluegreen ${command}, to be killed after ${kill.after} +${kill.delayMs} ms`);
  const run = bluegreen([command, "-c", file, "--yes"]);
  if (kill.after.startsWith("mode ")) {
    const mode = kill.after.slice("mode ".length);
    while (run.child.exitCode === null && (await gatewayModeOf(url)) !== mode) await delay(5);
  } else {
    await waitForOutput(run, new RegExp(`^${kill.after}: done$`, "m"), 60_000);
  }
  await delay(kill.delayMs);
  const exited = run.child.exitCode !== null;
  run.child.kill("SIGKILL");
  await exitOf(run);
  const parts = recordedParts(command);
  // A finished rollback clears both records; a finished cutover has every part.
  const done = command === "cutover" ? parts.includes("switch") : recordedParts("cutover").length === 0;
  const at = `${command} kill after ${kill.after} +${kill.delayMs} ms`;
  if (exited) return { inside: false, where: `${at}: it had finished (exit ${run.child.exitCode})` };
  if (done) return { inside: false, where: `${at}: landed after its last commit` };
  return { inside: true, where: `${at}: killed with [${parts.join(", ")}] recorded` };
}

/** The source's write blocks set on indices of the migration (none was set before cutover). */
async function sourceBlocks(): Promise<Record<string, string>> {
  const res = await source.request<Record<string, { settings: Record<string, string> }>>({
    method: "GET",
    path: `/${P}-*/_settings/index.blocks.write`,
    querystring: { flat_settings: true },
  });
  const blocks: Record<string, string> = {};
  for (const [index, s] of Object.entries(res.body)) {
    const value = s.settings["index.blocks.write"];
    if (value !== undefined) blocks[index] = value;
  }
  return blocks;
}

/**
 * (a) from the audit log: the gateway goes to `target` only with the block recorded since the last
 * rollback, and a rollback lifts the block only after fencing the gateway.
 */
function assertTransitionsInOrder(): void {
  withState((state) => {
    let blocked = false;
    let mode = "capture";
    const seen: string[] = [];
    for (const e of state.readEvents({ limit: 100_000 })) {
      if (e.type === "gateway.mode") mode = (e.data as { to: string }).to;
      else if (e.type === "cutover.block") blocked = true;
      else if (e.type === "rollback.unblock") {
        assert.notEqual(mode, "target", `the block was lifted in target mode: ${seen.join(" ")}`);
        blocked = false;
      } else continue;
      seen.push(e.type === "gateway.mode" ? `mode:${mode}` : e.type);
      if (mode === "target") assert.ok(blocked, `target mode without the block: ${seen.join(" ")}`);
    }
  });
}

test("kill -9 inside cutover and rollback under a steady write load: each resumes, nothing lost, never split", async (t) => {
  const note = (m: string) => {
    say(m);
    t.diagnostic(m);
  };
  note(`seed ${SEED} (BLUEGREEN_TEST_SEED=${SEED} replays these kill points), ${ROUNDS} rounds`);
  const writer = new ModelWriter(url, DATA, seededRandom(SEED + 1));
  const probe = new SplitBrainProbe(url, source, PROBE);
  writer.start();
  probe.start();
  let kills = 0;
  let tries = 0;
  try {
    // At least MIN_KILLS must land inside a command; a kill that comes after it finished does not count.
    for (let round = 1; round <= ROUNDS || (kills < MIN_KILLS && round <= 2 * ROUNDS); round++) {
      const context = `seed ${SEED}, round ${round}`;
      const cut = await killInside("cutover", pickKill(CUTOVER_AFTER));
      // After a cutover dies, an operator runs it again or, one round in three here, rolls back.
      const giveUp = cut.inside && random() < 1 / 3;
      note(`round ${round}: ${cut.where}${giveUp ? "; rolled back instead of resumed" : ""}`);
      let back = { inside: false };
      if (giveUp) {
        assert.match(
          await cli(["rollback", "-c", file, "--yes"]),
          /rolled back: |aborted before the switch: /,
        );
      } else {
        assert.match(await cli(["cutover", "-c", file, "--yes"]), /cut over: writes paused/);
        assert.equal(await gatewayModeOf(url), "target", context);
        assert.deepEqual(recordedParts("cutover"), ["gate", "fence", "block", "drain", "finish", "switch"]);
        await writer.quiet(async () => {
          await target.request({ method: "POST", path: `/${P}-*/_refresh` });
          await writer.assertHeldBy(target, "target", `${context}, after cutover`);
        });
        await delay(300);
        const killed = await killInside("rollback", pickKill(ROLLBACK_AFTER));
        back = killed;
        note(`round ${round}: ${killed.where}`);
        // Run again after it finished, rollback finds nothing to do and changes nothing.
        assert.match(
          await cli(["rollback", "-c", file, "--yes"]),
          killed.inside ? /rolled back: / : /nothing to roll back: no cutover is recorded/,
        );
      }
      assert.equal(await gatewayModeOf(url), "capture", context);
      assert.deepEqual(
        await sourceBlocks(),
        {},
        `${context}: rollback restores the source's write blocks to what they were before cutover`,
      );
      await writer.quiet(async () => {
        await source.request({ method: "POST", path: `/${P}-*/_refresh` });
        await writer.assertHeldBy(source, "source", `${context}, after rollback`);
      });
      tries += giveUp ? 1 : 2;
      kills += Number(cut.inside) + Number(back.inside);
      await delay(300);
    }
  } finally {
    await writer.stop();
    await probe.stop();
  }
  await waitCaughtUp();
  for (const [side, cluster] of [
    ["source", source],
    ["target", target],
  ] as const) {
    await cluster.request({ method: "POST", path: `/${P}-*/_refresh` });
    await writer.assertHeldBy(cluster, side, `seed ${SEED}, at the end`);
  }
  for (const index of [...DATA, PROBE]) await assertSameContent(source, index, target);
  assert.deepEqual(probe.violations, [], `seed ${SEED}: the source took a direct write in target mode`);
  assert.ok(probe.targetSamples > 0, "the probe never sampled target mode, so it proved nothing");
  assertTransitionsInOrder();
  note(`${kills} of ${tries} kills landed inside the command`);
  note(
    `${writer.tally.ok} writes acknowledged, ${writer.tally.refused} refused (503), ` +
      `${probe.samples} probes (${probe.targetSamples} in target mode, all refused by the source)`,
  );
});

test("a cutover killed after blocking some indices, before recording it, keeps their earlier values for rollback", async () => {
  // What a run killed inside `block` leaves: gate and fence done, the values from before recorded,
  // one index already blocked.
  const before = Object.fromEntries([...DATA, PROBE].sort().map((i) => [i, null]));
  const at = new Date().toISOString();
  withState((state) => {
    state.putCheckpoint("cutover", "parts", { gate: { at }, fence: { at } });
    state.putCheckpoint("cutover", "blocking", before);
  });
  await switchGateway(url, "fenced");
  await source.request({
    method: "PUT",
    path: `/${DATA[0]}/_settings`,
    body: { "index.blocks.write": true },
  });

  assert.match(
    await cli(["cutover", "-c", file, "--yes"]),
    /gate: already done\nfence: already done\nblock: done/,
  );
  assert.deepEqual(
    withState((state) => cutoverRecord(state).block?.previous),
    before,
  );
  assert.match(await cli(["rollback", "-c", file, "--yes"]), /rolled back: /);
  assert.deepEqual(await sourceBlocks(), {}, "rollback leaves no index write-blocked");
});

test("rollback run again after it finished changes nothing and says so", async () => {
  const modeSwitches = () =>
    withState(
      (state) => state.readEvents({ limit: 100_000 }).filter((e) => e.type === "gateway.mode").length,
    );
  const switches = modeSwitches();
  assert.match(
    await cli(["rollback", "-c", file, "--yes"]),
    /^nothing to roll back: no cutover is recorded and clients write to the source$/m,
  );
  assert.equal(await gatewayModeOf(url), "capture");
  assert.equal(modeSwitches(), switches, "the gateway was not fenced for nothing");
});

test("rollback after a cutover killed between switching the gateway and recording it brings the target's writes back", async () => {
  // What a cutover killed inside `switch` leaves: every part but the switch recorded, the source
  // blocked, and the gateway already in target mode, taking writes.
  const previous = Object.fromEntries([...DATA, PROBE].sort().map((i) => [i, null]));
  const at = new Date().toISOString();
  withState((state) =>
    state.transaction(() => {
      state.putCheckpoint("cutover", "parts", {
        gate: { at },
        fence: { at },
        block: { at, previous },
        drain: { at, counts: {} },
        finish: { at, restored: [] },
      });
      state.appendEvent({ step: "cutover", type: "cutover.fence", data: { at } });
    }),
  );
  for (const index of Object.keys(previous))
    await source.request({
      method: "PUT",
      path: `/${index}/_settings`,
      body: { "index.blocks.write": true },
    });
  for (const mode of ["fenced", "target"]) await switchGateway(url, mode);
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${url}/${DATA[0]}/_doc/switched-${i}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: `{"i":${i}}`,
    });
    assert.equal(res.status, 201, "the target takes writes");
  }
  assert.match(
    await cli(["rollback", "-c", file, "--yes"]),
    /rolled back: 5 target write\(s\) replayed to the source/,
  );
  await assertSameContent(source, DATA[0] as string, target);
  assert.deepEqual(await sourceBlocks(), {});
});
