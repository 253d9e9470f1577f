/**
 * Steps 2 and 3 together, the way an operator runs them: clients write through the gateway (capture
 * mode) while `bluegreen backfill` copies the index in another process. The backfill marks the log and
 * holds replay for the length of the copy; a replayer that follows the log the whole time then applies
 * what was written meanwhile. Source ≡ target by content digest at the end, with writes (updates,
 * deletes, new documents) landing before, during and after the copy.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { createLogger } from "../../src/log/index.ts";
import { replay } from "../../src/replay/index.ts";
import { seed } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf } from "../support/gateway-child.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";

const P = `gw-sync-${randomBytes(4).toString("hex")}`;
const INDEX = `${P}-orders`;
let rig: GatewayRig | undefined;

after(async () => {
  if (rig === undefined) return;
  await dropIndices([rig.source, rig.target], P);
  await rig.close();
});

/** Random updates, deletes and new documents through the gateway until `stop` is set. */
async function writer(url: string, stop: { done: boolean }): Promise<number> {
  let n = 0;
  const headers = { "content-type": "application/json" };
  while (!stop.done) {
    const id = `d${Math.floor(Math.random() * 4000)}`;
    const roll = Math.random();
    const res =
      roll < 0.15
        ? await fetch(`${url}/${INDEX}/_doc/${id}`, { method: "DELETE" })
        : await fetch(`${url}/${INDEX}/_doc/${id}`, {
            method: "PUT",
            headers,
            body: JSON.stringify({ title: `v${n}`, n, at: new Date().toISOString() }),
          });
    await res.arrayBuffer();
    assert.ok(res.status < 300 || res.status === 404, `write ${id} got ${res.status}`);
    n++;
  }
  return n;
}

test("backfill under live writes through the gateway: replay held during the copy, then source ≡ target", async () => {
  rig = await startGateway(P, LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>);
  await seed(rig.source, INDEX, 3000, { shards: 2 });
  // The CLI backfill reaches this gateway through gateway.listen (for the log end) and shares its state.
  const file = join(rig.dir, "backfill.yaml");
  const listen = new URL(rig.url).host;
  writeFileSync(
    file,
    readFileSync(join(rig.dir, "bluegreen.yaml"), "utf8")
      .replace("gateway: {", `gateway: { listen: '${listen}',`)
      .concat(
        `indices: { include: ['${INDEX}'] }\nsync: { method: gateway }\nbackfill: { method: stream, batchSize: 200 }\n`,
      ),
  );
  const stop = { done: false };
  const control = new AbortController();
  // Follows the log from before the copy to after it, as `gateway --replay` does.
  const following = replay({
    log: rig.log,
    state: rig.state,
    source: rig.source,
    target: rig.target,
    settings: rig.config.replay,
    logger: createLogger({ level: "silent" }),
    pollMs: 50,
    signal: control.signal,
    awaitMark: true,
  });
  const writes = writer(rig.url, stop);
  let written = 0;
  try {
    const copy = bluegreen(["backfill", "-c", file, "--json"]);
    assert.equal(await exitOf(copy), 0, copy.output());
    // Keep writing a little after the copy, so replay also applies writes it never held.
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    stop.done = true;
    written = await writes;
    control.abort();
    await following;
  }
  assert.ok(written > 50, `only ${written} writes went through the gateway`);
  const final = await rig.replay({ untilCaughtUp: true });
  assert.equal(final.deadLettered, 0);
  const events = rig.state.readEvents({}).map((e) => e.type);
  const hold = events.indexOf("replay.hold");
  assert.ok(hold >= 0 && events.indexOf("replay.release") > hold, `events: ${events.join(", ")}`);
  assert.ok(events.includes("replay.backfill-mark"));
  await assertSameContent(rig.source, INDEX, rig.target);
});
