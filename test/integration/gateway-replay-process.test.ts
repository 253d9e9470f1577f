/**
 * `bluegreen replay` as its own process next to a live `bluegreen gateway` that owns the file log: the
 * replayer opens the log read-only (no single-writer lock), reads only what the gateway made durable,
 * and brings the target level with the source while the gateway keeps capturing.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf, replayReport, waitForOutput } from "../support/gateway-child.ts";
import { childRig } from "../support/gateway-harness.ts";

/** Fixed (a restart must find it again), below Linux's ephemeral range (32768-60999) so no outgoing connection holds it. */
const LISTEN = "127.0.0.1:31810";
const json = { "content-type": "application/json" };

describe("replay as its own process next to a live gateway", () => {
  const rig = childRig("gp-replay", { listen: LISTEN });
  const { config, file, P, source, target } = rig;
  after(() => rig.close());

  test("reads the gateway's log read-only and makes the target equal the source", async () => {
    const gateway = bluegreen(["gateway", "-c", file]);
    try {
      await waitForOutput(gateway, /gateway listening on http:\/\/127\.0\.0\.1:31810 \(mode capture/);
      const base = `http://${LISTEN}`;
      const create = await fetch(`${base}/${P}`, {
        method: "PUT",
        headers: json,
        body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
      });
      assert.equal(create.status, 200, await create.text());
      const write = async (round: number) => {
        for (let i = 0; i < 40; i++) {
          const res = await fetch(`${base}/${P}/_doc`, {
            method: "POST",
            headers: json,
            body: `{"n":${i},"round":${round}}`,
          });
          assert.equal(res.status, 201, await res.text());
        }
        const del = await fetch(`${base}/${P}/_doc/missing-${round}`, { method: "DELETE" });
        await del.arrayBuffer();
      };
      await write(1);
      const first = bluegreen(["replay", "-c", file, "--until-caught-up", "--json"]);
      assert.equal(await exitOf(first), 0, first.output());
      // The gateway still owns the log and keeps capturing; a second replay resumes where the first stopped.
      await write(2);
      const second = bluegreen(["replay", "-c", file, "--until-caught-up", "--json"]);
      assert.equal(await exitOf(second), 0, second.output());
      const report = replayReport<{ lagRecords: number }>(second);
      assert.equal(report.lagRecords, 0);
      await assertSameContent(source, P, target);
      const count = await (await fetch(`${config.target.urls[0]}/${P}/_count`)).json();
      assert.equal((count as { count: number }).count, 80);
    } finally {
      gateway.child.kill("SIGTERM");
      await exitOf(gateway);
    }
  });
});
