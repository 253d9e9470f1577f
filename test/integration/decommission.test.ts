/**
 * Decommission against the real pair, after a real cutover through a gateway in this process: refused
 * before cutover and by bad input (each message asserted); then it removes the snapshot repositories
 * bluegreen registered and the remote-cluster setting recorded for it, takes the final snapshot, leaves
 * the source read-only with its data, and writes the report (timeline, pause, rollback commands);
 * with --delete-source and the cluster's name typed back it deletes exactly the migrated indices.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { loadConfig, type MigrationConfig } from "../../src/config/index.ts";
import { runCutover } from "../../src/cutover/index.ts";
import { decommissionRecord, REMOTE_CLUSTERS, runDecommission } from "../../src/decommission/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { runValidation } from "../../src/validate/index.ts";
import { bluegreen } from "../support/backfill.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { testSandbox } from "../support/sandbox.ts";

const P = `dec-${randomBytes(4).toString("hex")}`;
const INDEX = `${P}-a`;
const ARCHIVE = `${P}-archive`;
const LEFTOVER = `${P}-leftover`;
const ALIAS = `${P.replace(/-/g, "")}remote`;
const logger = createLogger({ level: "silent" });
let rig: GatewayRig;
let config: MigrationConfig;
let file = "";
let base = "";

async function put(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${rig.url}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function repoStatus(cluster: Cluster, name: string): Promise<number> {
  return (await cluster.request({ method: "GET", path: `/_snapshot/${name}`, allowStatus: [404] })).status;
}

function cli(args: readonly string[]) {
  const run = bluegreen(args, rig.dir);
  return { ...run, output: run.stdout + run.stderr };
}

before(async () => {
  rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>, {
    gateway: "captureInTargetMode: true",
  });
  file = join(rig.dir, "bluegreen.yaml");
  appendFileSync(file, `indices: { include: ['${P}-*'] }\nsync: { method: gateway }\n`);
  base = readFileSync(file, "utf8");
  appendFileSync(file, `decommission: { finalSnapshot: { repository: '${ARCHIVE}' } }\n`);
  config = await loadConfig(file);
  const repoPath = testSandbox().snapshotRepoPath;
  // The operator's archive: registered by them, so decommission writes to it and leaves it alone.
  await rig.source.request({
    method: "PUT",
    path: `/_snapshot/${ARCHIVE}`,
    body: { type: "fs", settings: { location: `${repoPath}/${ARCHIVE}` } },
  });
  // What a snapshot backfill killed between its restore and its cleanup leaves: its own repository,
  // registered on both sides and named in its batch checkpoint.
  for (const cluster of [rig.source, rig.target]) {
    await cluster.request({
      method: "PUT",
      path: `/_snapshot/${LEFTOVER}`,
      body: { type: "fs", settings: { location: `${repoPath}/${LEFTOVER}` } },
    });
  }
  rig.state.putCheckpoint("backfill", "snapshot::batch:b1", {
    repository: { name: LEFTOVER, type: "fs", settings: {}, ownedOnSource: true },
    ownedOnTarget: true,
  });
  // The seam cross-cluster replication will use: a remote cluster it set on the target.
  await rig.target.request({
    method: "PUT",
    path: "/_cluster/settings",
    body: { persistent: { [`cluster.remote.${ALIAS}.seeds`]: ["127.0.0.1:1"] } },
  });
  rig.state.putCheckpoint(REMOTE_CLUSTERS.step, REMOTE_CLUSTERS.key, [{ alias: ALIAS, autoFollowRules: [] }]);
});

after(async () => {
  await rig.source.request({
    method: "PUT",
    path: `/${P}-*/_settings`,
    body: { "index.blocks.write": null },
    allowStatus: [404],
  });
  await rig.target.request({
    method: "PUT",
    path: "/_cluster/settings",
    body: { persistent: { [`cluster.remote.${ALIAS}.seeds`]: null } },
  });
  for (const cluster of [rig.source, rig.target]) {
    for (const repo of [ARCHIVE, LEFTOVER]) {
      await cluster.request({ method: "DELETE", path: `/_snapshot/${repo}`, allowStatus: [404] });
    }
  }
  await dropIndices([rig.source, rig.target], P);
  await rig.close();
});

test("before cutover, decommission is refused and nothing changes", async () => {
  await assert.rejects(
    runDecommission(config, rig.state, logger),
    (e) =>
      isBluegreenError(e, "BG_DECOMMISSION_NOT_READY") &&
      /none is recorded \(never run, or rolled back\): the source is still the cluster clients use; nothing was changed\./.test(
        e.message,
      ),
  );
  const run = cli(["decommission", "-c", file, "--yes"]);
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /error BG_DECOMMISSION_NOT_READY: Decommission needs a finished cutover/);
  assert.match(run.output, new RegExp(`fix: Cut over first \\(\`bluegreen cutover -c ${file}\`\\)`));
  assert.deepEqual(decommissionRecord(rig.state), {});
  assert.equal(rig.state.getStep("decommission"), undefined, "a refusal records no attempt");
  assert.equal(await repoStatus(rig.source, LEFTOVER), 200);
});

test("cut over for real: writes through the gateway, replayed, validated, switched", async () => {
  for (let i = 0; i < 20; i++) assert.equal(await put(`/${INDEX}/_doc/d${i}`, { n: i }), 201);
  assert.equal((await rig.replay()).deadLettered, 0);
  const validation = await runValidation(config, rig.state, logger, {
    mode: { kind: "full" },
    differencesFile: join(mkdtempSync(join(tmpdir(), "dec-")), "d.ndjson"),
  });
  assert.equal(validation.passed, true, JSON.stringify(validation.checks));
  await runCutover(config, rig.state, logger, { gatewayUrl: rig.url });
  assert.equal(rig.gateway.mode, "target");
  // The target takes writes now (logged for a rollback: captureInTargetMode).
  assert.equal(await put(`/${INDEX}/_doc/after`, { n: 99 }), 201);
});

test("bad input after cutover: each refusal says why and changes nothing", async () => {
  const soaking = join(rig.dir, "soak.yaml");
  writeFileSync(soaking, `${base}decommission: { soak: 2h }\n`);
  const table: [string[], number, RegExp, RegExp][] = [
    [
      ["decommission", "-c", file],
      2,
      /error BG_CONFIRM: Decommission retires the source: .* and needs confirmation\./,
      /fix: Run it on a terminal to confirm, or pass --yes\./,
    ],
    [
      ["decommission", "-c", file, "--yes", "--delete-source"],
      2,
      /error BG_CONFIRM: --delete-source deletes the source's migrated indices and needs the source cluster's name typed back; nothing was changed\./,
      /fix: Run it on a terminal and type the name when asked, or pass --confirm-cluster-name NAME\./,
    ],
    [
      ["decommission", "-c", file, "--yes", "--delete-source", "--confirm-cluster-name", "not-it"],
      2,
      /error BG_CONFIRM: "not-it" is not the source cluster's name \(the source at http:\/\/127\.0\.0\.1:\d+ is named "[^"]+"\), so its indices were not deleted; nothing was changed\./,
      /fix: Type the source cluster's name exactly/,
    ],
    [
      ["decommission", "-c", file, "--yes", "--confirm-cluster-name", "x"],
      2,
      /error BG_USAGE: --confirm-cluster-name only goes with --delete-source\./,
      /fix: Add --delete-source/,
    ],
    [
      ["decommission", "-c", soaking, "--yes"],
      1,
      /error BG_DECOMMISSION_SOAK: Decommission is allowed from \d{4}-\d\d-\d\dT[\d:.]+Z \(in (1 h \d+ min|2 h)\): decommission\.soak asks the switch at .* to be 2 h old first; nothing was changed\./,
      /fix: Run it again then; until then rollback stays as cheap as it is now\./,
    ],
  ];
  for (const [args, code, message, fix] of table) {
    const run = cli(args);
    assert.equal(run.code, code, `${args.join(" ")}: ${run.output}`);
    assert.match(run.output, message);
    assert.match(run.output, fix);
  }
  assert.deepEqual(decommissionRecord(rig.state), {});
  assert.equal(
    (await rig.source.request({ method: "HEAD", path: `/${INDEX}`, allowStatus: [404] })).status,
    200,
  );
});

test("decommission: repositories and remote removed, final snapshot taken, source read-only, report written", async () => {
  const run = cli(["decommission", "-c", file, "--yes"]);
  assert.equal(run.code, 0, run.output);
  assert.match(
    run.output,
    /decommissioned: the source is read-only \(1 index\(es\) write-blocked\); its data is kept/,
  );
  assert.match(
    run.output,
    new RegExp(`snapshot repositories removed: ${LEFTOVER} \\(source\\), ${LEFTOVER} \\(target\\)`),
  );
  // This gateway runs in the test process, unrecorded, so only the log and replay are left to stop.
  assert.match(run.output, /left for you: Stop any `bluegreen replay -c .*` still following the capture log/);

  assert.equal(await repoStatus(rig.source, LEFTOVER), 404);
  assert.equal(await repoStatus(rig.target, LEFTOVER), 404);
  assert.equal(await repoStatus(rig.source, ARCHIVE), 200, "the operator's repository stays");
  const record = decommissionRecord(rig.state);
  const snapshots = await rig.source.request<{ snapshots: { state: string; indices: string[] }[] }>({
    method: "GET",
    path: `/_snapshot/${ARCHIVE}/${record.snapshot?.name}`,
  });
  assert.equal(snapshots.body.snapshots[0]?.state, "SUCCESS");
  assert.deepEqual(snapshots.body.snapshots[0]?.indices, [INDEX]);
  const settings = await rig.target.request<{ persistent: Record<string, unknown> }>({
    method: "GET",
    path: "/_cluster/settings",
    querystring: { flat_settings: true },
  });
  assert.equal(settings.body.persistent[`cluster.remote.${ALIAS}.seeds`], undefined);

  const write = await rig.source.request({
    method: "PUT",
    path: `/${INDEX}/_doc/x`,
    body: {},
    allowStatus: [403],
  });
  assert.equal(write.status, 403, "the source stays write-blocked");
  await rig.source.request({ method: "POST", path: `/${INDEX}/_refresh` });
  const count = await rig.source.request<{ count: number }>({ method: "GET", path: `/${INDEX}/_count` });
  assert.equal(count.body.count, 20, "the source keeps its data");

  const md = readFileSync(join(rig.dir, `${config.name}-report.md`), "utf8");
  assert.match(md, /\*\*Decommissioned: clients use the target; the source is kept read-only\*\*/);
  assert.match(md, /- write pause \(fence to switch\): \*\*\d+\.\d\d s\*\*/);
  assert.match(md, /## Timeline/);
  assert.match(md, /\| cutover: clients switched to the target; writes paused \d+\.\d\d s \|/);
  assert.match(md, /gateway mode capture → fenced/);
  assert.match(md, new RegExp(`decommission: snapshot repositories removed: ${LEFTOVER} \\(source\\)`));
  assert.match(md, new RegExp(`bluegreen rollback -c ${file} --yes`));
  assert.match(md, new RegExp(`\\| ${INDEX} \\| ${INDEX} \\| – \\| – \\| 20 \\| ✓ count`));
  assert.match(md, /_snapshot\/.*\/_restore/);
  const page = readFileSync(join(rig.dir, `${config.name}-report.html`), "utf8");
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
  assert.doesNotMatch(page, /<script|<link|src=|href="http/i, "self-contained");
  assert.match(page, /Write pause at cutover<\/dt><dd>\d+\.\d\d s/);

  const status = cli(["status", "-c", file, "--json"]);
  const parsed = JSON.parse(status.stdout) as {
    steps: { id: string; status: string }[];
    cutover: { pauseMs?: number; decommissionDone: string[] };
  };
  assert.equal(parsed.steps.find((s) => s.id === "decommission")?.status, "done");
  assert.equal(
    parsed.steps.find((s) => s.id === "cutover")?.status,
    "pending",
    "cutover ran in-process here",
  );
  assert.equal(typeof parsed.cutover.pauseMs, "number");
  assert.deepEqual(parsed.cutover.decommissionDone, [
    "sync",
    "snapshot",
    "repositories",
    "remote",
    "readonly",
  ]);

  const again = cli(["decommission", "-c", file, "--yes"]);
  assert.equal(again.code, 0, again.output);
  assert.match(again.output, /^snapshot: already done$/m);
  assert.match(again.output, /^readonly: already done$/m);
});

test("--delete-source with the name typed back deletes exactly the migrated indices; rollback is then refused", async () => {
  const root = await rig.source.request<{ cluster_name: string }>({ method: "GET", path: "/" });
  const other = `${P}-other`;
  await rig.source.request({ method: "PUT", path: `/${other}-x`, allowStatus: [400] });
  const run = cli([
    "decommission",
    "-c",
    file,
    "--yes",
    "--delete-source",
    "--confirm-cluster-name",
    root.body.cluster_name,
  ]);
  assert.equal(run.code, 0, run.output);
  assert.match(
    run.output,
    new RegExp(`decommissioned: deleted 1 source index\\(es\\) on ${root.body.cluster_name}`),
  );
  assert.equal(
    (await rig.source.request({ method: "HEAD", path: `/${INDEX}`, allowStatus: [404] })).status,
    404,
  );
  assert.equal(
    (await rig.target.request({ method: "HEAD", path: `/${INDEX}`, allowStatus: [404] })).status,
    200,
  );
  assert.equal(
    (await rig.source.request({ method: "HEAD", path: `/${other}-x`, allowStatus: [404] })).status,
    200,
    "an index created after cutover is not one cutover blocked, so it is not deleted",
  );
  const md = readFileSync(join(rig.dir, `${config.name}-report.md`), "utf8");
  assert.match(md, /there is no rollback to the source with bluegreen/);
  const rollback = cli(["rollback", "-c", file, "--yes"]);
  assert.equal(rollback.code, 2, rollback.output);
  assert.match(
    rollback.output,
    new RegExp(
      `error BG_USAGE: Rollback is not possible: decommission deleted the source's migrated indices \\(${INDEX}\\); nothing was changed\\.`,
    ),
  );
});
