/**
 * `npm run conformance`: the WHOLE OpenSearch REST API YAML suite (every folder), directly against the
 * 2.11 source and then through the gateway in capture mode, with the same seed; prints passed, skipped
 * and failed per side, every test whose result differs (with a first guess at the cause), and the
 * replay checks. Exits 1 when anything differs.
 *
 * Uses the YAML tests' own pair (`<BLUEGREEN_TEST_SANDBOX_NAME or "test">-yaml` on
 * BLUEGREEN_TEST_PORT_BASE + 400), started if needed and purged afterwards unless BLUEGREEN_TEST_KEEP=1.
 * `--source es-7.10` runs Elasticsearch 7.10.2's own suite instead, against an Elasticsearch 7.10.2
 * source with an OpenSearch 3 target (`…-yaml-es` on port base + 410); `--source 3` runs OpenSearch
 * 3's, against a 3.x source with a 3.x target (`…-yaml-3` on port base + 420).
 * Flags: --suites a,b (folders; default all), --seed S, --checkpoint-every N (default 1; 0 turns the
 * per-test replay + digest off), --json FILE (everything as JSON), --json-only (every body as JSON
 * instead of a random JSON/YAML/SMILE/CBOR: tells body-format problems from the rest), --gateway-only
 * (skip the direct run and compare against --baseline FILE, a --json output of an earlier run).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { table } from "../../src/report/index.ts";
import {
  CAUSES,
  causeOf,
  countResults,
  DEFAULT_SEED,
  diffResults,
  type RestYamlRun,
  runRestYaml,
  type YamlFlavour,
  type YamlTestResult,
} from "../support/rest-yaml.ts";
import {
  hostPort,
  resetPair,
  runThroughGateway,
  yamlPairDown,
  yamlPairUp,
} from "../support/rest-yaml-gateway.ts";

const { values } = parseArgs({
  options: {
    source: { type: "string", default: "2.11" },
    suites: { type: "string", default: "" },
    seed: { type: "string", default: DEFAULT_SEED },
    "checkpoint-every": { type: "string", default: "1" },
    json: { type: "string" },
    "json-only": { type: "boolean", default: false },
    "gateway-only": { type: "boolean", default: false },
    baseline: { type: "string" },
  },
});
const FLAVOURS: Readonly<Record<string, YamlFlavour>> = {
  "2.11": "opensearch",
  "3": "opensearch-3",
  "es-7.10": "elasticsearch-7",
};
const flavour = FLAVOURS[values.source];
if (flavour === undefined) {
  console.error(`--source ${values.source} is not one of ${Object.keys(FLAVOURS).join(", ")}.`);
  process.exit(2);
}
const suites = values.suites === "" ? [] : values.suites.split(",");
const every = Number(values["checkpoint-every"]);
const reports = join(tmpdir(), `bluegreen-conformance-${process.pid}`);
const properties: Record<string, string> = values["json-only"] ? { "bluegreen.jsonOnly": "true" } : {};
const say = (m: string) => process.stderr.write(`${m}\n`);

const started = Date.now();
const pair = await yamlPairUp(flavour, (m) => say(`[sandbox yaml] ${m}`));
try {
  await resetPair(pair);
  let direct: { results: readonly YamlTestResult[]; seconds: number };
  if (values["gateway-only"]) {
    if (values.baseline === undefined) throw new Error("--gateway-only needs --baseline FILE");
    direct = (JSON.parse(readFileSync(values.baseline, "utf8")) as { direct: RestYamlRun }).direct;
  } else {
    say(`direct run against ${pair.source.url} (seed ${values.seed})…`);
    direct = await runRestYaml({
      cluster: hostPort(pair.source.url),
      suites,
      flavour,
      seed: values.seed,
      reportsDir: join(reports, "direct"),
      properties,
    });
  }
  say(`run through the gateway (checkpoint every ${every === 0 ? "never" : `${every} test(s)`})…`);
  const gateway = await runThroughGateway(pair, {
    suites,
    flavour,
    seed: values.seed,
    reportsDir: join(reports, "gateway"),
    checkpointEvery: every,
    properties,
  });
  const differences = diffResults(direct.results, gateway.run.results);
  const checkpointSeconds = gateway.checkpoints.reduce((a, c) => a + c.ms, 0) / 1000;
  const mismatched = gateway.checkpoints.filter((c) => c.problems.length > 0);

  const side = (name: string, results: readonly YamlTestResult[], seconds: number) => {
    const c = countResults(results);
    return [name, c.passed, c.skipped, c.failed, c.total, seconds.toFixed(0)];
  };
  console.log(
    table(
      ["side", "passed", "skipped", "failed", "total", "seconds"],
      [
        side("direct", direct.results, direct.seconds),
        side("gateway", gateway.run.results, gateway.run.seconds),
      ],
    ),
  );
  const byCause = CAUSES.map((cause) => {
    const hits = differences.filter((d) => causeOf(d) === cause);
    return [cause, hits.length, hits[0]?.name];
  }).filter((row) => row[1] !== 0);
  if (byCause.length > 0) {
    console.log(`\n${differences.length} tests differ; by (guessed) cause:`);
    console.log(table(["cause", "tests", "example"], byCause));
    console.log("\nEvery difference:");
    console.log(
      table(
        ["test", "direct", "gateway", "cause", "message"],
        differences.map((d) => [
          d.name,
          d.direct,
          d.gateway,
          causeOf(d),
          (d.message ?? "").split("\n")[0]?.slice(0, 160),
        ]),
        [60, 9, 9, 14, 70],
      ),
    );
  } else {
    console.log("\nNo test differs between the direct run and the run through the gateway.");
  }
  console.log(
    `\nreplay: ${gateway.deadLettered} dead letters; ${gateway.checkpoints.length} checkpoints ` +
      `(${checkpointSeconds.toFixed(0)} s), ${mismatched.length} with source ≠ target; ` +
      `after the run: ${gateway.finalProblems.length === 0 ? "source ≡ target" : gateway.finalProblems.join("; ")}`,
  );
  for (const c of mismatched) console.log(`  - ${c.test}: ${c.problems.join("; ")}`);
  for (const line of gateway.deadLetters.slice(0, 20)) console.log(`  dead letter: ${line}`);
  console.log(`\nreports: ${reports}; wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (values.json !== undefined) {
    writeFileSync(values.json, JSON.stringify({ direct, gateway, differences }, null, 1));
  }
  const clean = differences.length === 0 && gateway.deadLettered === 0 && mismatched.length === 0;
  process.exitCode = clean && gateway.finalProblems.length === 0 ? 0 : 1;
} finally {
  await yamlPairDown(flavour);
}
