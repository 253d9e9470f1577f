/**
 * Fenced mode against the real clusters. Clients keep incrementing a counter (a non-idempotent write,
 * so a lost write and a write applied twice both show) while the gateway is fenced and unfenced; a
 * client that gets 503 waits Retry-After and retries. The counter must equal the number of 2xx
 * answers exactly, on the source and, after replay, on the target. Reads keep working during the
 * fence, and a write held across a switch to `target` lands on the target only.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { assertSameContent } from "../support/digest.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";

const P = `gw-fence-${randomBytes(4).toString("hex")}`;
const json = { "content-type": "application/json" };

describe("fenced mode", () => {
  let rig: GatewayRig;
  before(async () => {
    rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
    const created = await fetch(`${rig.url}/${P}/_doc/counter?refresh=true`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ n: 0 }),
    });
    assert.equal(created.status, 201);
  });
  after(async () => {
    await dropIndices([rig.source, rig.target], P);
    await rig.close();
  });

  test("writes during the fence get 503 + Retry-After or succeed later; none lost or applied twice", async () => {
    const stats = { ok: 0, fenced: 0, retryAfter: new Set<string>() };
    const increment = async (): Promise<void> => {
      for (;;) {
        const res = await fetch(`${rig.url}/${P}/_update/counter?retry_on_conflict=50`, {
          method: "POST",
          headers: json,
          body: JSON.stringify({ script: { source: "ctx._source.n += 1" } }),
        });
        await res.arrayBuffer();
        if (res.status === 200) {
          stats.ok++;
          return;
        }
        assert.equal(res.status, 503, `unexpected ${res.status}`);
        stats.fenced++;
        stats.retryAfter.add(res.headers.get("retry-after") ?? "none");
        await sleep(Number(res.headers.get("retry-after")) * 1000);
      }
    };
    const worker = async () => {
      for (let i = 0; i < 25; i++) await increment();
    };
    const workers = Promise.all([worker(), worker(), worker(), worker()]);
    await sleep(300);
    await rig.gateway.setMode("fenced");
    // Reads keep working while writes are held.
    const read = await fetch(`${rig.url}/${P}/_doc/counter`);
    assert.equal(read.status, 200);
    await sleep(1_200);
    await rig.gateway.setMode("capture");
    await workers;
    assert.ok(stats.fenced > 0, "some writes should have met the fence");
    assert.deepEqual([...stats.retryAfter], ["1"]);
    assert.equal(stats.ok, 100);
    const onSource = await rig.source.request<{ _source: { n: number } }>({
      method: "GET",
      path: `/${P}/_doc/counter`,
    });
    assert.equal(onSource.body._source.n, 100);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    await assertSameContent(rig.source, P, rig.target);
  });

  test("a write held by the fence goes to the target when the gateway switches to target", async () => {
    await rig.gateway.setMode("fenced");
    const held = fetch(`${rig.url}/${P}/_doc/after-cutover`, {
      method: "PUT",
      headers: json,
      body: JSON.stringify({ n: 1 }),
    });
    await sleep(200);
    const switched = await rig.gateway.setMode("target");
    assert.equal(switched.drained, true);
    const res = await held;
    assert.equal(res.status, 201);
    const onTarget = await rig.target.request({
      method: "GET",
      path: `/${P}/_doc/after-cutover`,
      allowStatus: [404],
    });
    const onSource = await rig.source.request({
      method: "GET",
      path: `/${P}/_doc/after-cutover`,
      allowStatus: [404],
    });
    assert.deepEqual([onTarget.status, onSource.status], [200, 404]);
    // Reads now come from the target too.
    const read = await fetch(`${rig.url}/${P}/_doc/after-cutover`);
    assert.equal(read.status, 200);
  });
});
