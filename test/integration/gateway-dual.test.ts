/**
 * Dual mode against the real clusters: the mixed workload written to source and target at once must
 * leave them equal by content digest, with no divergence counted; a target that refuses a write is
 * counted and logged as a divergence while the client still gets the source's answer.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, test } from "node:test";
import { decodeRecord } from "../../src/gateway/index.ts";
import { assertSameContent } from "../support/digest.ts";
import {
  ADMIN_TOKEN,
  dropIndices,
  type GatewayRig,
  LOG_FACTORIES,
  startGateway,
} from "../support/gateway-harness.ts";
import { mixedWorkload } from "../support/gateway-workload.ts";

async function divergences(rig: GatewayRig): Promise<number> {
  const metric = await rig.gateway.metrics.divergences.get();
  return metric.values[0]?.value ?? 0;
}

describe("dual mode", () => {
  const P = `gw-dual-${randomBytes(4).toString("hex")}`;
  let rig: GatewayRig | undefined;
  after(async () => {
    if (rig === undefined) return;
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  test("switched at runtime through the admin endpoint, persisted in the state store", async () => {
    rig = await startGateway(P, LOG_FACTORIES.memory as NonNullable<(typeof LOG_FACTORIES)["memory"]>);
    const res = await fetch(`${rig.url}/_bluegreen/mode`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ mode: "dual" }),
    });
    assert.equal(res.status, 200);
    assert.equal(rig.gateway.mode, "dual");
    assert.equal(rig.state.getCheckpoint("gateway", "mode"), "dual");
  });

  test("mixed workload written to both: source ≡ target, no divergence", async () => {
    assert.ok(rig !== undefined);
    await mixedWorkload(rig.url, `${P}-a`);
    await assertSameContent(rig.source, `${P}-a`, rig.target);
    assert.equal(await divergences(rig), 0);
    // Nothing was logged: dual mode writes the target itself.
    assert.deepEqual(await rig.log.end(), { "0": 0 });
  });

  test("a write only the target refuses is counted and logged as a divergence", async () => {
    assert.ok(rig !== undefined);
    // A strict mapping on the target only: the source accepts the new field, the target refuses it.
    await rig.source.request({ method: "PUT", path: `/${P}-strict`, body: { mappings: { dynamic: true } } });
    await rig.target.request({
      method: "PUT",
      path: `/${P}-strict`,
      body: { mappings: { dynamic: "strict" } },
    });
    const res = await fetch(`${rig.url}/${P}-strict/_doc/1`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ surprise: 1 }),
    });
    assert.equal(res.status, 201);
    assert.equal(await divergences(rig), 1);
    assert.ok(rig.logLines.some((l) => l.includes("dual write diverged") && l.includes(`${P}-strict`)));
  });
});

describe("target mode", () => {
  const P = `gw-tgt-${randomBytes(4).toString("hex")}`;

  test("reads and writes go to the target; captureInTargetMode logs them; reverse replay syncs them back", async () => {
    const rig = await startGateway(P, LOG_FACTORIES.memory as NonNullable<(typeof LOG_FACTORIES)["memory"]>, {
      gateway: "captureInTargetMode: true",
    });
    try {
      await rig.gateway.setMode("target");
      const write = await fetch(`${rig.url}/${P}/_doc/1`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ side: "green" }),
      });
      assert.equal(write.status, 201);
      const onSource = await rig.source.request({ method: "HEAD", path: `/${P}` });
      assert.equal(onSource.status, 404);
      const read = (await (await fetch(`${rig.url}/${P}/_doc/1`)).json()) as { _source: unknown };
      assert.deepEqual(read._source, { side: "green" });
      const records = (await rig.log.read({}, 10)).map((r) => decodeRecord(r.value));
      assert.deepEqual(
        records.map((r) =>
          r?.t === "op" ? `op:${r.side}:${r.id}` : `${r?.t}:${r?.t === "out" ? r.status : ""}`,
        ),
        ["op:target:1", "out:201"],
      );
      // Forward replay leaves target-side writes alone; reverse replay carries them to the source.
      assert.equal((await rig.replay()).applied, 0);
      const back = await rig.replay({ reverse: true });
      assert.equal(back.applied, 1);
      await assertSameContent(rig.source, P, rig.target);
    } finally {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    }
  });
});
