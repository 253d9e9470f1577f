/**
 * `bluegreen gateway --replay` and `bluegreen replay` as a service manager stops them: SIGTERM in the
 * middle of a steady write load. Each exits 0 after a bounded drain; every write a client got a 2xx
 * for is in the capture log with its outcome; the log reopens without recovering a torn tail; the
 * port is free again; the gateway's record in the state file is gone; replay's position is stored.
 */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { type FileCaptureLog, openFileLog } from "../../src/capture/index.ts";
import { decodeRecord, recordedGateways } from "../../src/gateway/index.ts";
import { replayPosition } from "../../src/replay/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { bluegreen, exitOf, waitForOutput } from "../support/gateway-child.ts";
import { childRig } from "../support/gateway-harness.ts";

const json = { "content-type": "application/json" };

/** Writers over keep-alive connections until `stop`; fills `acknowledged` with the ids that got a 2xx. */
async function load(
  url: string,
  index: string,
  stop: { done: boolean },
  writers = 8,
  acknowledged = new Set<string>(),
): Promise<Set<string>> {
  let n = 0;
  const writer = async () => {
    while (!stop.done) {
      const id = `d${n++}`;
      try {
        const res = await fetch(`${url}/${index}/_doc/${id}`, {
          method: "PUT",
          headers: json,
          body: `{"n":${n}}`,
        });
        await res.arrayBuffer();
        if (res.status >= 200 && res.status < 300) acknowledged.add(id);
      } catch {
        // Refused or cut while the gateway stops: not acknowledged, so not promised.
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  return acknowledged;
}

async function portFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

describe("SIGTERM during a steady write load", () => {
  const rig = childRig("gw-term");
  const { dir, config, file, P, source } = rig;
  after(() => rig.close());

  test("the gateway (with in-process replay) drains, closes its log and exits 0", async () => {
    await source.request({ method: "PUT", path: `/${P}`, body: { settings: { number_of_shards: 1 } } });
    const gateway = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0", "--replay"]);
    await waitForOutput(gateway, /gateway listening on http:\/\/127\.0\.0\.1:(\d+) /);
    const port = Number(/127\.0\.0\.1:(\d+) /.exec(gateway.output())?.[1]);
    const url = `http://127.0.0.1:${port}`;
    const stop = { done: false };
    const acknowledged = new Set<string>();
    const writes = load(url, P, stop, 8, acknowledged);
    let code: number | null;
    try {
      // A steady load: writes keep arriving while the gateway stops.
      const deadline = Date.now() + 60_000;
      while (acknowledged.size < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      gateway.child.kill("SIGTERM");
      code = await Promise.race([
        exitOf(gateway),
        // A gateway that never exits fails the test instead of hanging it (the writers stop below).
        new Promise<null>((r) => setTimeout(() => r(null), 90_000).unref()),
      ]);
    } finally {
      stop.done = true;
      gateway.child.kill("SIGKILL");
    }
    await writes;
    assert.equal(code, 0, gateway.output());
    assert.match(gateway.output(), /SIGTERM: stopping/);
    assert.match(gateway.output(), /gateway stopped; capture log closed/);
    assert.ok(acknowledged.size >= 200, `only ${acknowledged.size} writes under load`);
    assert.ok(await portFree(port), `port ${port} still taken`);

    const log: FileCaptureLog = await openFileLog({ dir: join(dir, "log") });
    try {
      assert.equal(log.stats().recoveredBytes, 0, "a torn tail was recovered");
      const intents = new Map<string, string>();
      const succeeded = new Set<string>();
      for (let from = {}; ; ) {
        const records = await log.read(from, 1_000);
        if (records.length === 0) break;
        from = { "0": (records.at(-1)?.offset ?? 0) + 1 };
        for (const record of records) {
          const r = decodeRecord(record.value);
          if (r?.t === "op" && r.index === P && r.id !== undefined) intents.set(`${r.rid}#${r.n}`, r.id);
          if (r?.t === "out" && r.status >= 200 && r.status < 300) {
            const id = intents.get(`${r.rid}#${r.n}`);
            if (id !== undefined) succeeded.add(id);
          }
        }
      }
      const missing = [...acknowledged].filter((id) => !succeeded.has(id));
      assert.deepEqual(missing, [], "acknowledged writes without an intent and a 2xx outcome in the log");
    } finally {
      await log.close();
    }
    const state = openMigrationState(config);
    try {
      assert.deepEqual(recordedGateways(state), [], "the gateway's running record outlived a clean stop");
      assert.ok((replayPosition(state)?.["0"] ?? 0) > 0, "in-process replay stored no position");
    } finally {
      state.close();
    }
  });

  test("a following `bluegreen replay` stores its position and exits 0", async () => {
    const stored = () => {
      const state = openMigrationState(config);
      try {
        return replayPosition(state)?.["0"] ?? 0;
      } finally {
        state.close();
      }
    };
    const before = stored();
    // More log to replay than the first run applied: reopen the gateway briefly and write.
    const gateway = bluegreen(["gateway", "-c", file, "--listen", "127.0.0.1:0"]);
    await waitForOutput(gateway, /gateway listening on http:\/\/127\.0\.0\.1:(\d+) /);
    const url = `http://127.0.0.1:${/127\.0\.0\.1:(\d+) /.exec(gateway.output())?.[1]}`;
    const stop = { done: false };
    const writes = load(url, P, stop, 4);
    const replay = bluegreen(["replay", "-c", file]);
    try {
      // Replaying (so past its start-up, signal handlers in place), with writes still coming.
      const deadline = Date.now() + 60_000;
      while (stored() <= before) {
        assert.ok(
          Date.now() < deadline && replay.child.exitCode === null,
          `replay made no progress:\n${replay.output()}`,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
      replay.child.kill("SIGTERM");
      assert.equal(await exitOf(replay), 0, replay.output());
      assert.match(replay.output(), /SIGTERM: stopping after the current batch/);
      assert.match(replay.output(), /applied \d+, skipped/);
    } finally {
      stop.done = true;
      await writes;
      gateway.child.kill("SIGTERM");
      assert.equal(await exitOf(gateway), 0, gateway.output());
    }
    assert.ok(stored() > before, "replay stored no progress");
  });
});
