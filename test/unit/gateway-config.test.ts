import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const HEAD =
  "version: 1\nname: gw-config\nsource: { url: 'http://127.0.0.1:9200' }\ntarget: { url: 'http://127.0.0.1:9201' }\n";
const KAFKA = "log: { kind: kafka, brokers: ['k1:9092'] }";
const parse = (yaml: string) => parseConfig(`${HEAD}${yaml}`, { baseDir: "/srv/m", env: { TOKEN: "t0k3n" } });

describe("gateway: and replay: sections", () => {
  it("defaults keep existing files valid", () => {
    const config = parse("");
    assert.equal(config.gateway.maxBodyBytes, 104_857_600);
    assert.deepEqual(config.gateway.log, {
      kind: "file",
      dir: "/srv/m/.bluegreen/gw-config-log",
      fsync: true,
      awaitOutcome: false,
      syncBeforeForward: true,
      brokers: [],
      topic: "bluegreen-gw-config",
    });
    assert.equal(config.replay.deadLetterPath, "/srv/m/.bluegreen/gw-config-dead-letters.ndjson");
    assert.equal(config.replay.outcomeWaitMs, 30_000);
    // A request's outcome can come as late as the gateway's request timeout (60 s).
    assert.equal(config.replay.requestOutcomeWaitMs, 65_000);
    assert.equal(parse("replay: { outcomeWait: 2m }\n").replay.requestOutcomeWaitMs, 120_000);
  });

  it("the shared mode is off unless gateway.shared is set; its defaults and control topic", () => {
    assert.equal(parse("").gateway.shared, undefined);
    assert.equal(parse(`gateway: { ${KAFKA} }\n`).gateway.shared, undefined);
    assert.deepEqual(parse(`gateway: { shared: {}, ${KAFKA} }\n`).gateway.shared, {
      controlTopic: "bluegreen-gw-config-control",
      heartbeatMs: 1_000,
      leaseMs: 5_000,
      memberTimeoutMs: 15_000,
    });
  });

  it("the admin token is a Secret", () => {
    const config = parse("gateway: { adminToken: '$" + "{TOKEN}' }\n");
    assert.equal(config.gateway.adminToken?.reveal(), "t0k3n");
    assert.ok(!JSON.stringify(config).includes("t0k3n"));
  });

  const bad: [string, string, readonly string[]][] = [
    [
      "a tiny body limit",
      "gateway: { maxBodySize: 10 }\n",
      ["gateway.maxBodySize", "whole number from 1024"],
    ],
    [
      "kafka without brokers",
      "gateway: { log: { kind: kafka } }\n",
      ["gateway.log.brokers", "is required for kind kafka", "kafka1:9092"],
    ],
    ["an unknown log kind", "gateway: { log: { kind: s3 } }\n", ["gateway.log.kind"]],
    [
      "syncBeforeForward false on Kafka",
      "gateway: { log: { kind: kafka, brokers: ['k:9092'], syncBeforeForward: false } }\n",
      ["gateway.log.syncBeforeForward", "can be false only with kind file", "use kind: file"],
    ],
    [
      "a TLS cert that does not exist",
      "gateway: { tls: { cert: nope.pem, key: nope-key.pem } }\n",
      ["gateway.tls.cert", "/srv/m/nope.pem does not exist"],
    ],
    [
      "a duration that is not one",
      "replay: { outcomeWait: soon }\n",
      ["replay.outcomeWait", '"soon" is not a duration'],
    ],
    ["an unknown key", "replay: { batchsize: 5 }\n", ["replay", 'unknown key "batchsize"']],
    [
      "a shared mode on a file log",
      "gateway: { shared: {} }\n",
      ["gateway.shared", "needs gateway.log.kind kafka", "set gateway.log: { kind: kafka"],
    ],
    [
      "a shared-mode lease shorter than two heartbeats",
      `gateway: { shared: { heartbeat: 1s, lease: 1500ms }, ${KAFKA} }\n`,
      ["gateway.shared.lease", "(1500 ms) is shorter than two heartbeats (2000 ms)", "at least twice"],
    ],
    [
      "a shared-mode member timeout within the lease",
      `gateway: { shared: { lease: 5s, memberTimeout: 5s }, ${KAFKA} }\n`,
      ["gateway.shared.memberTimeout", "(5000 ms) does not exceed lease + heartbeat (6000 ms)"],
    ],
    [
      "a shared-mode control topic Kafka cannot name",
      `gateway: { shared: { controlTopic: 'a b' }, ${KAFKA} }\n`,
      ["gateway.shared.controlTopic", '"a b" is not a Kafka topic name'],
    ],
    [
      "a shared-mode heartbeat that is not a duration",
      `gateway: { shared: { heartbeat: often }, ${KAFKA} }\n`,
      ["gateway.shared.heartbeat", '"often" is not a duration'],
    ],
    [
      "an unknown shared-mode key",
      `gateway: { shared: { lease: 5s, members: 3 }, ${KAFKA} }\n`,
      ["gateway.shared", 'unknown key "members"'],
    ],
  ];
  for (const [name, yaml, contains] of bad) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => parse(yaml),
        (error) => {
          assert.ok(isBluegreenError(error, "BG_CONFIG_INVALID"), String(error));
          for (const fragment of contains)
            assert.ok(error.message.includes(fragment), `${fragment} not in:\n${error.message}`);
          return true;
        },
      );
    });
  }
});
