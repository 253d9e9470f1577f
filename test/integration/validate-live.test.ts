/**
 * Validation while writes still flow through the gateway: differences caused by writes not replayed
 * yet settle once replay catches up and are not reported; a write that replay can never bring (sent
 * straight to the source, past the gateway) stays a difference.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { MigrationConfig } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { runValidation } from "../../src/validate/index.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";

const P = `val-live-${randomBytes(4).toString("hex")}`;
let rig: GatewayRig | undefined;

after(async () => {
  if (rig === undefined) return;
  await dropIndices([rig.source, rig.target], P);
  await rig.close();
});

async function bulk(url: string, lines: readonly unknown[]): Promise<void> {
  const res = await fetch(`${url}/_bulk?refresh=true`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
  });
  const answer = (await res.json()) as { errors: boolean };
  assert.equal(answer.errors, false);
}

test("in-flight writes settle once replay caught up; a write replay never sees stays red", async () => {
  rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
  const index = `${P}-a`;
  const docs = Array.from({ length: 200 }, (_, i) => [
    { index: { _index: index, _id: `d${i}` } },
    { n: i, v: 0 },
  ]);
  await bulk(rig.url, docs.flat());
  assert.equal((await rig.replay()).deadLettered, 0);
  // 40 updates through the gateway that replay has not applied yet, and one write past the gateway.
  const updates = Array.from({ length: 40 }, (_, i) => [
    { index: { _index: index, _id: `d${i * 5}` } },
    { n: i * 5, v: 1 },
  ]);
  await bulk(rig.url, updates.flat());
  await bulk(rig.config.source.urls[0] as string, [{ index: { _index: index, _id: "bypass" } }, { n: -1 }]);

  const config: MigrationConfig = {
    ...rig.config,
    indices: { ...rig.config.indices, include: [`${P}-*`] },
    sync: { ...rig.config.sync, method: "gateway" },
    validate: { ...rig.config.validate, settleWaitMs: 30_000 },
  };
  let replaying: Promise<void> | undefined;
  let stop = false;
  const settles: number[] = [];
  const report = await runValidation(config, rig.state, createLogger({ level: "silent" }), {
    mode: { kind: "full" },
    differencesFile: join(mkdtempSync(join(tmpdir(), "val-live-")), "differences.ndjson"),
    onSettle: (w) => {
      settles.push(w.differences);
      // Replay resumes only now, so the differences above were really in flight when found.
      replaying ??= (async () => {
        const current = rig as GatewayRig;
        while (!stop) {
          await current.replay();
          await delay(100);
        }
      })();
    },
  });
  stop = true;
  await replaying;
  assert.deepEqual(settles, [41], "40 in flight plus the bypassing write were found first");
  const content = report.checks.find((c) => c.kind === "content");
  assert.equal(content?.settled, 40);
  assert.equal(content?.differences, 1);
  assert.deepEqual(
    content?.first?.map((d) => `${d.kind}:${d.id}`),
    ["missing:bypass"],
  );
  assert.equal(report.passed, false);
  assert.equal(report.sync.method, "gateway");
  assert.equal(report.sync.lagRecords, 0);
});
