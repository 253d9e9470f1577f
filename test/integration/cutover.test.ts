/**
 * Cutover against the real pair, through a gateway in this process, with a client writing at a steady
 * rate the whole time: every write is either answered 2xx and on the target, or answered 503 and on
 * neither cluster; the source ends write-blocked; the gate refuses a cutover without a fresh pass.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import type { MigrationConfig } from "../../src/config/index.ts";
import { cutoverRecord, runCutover } from "../../src/cutover/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { runRollback } from "../../src/rollback/index.ts";
import { runValidation } from "../../src/validate/index.ts";
import { bluegreen, migrationFile } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { testSandbox } from "../support/sandbox.ts";

const P = `cut-${randomBytes(4).toString("hex")}`;
let rig: GatewayRig | undefined;
const logger = createLogger({ level: "silent" });

after(async () => {
  if (rig === undefined) return;
  for (const cluster of [rig.source]) {
    await cluster.request({
      method: "PUT",
      path: `/${P}-*/_settings`,
      body: { "index.blocks.write": null },
      allowStatus: [404],
    });
  }
  await dropIndices([rig.source, rig.target], P);
  await rig.close();
});

function configOf(r: GatewayRig): MigrationConfig {
  return {
    ...r.config,
    indices: { ...r.config.indices, include: [`${P}-*`] },
    sync: { ...r.config.sync, method: "gateway" },
  };
}

test("the gate refuses a cutover without a fresh passed validation; nothing is changed", async () => {
  rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
    gateway: "captureInTargetMode: true",
  });
  const res = await fetch(`${rig.url}/${P}-a/_doc/seed`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: '{"n":0}',
  });
  assert.equal(res.status, 201);
  await assert.rejects(
    runCutover(configOf(rig), rig.state, logger, { gatewayUrl: rig.url }),
    (e) => isBluegreenError(e, "BG_VALIDATE_GATE") && /no finished validation is recorded/.test(e.message),
  );
  assert.equal(rig.gateway.mode, "capture");
  assert.deepEqual(cutoverRecord(rig.state), {});
});

test("under a steady write load: every write is 2xx and on the target, or 503 and nowhere", async (t) => {
  const r = rig as GatewayRig;
  const config = configOf(r);
  assert.equal((await r.replay()).deadLettered, 0);
  const validation = await runValidation(config, r.state, logger, {
    mode: { kind: "full" },
    differencesFile: join(mkdtempSync(join(tmpdir(), "cut-")), "d.ndjson"),
  });
  assert.equal(validation.passed, true, JSON.stringify(validation.checks));

  const answered = new Map<string, number>();
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++) {
      const id = `w${i}`;
      const res = await fetch(`${r.url}/${P}-a/_doc/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ n: i }),
      });
      await res.arrayBuffer();
      answered.set(id, res.status);
      await delay(20);
    }
  })();
  await delay(500);
  const result = await runCutover(config, r.state, logger, { gatewayUrl: r.url });
  await delay(500);
  writing = false;
  await writer;

  assert.equal(r.gateway.mode, "target");
  const record = cutoverRecord(r.state);
  assert.deepEqual(Object.keys(record), ["gate", "fence", "block", "drain", "finish", "switch"]);
  assert.deepEqual(record.block?.previous, { [`${P}-a`]: null });
  assert.ok(result.pauseMs >= 0 && result.pauseMs < 60_000, `pause ${result.pauseMs} ms`);

  const blocked = await r.source.request<Record<string, { settings: Record<string, string> }>>({
    method: "GET",
    path: `/${P}-a/_settings/index.blocks.write`,
    querystring: { flat_settings: true },
  });
  assert.equal(blocked.body[`${P}-a`]?.settings["index.blocks.write"], "true");
  const direct = await r.source.request({
    method: "PUT",
    path: `/${P}-a/_doc/bypass`,
    body: { n: -1 },
    allowStatus: [403],
  });
  assert.equal(direct.status, 403, "a writer that bypasses the gateway is refused by the source");

  await r.target.request({ method: "POST", path: `/${P}-a/_refresh` });
  const ok = [...answered].filter(([, s]) => s >= 200 && s < 300).map(([id]) => id);
  const refused = [...answered].filter(([, s]) => s === 503).map(([id]) => id);
  assert.equal(
    ok.length + refused.length,
    answered.size,
    `only 2xx and 503: ${JSON.stringify([...answered.values()])}`,
  );
  const found = await r.target.request<{ docs: { _id: string; found: boolean }[] }>({
    method: "POST",
    path: `/${P}-a/_mget`,
    body: { ids: [...answered.keys()] },
  });
  const onTarget = new Set(found.body.docs.filter((d) => d.found).map((d) => d._id));
  assert.deepEqual(
    ok.filter((id) => !onTarget.has(id)),
    [],
    "every acknowledged write is on the target",
  );
  assert.deepEqual(
    refused.filter((id) => onTarget.has(id)),
    [],
    "no refused write is on the target",
  );
  assert.ok(ok.length > 10, `${ok.length} writes acknowledged`);
  t.diagnostic(
    `write pause ${result.pauseMs} ms; ${ok.length} writes acknowledged, ${refused.length} refused`,
  );
});

test("rollback after the switch is lossless: the target's writes come back to the source", async () => {
  const r = rig as GatewayRig;
  const config = configOf(r);
  // Writes the target takes after the switch, through the gateway (captured: captureInTargetMode).
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`${r.url}/${P}-a/_doc/after-${i}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: `{"n":9007199254740993,"i":${i}}`,
    });
    assert.equal(res.status, 201);
  }
  const del = await fetch(`${r.url}/${P}-a/_doc/w0`, { method: "DELETE" });
  assert.equal(del.status, 200);
  const result = await runRollback(config, r.state, logger, { gatewayUrl: r.url });
  assert.equal(result.afterSwitch, true);
  assert.deepEqual(result.unblocked, [`${P}-a`]);
  assert.equal(r.gateway.mode, "capture");
  await assertSameContent(r.source, `${P}-a`, r.target);
  const settings = await r.source.request<Record<string, { settings: Record<string, string> }>>({
    method: "GET",
    path: `/${P}-a/_settings/index.blocks.write`,
    querystring: { flat_settings: true },
  });
  assert.equal(
    settings.body[`${P}-a`]?.settings["index.blocks.write"],
    undefined,
    "the block cutover set is gone",
  );
  assert.deepEqual(cutoverRecord(r.state), {}, "a later cutover starts from the beginning");
  // Clients write to the source again, captured for forward replay.
  const again = await fetch(`${r.url}/${P}-a/_doc/back`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(again.status, 201);
});

test("a closed source index is refused before the fence; nothing changes", async () => {
  const r = rig as GatewayRig;
  await r.source.request({ method: "PUT", path: `/${P}-closed` });
  await r.source.request({ method: "POST", path: `/${P}-closed/_close` });
  try {
    await assert.rejects(
      runCutover(configOf(r), r.state, logger, { gatewayUrl: r.url }),
      (e) =>
        isBluegreenError(e, "BG_CUTOVER_BLOCKED") &&
        e.message.includes(`${P}-closed`) &&
        /nothing was changed/.test(e.message) &&
        /POST \/<index>\/_open/.test(e.fix ?? ""),
    );
    assert.equal(r.gateway.mode, "capture");
    assert.deepEqual(cutoverRecord(r.state), {});
  } finally {
    await r.source.request({ method: "DELETE", path: `/${P}-closed` });
  }
});

test("a failing switch command stops before the switch: fenced and blocked until rollback releases them", async () => {
  const r = rig as GatewayRig;
  const config: MigrationConfig = {
    ...configOf(r),
    cutover: { ...r.config.cutover, switchCommand: "echo 'dns update refused' >&2; exit 3" },
  };
  await assert.rejects(
    runCutover(config, r.state, logger, { gatewayUrl: r.url }),
    (e) => isBluegreenError(e, "BG_CUTOVER_SWITCH") && /exited with 3: dns update refused/.test(e.message),
  );
  assert.equal(r.gateway.mode, "fenced");
  assert.equal(cutoverRecord(r.state).switch, undefined);
  const blocked = await r.source.request({
    method: "PUT",
    path: `/${P}-a/_doc/x`,
    body: {},
    allowStatus: [403],
  });
  assert.equal(blocked.status, 403);
  const result = await runRollback(config, r.state, logger, { gatewayUrl: r.url });
  assert.equal(result.afterSwitch, false);
  assert.equal(r.gateway.mode, "capture");
  const free = await r.source.request({ method: "PUT", path: `/${P}-a/_doc/x`, body: {} });
  assert.equal(free.status, 201);
});

test("bad input: cutover and rollback without --yes off a terminal are refused before anything runs", () => {
  const { dir, file } = migrationFile(`${P}-cli`, testSandbox(), `${P}-cli-*`);
  const table: [string[], RegExp][] = [
    [
      ["cutover", "-c", file],
      /error BG_CONFIRM: Cutover fences writes, write-blocks the source and switches clients to the target and needs confirmation/,
    ],
    [
      ["rollback", "-c", file],
      /error BG_CONFIRM: Rollback fences writes and sends clients back to the source and needs confirmation/,
    ],
  ];
  for (const [args, message] of table) {
    const run = bluegreen(args, dir);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.match(run.stderr, /fix: Run it on a terminal to confirm, or pass --yes/);
  }
});
