/**
 * Several gateways sharing one Kafka capture log and one mode (docs/gateway.md, "Several gateways"):
 * real gateway processes (each with its own state file, as on its own host), a real Kafka broker and
 * the sandbox pair. A switch made through `bluegreen gateway mode` holds on every gateway before the
 * command returns; a gateway started while fenced comes up fenced; replay of the shared log leaves
 * source ≡ target; a gateway cut off from Kafka refuses writes until it reads the topic again; a
 * killed gateway is left out of the next switch; a lost race and an unconfirmed switch are errors.
 *
 * The broker's port (31720, controller 31721) is this file's alone and sits below Linux's ephemeral
 * range; BLUEGREEN_TEST_KAFKA_KEEP=1 leaves it running for the next run.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openCaptureLog } from "../../src/capture/index.ts";
import { createCluster } from "../../src/cluster/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { sharedModeStatus, switchSharedMode } from "../../src/gateway/index.ts";
import { openControlTopic } from "../../src/gateway/shared/control.ts";
import { encodeControl, memberKey } from "../../src/gateway/shared/view.ts";
import { createLogger } from "../../src/log/index.ts";
import { replay } from "../../src/replay/index.ts";
import { type KafkaBroker, kafkaRestart, kafkaUp } from "../../src/sandbox/index.ts";
import { openState } from "../../src/state/index.ts";
import { openSync } from "../../src/sync/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { ADMIN_TOKEN, dropIndices } from "../support/gateway-harness.ts";
import { eventually, putDoc, SHARED_BROKER, sharedHost, stopSharedBroker } from "../support/shared-mode.ts";

const BROKER = SHARED_BROKER;
const NAME = `mgw-${randomBytes(3).toString("hex")}`;
const P = `gw-shared-${randomBytes(4).toString("hex")}`;
const TOPIC = `${NAME}-log`;
const json = { "content-type": "application/json" };
let broker: KafkaBroker;

before(async () => {
  broker = await kafkaUp(BROKER);
});

after(stopSharedBroker);

const host = (label: string) => sharedHost(NAME, label);

interface Running {
  readonly run: ReturnType<typeof bluegreen>;
  readonly url: string;
  readonly mode: string;
}

async function startGateway(file: string): Promise<Running> {
  const run = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0"]);
  await waitForOutput(run, /gateway listening on \S+ \(mode \w+/, 60_000);
  const match = /gateway listening on (\S+) \(mode (\w+)/.exec(run.output()) as RegExpExecArray;
  return { run, url: match[1] as string, mode: match[2] as string };
}

/** `bluegreen gateway mode [MODE] --json` as a process: its exit code and answer (or error text). */
async function modeCommand(
  file: string,
  mode?: string,
): Promise<{ code: number | null; answer: Record<string, unknown>; output: string }> {
  const run = bluegreen(["gateway", "mode", ...(mode === undefined ? [] : [mode]), "-c", file, "--json"]);
  const code = await exitOf(run);
  const output = run.output();
  const start = output.indexOf("{");
  return {
    code,
    output,
    answer: code === 0 ? (JSON.parse(output.slice(start)) as Record<string, unknown>) : {},
  };
}

const put = (url: string, id: string) => putDoc(url, P, id);

/** The process group of a process (Linux: the 5th field of /proc/PID/stat). */
/** SIGCONT to a process group, repeated until none of its processes has been stopped for half a second. */
async function continueGroup(group: number): Promise<void> {
  let running = 0;
  for (let i = 0; i < 100 && running < 5; i++) {
    process.kill(group, "SIGCONT");
    await sleep(100);
    running = groupStopped(-group) ? 0 : running + 1;
  }
}

function groupStopped(pgid: number): boolean {
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      // After the command: state (0), ppid (1), pgrp (2).
      if (fields[2] === String(pgid) && fields[0] === "T") return true;
    } catch {
      // gone while we looked
    }
  }
  return false;
}

function processGroup(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
}

describe("several gateways sharing one Kafka log and one mode", () => {
  const hosts = [host("a"), host("b"), host("c")] as const;
  const [a, b, c] = hosts;
  const source = createCluster(a.config.source);
  const target = createCluster(a.config.target);
  const running: Running[] = [];
  let ga: Running;
  let gb: Running;

  before(async () => {
    // Both at once, as a fleet starts: neither may trip on the other creating the topics.
    const both = await Promise.allSettled([startGateway(a.file), startGateway(b.file)]);
    for (const g of both) if (g.status === "fulfilled") running.push(g.value);
    for (const g of both) if (g.status === "rejected") throw g.reason;
    [ga, gb] = running as [Running, Running];
  });

  after(async () => {
    // A clean stop (SIGTERM) drains, says goodbye on the control topic and exits 0.
    const live = running.filter((g) => g.run.child.exitCode === null && g.run.child.signalCode === null);
    for (const g of live) g.run.child.kill("SIGTERM");
    assert.deepEqual(
      await Promise.all(live.map((g) => exitOf(g.run))),
      live.map(() => 0),
    );
    const left = await sharedModeStatus(a.config);
    assert.deepEqual(
      left.members.map((m) => m.url),
      [(running[2] as Running).url],
    );
    await dropIndices([source, target], P);
    await Promise.all([source.close(), target.close()]);
    for (const h of hosts) rmSync(h.dir, { recursive: true, force: true });
  });

  test("both gateways capture into the one log; a fence through one holds writes on both", async () => {
    assert.equal(ga.mode, "capture");
    assert.equal(gb.mode, "capture");
    // One client writing through each gateway until the fence stops it; each 2xx must reach the target.
    const accepted: string[] = [];
    const refused: string[] = [];
    const writer = async (g: Running, label: string) => {
      for (let i = 0; ; i++) {
        const res = await put(g.url, `${label}-${i}`);
        if (res.status === 503) {
          refused.push(`${label}-${i}`);
          return;
        }
        assert.equal(res.status, 201);
        accepted.push(`${label}-${i}`);
        if (i === 5) await sleep(50);
      }
    };
    const writers = Promise.all([writer(ga, "a"), writer(gb, "b")]);
    await eventually("both writers got going", async () => accepted.length >= 10);
    const fenced = await modeCommand(a.file, "fenced");
    assert.equal(fenced.code, 0, fenced.output);
    assert.equal(fenced.answer.mode, "fenced");
    assert.equal(fenced.answer.previous, "capture");
    assert.equal((fenced.answer.acknowledged as string[]).length, 2);
    assert.deepEqual(fenced.answer.excluded, []);
    // Held on both before the command returned: the next write to either is refused after the hold.
    for (const g of [ga, gb]) {
      const res = await put(g.url, `after-fence-${randomBytes(2).toString("hex")}`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "1");
    }
    await writers;
    assert.deepEqual(refused.map((id) => id[0]).sort(), ["a", "b"]);
    // Reads are still served while fenced.
    assert.equal((await fetch(`${gb.url}/${P}/_doc/${accepted[0]}`)).status, 200);
    await source.request({ method: "POST", path: `/${P}/_refresh` });
    const onSource = await source.request<{ count: number }>({ method: "GET", path: `/${P}/_count` });
    assert.equal(onSource.body.count, accepted.length);
  });

  test("a gateway started while fenced comes up fenced; one gateway alone cannot be switched", async () => {
    const gc = await startGateway(c.file);
    running.push(gc);
    assert.equal(gc.mode, "fenced");
    assert.equal((await put(gc.url, "c-0")).status, 503);
    const alone = await fetch(`${gb.url}/_bluegreen/mode`, {
      method: "PUT",
      headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ mode: "capture" }),
    });
    assert.equal(alone.status, 409);
    assert.match(await alone.text(), /shares its mode with the others through Kafka topic/);
    const shown = await modeCommand(b.file);
    assert.equal(shown.code, 0, shown.output);
    assert.equal(shown.answer.mode, "fenced");
    assert.equal((shown.answer.members as unknown[]).length, 3);
    // The sync step's check reads the mode from the topic too: no gateway runs on its "host".
    const checkState = openState(join(b.dir, "sync-check.db"), {
      migrationName: b.config.name,
      fingerprint: b.config.fingerprint,
    });
    try {
      const sync = openSync(
        { ...b.config, sync: { ...b.config.sync, method: "gateway" } },
        checkState,
        createLogger({ level: "silent" }),
      );
      await assert.rejects(
        sync?.start() ?? Promise.resolve(),
        (e) =>
          isBluegreenError(e, "BG_SYNC_NOT_READY") &&
          /control topic \S+ \(3 live gateway\(s\)\) is in mode fenced/.test(e.message),
      );
    } finally {
      checkState.close();
    }
    const status = bluegreen(["status", "-c", c.file]);
    assert.equal(await exitOf(status), 0, status.output());
    assert.match(status.output(), /gateway: 3 live gateway\(s\) sharing mode fenced \(epoch 1 on /);
  });

  test("replay of the shared log leaves source ≡ target; a switch to target moves every gateway", async () => {
    const dir = mkdtempSync(join(tmpdir(), `${NAME}-replay-`));
    const state = openState(join(dir, "state.db"), {
      migrationName: a.config.name,
      fingerprint: a.config.fingerprint,
    });
    const log = await openCaptureLog({ kind: "kafka", brokers: broker.brokers, topic: TOPIC });
    try {
      const report = await replay({
        log,
        state,
        source,
        target,
        settings: a.config.replay,
        logger: createLogger({ level: "silent" }),
        untilCaughtUp: true,
        pollMs: 50,
      });
      assert.equal(report.deadLettered, 0);
      await assertSameContent(source, P, target);
    } finally {
      await log.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const moved = await modeCommand(c.file, "target");
    assert.equal(moved.code, 0, moved.output);
    assert.equal((moved.answer.acknowledged as string[]).length, 3);
    for (const g of running) {
      const id = `t-${randomBytes(3).toString("hex")}`;
      assert.equal((await put(g.url, id)).status, 201);
      assert.equal(
        (await target.request({ method: "GET", path: `/${P}/_doc/${id}`, allowStatus: [404] })).status,
        200,
      );
      assert.equal(
        (await source.request({ method: "GET", path: `/${P}/_doc/${id}`, allowStatus: [404] })).status,
        404,
      );
    }
  });

  test("a gateway that cannot read the control topic refuses writes, and recovers when it can", async () => {
    // The broker frozen: every gateway is cut off from Kafka (target mode logs nothing, so only the
    // control topic's lease stands between a client and a write under a possibly stale mode).
    // Its whole process group: runuser, between us and the JVM, stops itself when its child stops
    // and would then never reap it, so it must be continued too.
    const group = -processGroup(broker.pid);
    process.kill(group, "SIGSTOP");
    try {
      await eventually(
        "writes refused while the control topic is unreadable",
        async () => (await put(ga.url, "cut-off")).status === 503,
      );
    } finally {
      // runuser notices its child stopped only after a moment and then stops itself; a SIGCONT sent
      // before that leaves runuser stopped for good, unable to reap the broker (seen in CI, where a
      // later broker restart then waited forever). Continue the group until nothing in it is stopped.
      await continueGroup(group);
    }
    for (const g of running)
      await eventually(
        "the decided mode applied again",
        async () => (await put(g.url, `back-${randomBytes(3).toString("hex")}`)).status === 201,
      );
  });

  test("a broker restart: every gateway refuses writes while it is down, then resumes the decided mode", async () => {
    // Watched while the broker is surely down: a restart can be over before every gateway noticed.
    broker = await kafkaRestart(BROKER, () =>
      Promise.all(
        running.map((g) =>
          eventually(
            "writes refused while the broker is down",
            async () => (await put(g.url, "restart")).status === 503,
          ),
        ),
      ),
    );
    for (const g of running)
      await eventually(
        "the decided mode applied again",
        async () => (await put(g.url, `re-${randomBytes(3).toString("hex")}`)).status === 201,
      );
    const shown = await sharedModeStatus(a.config);
    assert.equal(shown.mode, "target");
    assert.equal(shown.members.filter((m) => m.live).length, 3);
  });

  test("a killed gateway is left out of the next switch once silent past memberTimeout", async () => {
    const gc = running[2] as Running;
    gc.run.child.kill("SIGKILL");
    await exitOf(gc.run);
    const fenced = await modeCommand(a.file, "fenced");
    assert.equal(fenced.code, 0, fenced.output);
    assert.equal((fenced.answer.acknowledged as string[]).length, 2);
    const excluded = fenced.answer.excluded as { id: string; url: string }[];
    assert.deepEqual(
      excluded.map((e) => e.url),
      [gc.url],
    );
    for (const g of [ga, gb]) assert.equal((await put(g.url, "after-kill")).status, 503);
  });

  test("two switches racing: the one written second is refused and changes nothing", async () => {
    const before = await sharedModeStatus(a.config);
    await switchSharedMode(a.config, "capture", { basedOn: before.epoch });
    await assert.rejects(
      switchSharedMode(b.config, "target", { basedOn: before.epoch }),
      (e) =>
        isBluegreenError(e, "BG_GATEWAY_MODE_CONFLICT") && /lost a race: a switch to capture/.test(e.message),
    );
    const after = await sharedModeStatus(a.config);
    assert.equal(after.mode, "capture");
    assert.equal(after.epoch, before.epoch + 1);
    // Truly at once: whichever reads first may finish first; never two decisions on one epoch.
    const raced = await Promise.allSettled([
      switchSharedMode(a.config, "fenced"),
      switchSharedMode(b.config, "target"),
    ]);
    const won = raced.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    for (const r of raced)
      if (r.status === "rejected")
        assert.ok(isBluegreenError(r.reason, "BG_GATEWAY_MODE_CONFLICT"), String(r.reason));
    assert.ok(won.length >= 1);
    assert.equal(new Set(won.map((w) => w.epoch)).size, won.length);
    const last = won.reduce((x, y) => (y.epoch > x.epoch ? y : x));
    const settled = await sharedModeStatus(a.config);
    assert.equal(settled.epoch, after.epoch + won.length);
    assert.equal(settled.mode, last.mode);
  });

  test("a live gateway that does not acknowledge makes the switch exit 5, naming it", async () => {
    // A member that heart-beats but never applies anything (a hung gateway, as the topic sees it).
    const control = await openControlTopic(a.config, "test-stuck-member");
    const beat = () =>
      control.publish(
        memberKey("stuck"),
        encodeControl({
          id: "stuck",
          host: "h",
          pid: 1,
          url: "http://stuck:1",
          epoch: 0,
          mode: "capture",
          drained: true,
          since: "",
        }),
      );
    await beat();
    const timer = setInterval(() => void beat(), 200);
    try {
      const run = await modeCommand(a.file, "fenced");
      assert.equal(run.code, 5, run.output);
      assert.match(run.output, /BG_GATEWAY_MODE_UNCONFIRMED/);
      assert.match(run.output, /stuck \(http:\/\/stuck:1\) at epoch 0/);
      // Decided all the same: the real gateways applied it.
      for (const g of [ga, gb]) assert.equal((await put(g.url, "unconfirmed")).status, 503);
    } finally {
      clearInterval(timer);
      await control.publish(memberKey("stuck"), undefined);
      await control.close();
    }
  });
});
