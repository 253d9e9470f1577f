import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import {
  type CommitTiming,
  type KafkaLogOptions,
  openCaptureLog,
  openKafkaLog,
} from "../../src/capture/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { type KafkaBroker, kafkaDown, kafkaUp } from "../../src/sandbox/index.ts";
import { captureLogConformance, readAll, record } from "../conformance/capture-log.ts";

/**
 * The capture-log conformance suite against a real single-node Kafka (KRaft) built from Maven Central
 * jars. Its port sits below Linux's ephemeral range (32768-60999): a port in it can be held by any
 * outgoing connection at the moment the broker binds. BLUEGREEN_TEST_KAFKA_KEEP=1 leaves the broker
 * running for the next run (a dev loop); CI stops it.
 */
const NAME = "cl-test";
const PORT = 31_310;
let broker: KafkaBroker | undefined;

before(async () => {
  broker = await kafkaUp({ name: NAME, port: PORT });
});

after(async () => {
  if (process.env.BLUEGREEN_TEST_KAFKA_KEEP !== "1") await kafkaDown({ name: NAME });
});

captureLogConformance(
  "kafka (3 partitions)",
  () => ({
    kind: "kafka",
    brokers: broker?.brokers ?? [],
    topic: `cl-${randomBytes(4).toString("hex")}`,
    partitions: 3,
  }),
  { crash: true },
);

describe("kafka capture log: specifics", () => {
  const topic = (): string => `cl-${randomBytes(4).toString("hex")}`;

  it("puts every record of one key in one partition, and reports each commit", async () => {
    const commits: CommitTiming[] = [];
    const log = await openKafkaLog({
      brokers: broker?.brokers ?? [],
      topic: topic(),
      partitions: 3,
      onCommit: (c) => commits.push(c),
    });
    try {
      await log.append(Array.from({ length: 60 }, (_, i) => record(`doc/${i % 6}`, { seq: i })));
      assert.equal(commits.length, 1);
      assert.equal(commits[0]?.records, 60);
      assert.ok((commits[0]?.seconds ?? 0) > 0);
      const { records } = await readAll(log, {});
      const partitionsOf = new Map<string, Set<number>>();
      for (const r of records)
        partitionsOf.set(r.key, (partitionsOf.get(r.key) ?? new Set()).add(r.partition));
      for (const [key, partitions] of partitionsOf) assert.equal(partitions.size, 1, key);
      assert.ok(new Set(records.map((r) => r.partition)).size > 1, "keys spread over partitions");
    } finally {
      await log.close();
    }
  });

  it("refuses a position that release() deleted", async () => {
    const name = topic();
    const log = await openKafkaLog({ brokers: broker?.brokers ?? [], topic: name });
    try {
      await log.append(Array.from({ length: 20 }, (_, i) => record("k", { seq: i })));
      await log.release({ "0": 10 });
      await assert.rejects(
        log.read({ "0": 3 }, 10),
        (e) =>
          isBluegreenError(e, "BG_CAPTURE_POSITION") && /partition 0 does not hold offset 3/.test(e.message),
      );
      assert.equal(
        (await log.read({}, 100, 1000))[0]?.offset,
        10,
        "a missing partition reads from its start",
      );
      // Deleted by someone else (another process, broker retention): the cached start is stale.
      const other = await openKafkaLog({ brokers: broker?.brokers ?? [], topic: name });
      await other.release({ "0": 15 });
      await other.close();
      assert.equal((await log.read({}, 100, 1000))[0]?.offset, 15, "the start is looked up again");
    } finally {
      await log.close();
    }
  });

  it("names the brokers and topic when it cannot connect, or the topic is missing", async () => {
    // Nothing listens there; below the ephemeral range, so a retry cannot connect the socket to itself.
    await assert.rejects(
      openKafkaLog({ brokers: ["127.0.0.1:31799"], topic: "cl-nowhere", connectionTimeoutMs: 200 }),
      (e) => isBluegreenError(e, "BG_CAPTURE_KAFKA") && e.message.includes("127.0.0.1:31799") && e.retryable,
    );
    await assert.rejects(
      openKafkaLog({ brokers: broker?.brokers ?? [], topic: topic(), createTopic: false }),
      (e) => isBluegreenError(e, "BG_CAPTURE_KAFKA") && /topic cl-/.test(e.message),
    );
  });

  const invalid: { options: unknown; message: RegExp }[] = [
    { options: { brokers: [], topic: "t" }, message: /brokers is \[\]: a non-empty list/ },
    { options: { brokers: ["localhost"], topic: "t" }, message: /brokers is "localhost"/ },
    { options: { brokers: ["h:1"], topic: "a b" }, message: /topic is "a b"/ },
    {
      options: { brokers: ["h:1"], topic: "t", partitions: 0 },
      message: /partitions is 0: an integer from 1/,
    },
  ];
  for (const { options, message } of invalid)
    it(`refuses options ${JSON.stringify(options)}`, async () => {
      await assert.rejects(
        openCaptureLog({ kind: "kafka", ...(options as KafkaLogOptions) }),
        (e) => isBluegreenError(e, "BG_CAPTURE_OPTIONS") && message.test(e.message),
      );
    });
});
