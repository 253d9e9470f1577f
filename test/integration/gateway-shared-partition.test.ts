/**
 * One gateway cut off from Kafka while the other is not (docs/gateway.md, "Several gateways"): the
 * cut-off one refuses writes once its lease lapses, the other goes on, and a switch made meanwhile
 * leaves the cut-off one out only after memberTimeout, by which time it refuses writes; back in
 * reach, it applies the switch it missed. Kafka's clients connect to the address the broker
 * advertises, so a proxy cannot cut one client alone: the cut is made at the control topic's client
 * (its reads and publishes fail as a partition makes them fail), in front of the same real broker,
 * with real gateways (in this process) and the sandbox pair.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type CaptureLog, openCaptureLog } from "../../src/capture/index.ts";
import { createCluster } from "../../src/cluster/index.ts";
import { Gateway, SharedModeMember, switchSharedMode } from "../../src/gateway/index.ts";
import { openControlTopic } from "../../src/gateway/shared/control.ts";
import { createLogger } from "../../src/log/index.ts";
import { kafkaUp } from "../../src/sandbox/index.ts";
import { dropIndices } from "../support/gateway-harness.ts";
import { eventually, putDoc, SHARED_BROKER, sharedHost, stopSharedBroker } from "../support/shared-mode.ts";

const NAME = `mgwp-${randomBytes(3).toString("hex")}`;
const P = `gw-partition-${randomBytes(4).toString("hex")}`;
const put = (url: string, id: string) => putDoc(url, P, id);

before(async () => {
  await kafkaUp(SHARED_BROKER);
});

after(stopSharedBroker);

describe("one gateway partitioned from the control topic", () => {
  const { dir, config } = sharedHost(NAME, "p");
  const source = createCluster(config.source);
  const target = createCluster(config.target);
  let cut = false;
  const cuttable: typeof openControlTopic = async (c, clientId) => {
    const real = await openControlTopic(c, clientId);
    const partitioned = () => new Error("cut off from Kafka (test partition)");
    return {
      topic: real.topic,
      publish: (key, value) => (cut ? Promise.reject(partitioned()) : real.publish(key, value)),
      read: async (from, waitMs) => {
        if (!cut) return real.read(from, waitMs);
        await sleep(waitMs);
        throw partitioned();
      },
      close: () => real.close(),
    };
  };
  const started: { gateway: Gateway; member: SharedModeMember; log: CaptureLog; url: string }[] = [];
  const start = async (open?: typeof openControlTopic) => {
    const logger = createLogger({ level: "silent" });
    const member = await SharedModeMember.join(config, logger, undefined, open);
    const log = await openCaptureLog({
      kind: "kafka",
      brokers: [...config.gateway.log.brokers],
      topic: config.gateway.log.topic,
    });
    const gateway = new Gateway({
      source: config.source,
      target: config.target,
      settings: config.gateway,
      rename: {},
      log,
      modes: member.store,
      logger,
    });
    member.attach(gateway);
    const { url } = await gateway.listen("127.0.0.1", 0);
    member.listening(url);
    const one = { gateway, member, log, url };
    started.push(one);
    return one;
  };

  after(async () => {
    cut = false;
    for (const g of started) {
      await g.gateway.close();
      await g.member.leave();
      await g.log.close();
    }
    await dropIndices([source, target], P);
    await Promise.all([source.close(), target.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("the cut-off gateway refuses writes, the other goes on, and a switch leaves it out only once it refuses", async () => {
    const cutOff = await start(cuttable);
    const other = await start();
    assert.equal((await put(cutOff.url, "p-1")).status, 201);
    cut = true;
    // Accepted until its lease lapses (each try a new document), then refused.
    let tries = 0;
    let refused = "";
    await eventually("the cut-off gateway refuses writes", async () => {
      refused = `p-cut-${tries++}`;
      return (await put(cutOff.url, refused)).status === 503;
    });
    assert.equal(cutOff.member.failedClosed, true);
    assert.equal((await put(other.url, "p-3")).status, 201);
    const fenced = await switchSharedMode(config, "fenced");
    assert.deepEqual(fenced.acknowledged, [other.member.id]);
    assert.deepEqual(
      fenced.excluded.map((e) => e.id),
      [cutOff.member.id],
    );
    assert.equal((await put(other.url, "p-4")).status, 503);
    // Back in reach: it applies the switch decided while it was away, and counts again.
    cut = false;
    await eventually("the switch applied after the partition", async () => !cutOff.member.failedClosed);
    assert.equal(cutOff.gateway.mode, "fenced");
    const capture = await switchSharedMode(config, "capture");
    assert.deepEqual([...capture.acknowledged].sort(), [cutOff.member.id, other.member.id].sort());
    assert.deepEqual(capture.excluded, []);
    assert.equal((await put(cutOff.url, "p-5")).status, 201);
    await source.request({ method: "POST", path: `/${P}/_refresh` });
    const onSource = await source.request<{ count: number }>({ method: "GET", path: `/${P}/_count` });
    // p-1, p-3, p-5 and what the cut-off gateway took before its lease lapsed; nothing refused.
    assert.equal(onSource.body.count, 3 + tries - 1);
    for (const id of [refused, "p-4"])
      assert.equal(
        (await source.request({ method: "GET", path: `/${P}/_doc/${id}`, allowStatus: [404] })).status,
        404,
      );
  });
});
