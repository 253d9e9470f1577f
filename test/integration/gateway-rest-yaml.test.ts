/**
 * Issue 9, "the gateway must accept what OpenSearch accepts": OpenSearch's own REST API YAML tests for
 * documents, bulk, search, mappings and aliases run directly against a 2.11 source, then through the
 * gateway in capture mode in front of the same source with the same seed (so the same random body
 * formats: JSON, YAML, SMILE, CBOR). The same tests must pass and skip both ways, the capture log must
 * replay with no dead letters, and source ≡ target after every test, checked before the runner's
 * wipe (see Checkpoint.java). Then the same folders of Elasticsearch 7.10.2's own suite, against a
 * 7.10.2 source replayed to OpenSearch 3: the typed API and the 7.x answers its clients expect.
 *
 * The runner wipes the whole cluster after every test, so this file starts its own pairs
 * (`<name>-yaml`, then `<name>-yaml-es`; see rest-yaml-gateway.ts), one at a time, instead of using
 * the suite's shared ones.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { SandboxStatus } from "../../src/sandbox/index.ts";
import {
  countResults,
  DEFAULT_SEED,
  diffResults,
  FOCUSED_SUITES,
  formatDifferences,
  formatResults,
  type RestYamlRun,
  runRestYaml,
  type YamlFlavour,
} from "../support/rest-yaml.ts";
import {
  type GatewayRun,
  hostPort,
  resetPair,
  runThroughGateway,
  yamlPairDown,
  yamlPairUp,
} from "../support/rest-yaml-gateway.ts";

const SEED = process.env.BLUEGREEN_TEST_YAML_SEED ?? DEFAULT_SEED;
// Every test by default (about 70 s of the gateway run on a quiet 2-core box); N checks every Nth.
const CHECKPOINT_EVERY = Number(process.env.BLUEGREEN_TEST_YAML_CHECKPOINT_EVERY ?? "1");
// Minutes on a quiet 2-core box; a busy one can take several times as long, past the suite's default.
const LONG = 30 * 60_000;
const REPORTS_ROOT = join(tmpdir(), `bluegreen-rest-yaml-${process.pid}`);

const FLAVOURS: readonly [YamlFlavour, string][] = [
  ["opensearch", "OpenSearch's REST API YAML tests on a 2.11 source"],
  ["elasticsearch-7", "Elasticsearch 7.10.2's REST API YAML tests on a 7.10.2 source"],
];

for (const [flavour, title] of FLAVOURS)
  describe(`${title}, directly and through the gateway`, () => {
    const REPORTS = join(REPORTS_ROOT, flavour);
    let pair: SandboxStatus | undefined;
    let direct: Promise<RestYamlRun> | undefined;
    let gateway: Promise<GatewayRun> | undefined;

    before(
      async () => {
        pair = await yamlPairUp(flavour, (m) => process.stderr.write(`[sandbox yaml] ${m}\n`));
        await resetPair(pair);
      },
      { timeout: LONG },
    );
    // Reports stay on disk when something failed: the failure messages point at them.
    let passed = 0;
    after(async () => {
      await yamlPairDown(flavour);
      if (passed === 4) rmSync(REPORTS, { recursive: true, force: true });
    });

    const directRun = () => {
      assert.ok(pair !== undefined);
      direct ??= runRestYaml({
        cluster: hostPort(pair.source.url),
        suites: FOCUSED_SUITES,
        flavour,
        seed: SEED,
        reportsDir: join(REPORTS, "direct"),
      });
      return direct;
    };
    const gatewayRun = () => {
      assert.ok(pair !== undefined);
      gateway ??= runThroughGateway(pair, {
        suites: FOCUSED_SUITES,
        flavour,
        seed: SEED,
        reportsDir: join(REPORTS, "gateway"),
        checkpointEvery: CHECKPOINT_EVERY,
      });
      return gateway;
    };

    test("directly against the source: every test passes or skips itself", {
      timeout: LONG,
    }, async (t) => {
      const run = await directRun();
      const counts = countResults(run.results);
      t.diagnostic(
        `direct: ${JSON.stringify(counts)} in ${run.seconds.toFixed(0)} s (offline: ${run.offline})`,
      );
      assert.ok(counts.total > 400, `only ${counts.total} tests ran; reports in ${run.reportsDir}`);
      const failed = run.results.filter((r) => r.status === "failed");
      assert.equal(failed.length, 0, `failed directly:\n${formatResults(failed)}`);
      passed++;
    });

    test("through the gateway: the same tests pass and the same skip", { timeout: LONG }, async (t) => {
      // One after the other: both runs wipe the same source after every test.
      const d = await directRun();
      const g = await gatewayRun();
      const ms = g.checkpoints.map((c) => c.ms);
      t.diagnostic(
        `gateway: ${JSON.stringify(countResults(g.run.results))} in ${g.run.seconds.toFixed(0)} s, ` +
          `${ms.length} checkpoints took ${(sum(ms) / 1000).toFixed(1)} s (max ${Math.max(0, ...ms).toFixed(0)} ms)`,
      );
      const differences = diffResults(d.results, g.run.results);
      assert.equal(
        differences.length,
        0,
        `${differences.length} tests differ through the gateway (seed ${SEED}; reports in ${REPORTS}):\n` +
          formatDifferences(differences),
      );
      passed++;
    });

    test("the capture log replays to the target with no dead letters", async () => {
      const g = await gatewayRun();
      assert.equal(g.deadLettered, 0, `dead letters:\n${g.deadLetters.slice(0, 20).join("\n")}`);
      const where = g.checkpoints
        .filter((c) => c.deadLettered > 0)
        .map((c) => `${c.test}: ${c.deadLettered}`);
      assert.deepEqual(where, []);
      passed++;
    });

    test("source ≡ target by content digest after every test, before the runner wipes", async () => {
      const g = await gatewayRun();
      const expected = Math.floor(400 / Math.max(1, CHECKPOINT_EVERY));
      assert.ok(g.checkpoints.length > expected, `only ${g.checkpoints.length} checkpoints ran`);
      const mismatches = g.checkpoints
        .filter((c) => c.problems.length > 0)
        .map((c) => `- ${c.test}\n    ${c.problems.join("\n    ")}`);
      assert.equal(mismatches.length, 0, `source and target differ after:\n${mismatches.join("\n")}`);
      assert.deepEqual(g.finalProblems, []);
      passed++;
    });
  });

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
