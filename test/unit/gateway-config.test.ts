import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const HEAD =
  "version: 1\nname: gw-config\nsource: { url: 'http://127.0.0.1:9200' }\ntarget: { url: 'http://127.0.0.1:9201' }\n";
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
