/**
 * A by-query or admin request can only be settled by its logged outcome (replay cannot tell from the
 * source whether it ran). The gateway logs that outcome whenever the cluster answers within
 * `gateway.requestTimeout`, which may be long after `replay.outcomeWait`: replay must wait that long
 * for a request before it sets it aside, and then say why.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, describe, test } from "node:test";
import { encodeRecord, type RequestRecord } from "../../src/gateway/index.ts";
import { dropIndices, type GatewayRig, startGateway } from "../support/gateway-harness.ts";
import { MemoryLog } from "../support/gateway-memory-log.ts";

const P = `rp-late-${process.pid}`;

describe("replay waits for a request's outcome as long as the gateway may take to log it", () => {
  const rigs: GatewayRig[] = [];
  after(async () => {
    for (const rig of rigs) {
      await dropIndices([rig.source, rig.target], P);
      await rig.close();
    }
  });

  const rigWith = async (requestTimeout: string) => {
    const rig = await startGateway(P, async () => new MemoryLog(), {
      replay: "outcomeWait: 200ms",
      gateway: `requestTimeout: ${requestTimeout}`,
    });
    rigs.push(rig);
    return rig;
  };

  const intent = (index: string): RequestRecord => ({
    t: "req",
    rid: `late.${index}`,
    side: "source",
    index,
    method: "PUT",
    path: `/${index}`,
  });

  test("an outcome logged after outcomeWait but within the request timeout is applied, not dead-lettered", async () => {
    const rig = await rigWith("5s");
    const index = `${P}-slow`;
    const req = intent(index);
    await rig.log.append([encodeRecord(req, Date.now())]);
    // The source ran it; its answer (and so the outcome) comes well after replay.outcomeWait.
    await rig.source.request({ method: "PUT", path: `/${index}` });
    const replaying = rig.replay();
    await new Promise((r) => setTimeout(r, 1_000));
    const { t: _t, rid, side: _side, ...request } = req;
    await rig.log.append([
      encodeRecord({ t: "out", rid, n: 0, status: 200, side: "source", req: request }, Date.now()),
    ]);
    const report = await replaying;
    assert.equal(report.deadLettered, 0);
    const onTarget = await rig.target.request({ method: "HEAD", path: `/${index}`, allowStatus: [404] });
    assert.equal(onTarget.status, 200);
  });

  test("a request whose outcome never comes is set aside once the request timeout has passed, with the reason", async () => {
    const rig = await rigWith("1s");
    const index = `${P}-lost`;
    await rig.log.append([encodeRecord(intent(index), Date.now())]);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 1);
    const letter = JSON.parse(readFileSync(rig.config.replay.deadLetterPath, "utf8").trim()) as {
      reason: string;
      request: { path: string };
    };
    assert.equal(letter.request.path, `/${index}`);
    assert.match(letter.reason, /no answer from the source was logged within gateway\.requestTimeout/);
    const onTarget = await rig.target.request({ method: "HEAD", path: `/${index}`, allowStatus: [404] });
    assert.equal(onTarget.status, 404);
  });

  test("a lost outcome for a key the source cannot hold (empty _id, alias without a write index) copies nothing and does not stop replay", async () => {
    const rig = await rigWith("1s");
    const index = `${P}-keys`;
    const alias = `${P}-two`;
    for (const name of [`${index}-1`, `${index}-2`])
      await rig.source.request({ method: "PUT", path: `/${name}` });
    await rig.source.request({
      method: "POST",
      path: "/_aliases",
      body: { actions: [{ add: { indices: [`${index}-1`, `${index}-2`], alias } }] },
    });
    await rig.source.request({
      method: "PUT",
      path: `/${index}-1/_doc/kept`,
      body: { a: 1 },
      querystring: { refresh: "true" },
    });
    const op = (idx: string, id: string, rid: string) =>
      encodeRecord(
        {
          t: "op",
          rid,
          n: 0,
          op: "index",
          index: idx,
          id,
          side: "source",
          doc: { bytes: Buffer.from("{}"), contentType: "application/json" },
        },
        Date.now(),
      );
    // No outcomes: the gateway stopped before it logged them; the source refused the first two.
    await rig.log.append([
      op(`${index}-1`, "", "k.1"),
      op(alias, "x", "k.2"),
      op(`${index}-1`, "kept", "k.3"),
    ]);
    const report = await rig.replay();
    assert.equal(report.deadLettered, 0);
    const kept = await rig.target.request<{ _source: unknown }>({
      method: "GET",
      path: `/${index}-1/_doc/kept`,
    });
    assert.deepEqual(kept.body._source, { a: 1 });
  });
});
