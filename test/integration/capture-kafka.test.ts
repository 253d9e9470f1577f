import { randomBytes } from "node:crypto";
import { after, before } from "node:test";
import { type KafkaBroker, kafkaDown, kafkaUp } from "../../src/sandbox/index.ts";
import { captureLogConformance } from "../conformance/capture-log.ts";

/**
 * The capture-log conformance suite against a real single-node Kafka (KRaft) built from Maven Central
 * jars. Ports come from the capture area's range (35000-35299). BLUEGREEN_TEST_KAFKA_KEEP=1 leaves the
 * broker running for the next run (a dev loop); CI stops it.
 */
const NAME = "cl-test";
const PORT = 35_010;
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
