/**
 * kill -9 against real processes and the real file log:
 * - the gateway, under concurrent load: every write a client got a 2xx for is in the log (intent and
 *   2xx outcome), checked against the clients' own record; replay then makes the target equal;
 * - the replayer, mid-way: a rerun resumes from the stored position and the digests are equal.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type CaptureLog, type LogPosition, openCaptureLog } from "../../src/capture/index.ts";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { decodeRecord } from "../../src/gateway/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { replay } from "../../src/replay/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, replayReport, waitForOutput } from "../support/gateway-child.ts";
import { dropIndices, gatewayConfig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";

const json = { "content-type": "application/json" };

async function readAll(log: CaptureLog) {
  const all = [];
  let from: LogPosition = {};
  for (;;) {
    const batch = await log.read(from, 5_000);
    if (batch.length === 0) return all;
    all.push(...batch);
    from = { "0": (batch.at(-1)?.offset ?? 0) + 1 };
  }
}

// awaitOutcome false (the default) answers once the intent is durable: the outcome may be missing,
// never the intent. syncBeforeForward false forwards once the intent is in the file, its fsync still
// running: a kill -9 of the process (not of the host) must lose nothing either.
for (const [awaitOutcome, syncBeforeForward] of [
  [true, true],
  [false, true],
  [false, false],
] as const)
  describe(`kill -9 of the gateway under load (awaitOutcome ${awaitOutcome}, syncBeforeForward ${syncBeforeForward})`, () => {
    const P = `gw-kill-${randomBytes(4).toString("hex")}`;
    const dir = mkdtempSync(join(tmpdir(), "gw-kill-"));
    const config = gatewayConfig(P, dir, {
      // Below Linux's ephemeral range (32768-60999), so no outgoing connection holds it across the restart.
      listen: "127.0.0.1:31801",
      log: `awaitOutcome: ${awaitOutcome}, syncBeforeForward: ${syncBeforeForward}`,
    });
    const source: Cluster = createCluster(config.source);
    const target: Cluster = createCluster(config.target);
    after(async () => {
      await dropIndices([source, target], P);
      await Promise.all([source.close(), target.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    test("every write answered 2xx is in the log; replay then makes source ≡ target", async () => {
      const run = bluegreen(["gateway", "-c", join(dir, "bluegreen.yaml")]);
      await waitForOutput(run, /gateway listening on/);
      const url = "http://127.0.0.1:31801";
      const created = await fetch(`${url}/${P}`, {
        method: "PUT",
        headers: json,
        body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
      });
      assert.equal(created.status, 200);
      const acked = new Set<string>();
      let stop = false;
      const worker = async (k: number) => {
        for (let i = 0; !stop; i++) {
          try {
            if (i % 5 === 4) {
              const lines = Array.from(
                { length: 10 },
                (_, j) => `{"index":{}}\n{"w":${k},"i":${i},"j":${j}}\n`,
              );
              const res = await fetch(`${url}/${P}/_bulk`, {
                method: "POST",
                headers: { "content-type": "application/x-ndjson" },
                body: lines.join(""),
              });
              const body = (await res.json()) as { items: { index: { _id: string; status: number } }[] };
              for (const item of body.items) if (item.index.status < 300) acked.add(item.index._id);
            } else {
              const id = `w${k}-${i}`;
              const res = await fetch(`${url}/${P}/_doc/${id}`, {
                method: "PUT",
                headers: json,
                body: JSON.stringify({ w: k, i }),
              });
              await res.arrayBuffer();
              if (res.status >= 200 && res.status < 300) acked.add(id);
            }
          } catch {
            return; // the gateway died under this request: no 2xx, no claim
          }
        }
      };
      const workers = Promise.all([0, 1, 2, 3, 4, 5].map(worker));
      await sleep(1_500);
      run.child.kill("SIGKILL");
      await exitOf(run);
      stop = true;
      await workers;
      assert.ok(acked.size > 50, `only ${acked.size} writes acknowledged before the kill`);

      const log = await openCaptureLog({ kind: "file", dir: config.gateway.log.dir });
      try {
        const records = (await readAll(log)).map((r) => decodeRecord(r.value));
        const intents = new Set(records.flatMap((r) => (r?.t === "op" && r.id !== undefined ? [r.id] : [])));
        const okOutcomes = new Set(
          records.flatMap((r) =>
            r?.t === "out" && r.status < 300 && r.doc?.id !== undefined ? [r.doc.id] : [],
          ),
        );
        const missing = [...acked].filter((id) => !intents.has(id) || (awaitOutcome && !okOutcomes.has(id)));
        assert.deepEqual(missing, [], "acknowledged writes missing from the log");
        const state = openMigrationState(config);
        try {
          const report = await replay({
            log,
            state,
            source,
            target,
            settings: config.replay,
            logger: createLogger({ level: "silent" }),
            untilCaughtUp: true,
            pollMs: 50,
          });
          assert.equal(report.deadLettered, 0);
        } finally {
          state.close();
        }
      } finally {
        await log.close();
      }
      await assertSameContent(source, P, target);
    });
  });

describe("kill -9 of the replayer", () => {
  const P = `gw-rkill-${randomBytes(4).toString("hex")}`;

  test("a rerun resumes from the stored position: source ≡ target", async () => {
    const rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
      replay: "batchSize: 10",
    });
    try {
      await fetch(`${rig.url}/${P}`, {
        method: "PUT",
        headers: json,
        body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
      });
      for (let b = 0; b < 30; b++) {
        const lines = Array.from({ length: 100 }, (_, j) => `{"index":{}}\n{"b":${b},"j":${j}}\n`);
        const res = await fetch(`${rig.url}/${P}/_bulk`, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body: lines.join(""),
        });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      for (let i = 0; i < 50; i++) {
        await (
          await fetch(`${rig.url}/${P}/_doc/u${i}`, { method: "PUT", headers: json, body: `{"n":${i}}` })
        ).arrayBuffer();
        await (
          await fetch(`${rig.url}/${P}/_update/u${i}`, {
            method: "POST",
            headers: json,
            body: '{"doc":{"seen":true}}',
          })
        ).arrayBuffer();
      }
      const end = (await rig.log.end())["0"] ?? 0;
      await rig.stopGateway();

      const config = join(rig.dir, "bluegreen.yaml");
      const first = bluegreen(["replay", "-c", config]);
      const stored = () => rig.state.getCheckpoint<LogPosition>("replay", "position")?.["0"] ?? 0;
      const deadline = Date.now() + 60_000;
      while (stored() === 0) {
        if (first.child.exitCode !== null || Date.now() > deadline)
          throw new Error(`replay did not progress:\n${first.output()}`);
        await sleep(10);
      }
      first.child.kill("SIGKILL");
      await exitOf(first);
      const at = stored();
      assert.ok(at > 0 && at < end, `killed at ${at} of ${end}: not mid-way`);

      const second = bluegreen(["replay", "-c", config, "--until-caught-up", "--json"]);
      assert.equal(await exitOf(second), 0, second.output());
      const report = replayReport<{ lagRecords: number; deadLettered: number }>(second);
      assert.deepEqual([report.lagRecords, report.deadLettered], [0, 0]);
      await assertSameContent(rig.source, P, rig.target);
    } finally {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    }
  });
});
