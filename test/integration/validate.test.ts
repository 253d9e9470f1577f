/**
 * `bluegreen validate` against the real pairs: a clean migration validates green (full and sampled,
 * 2.11 → 2.19 and 1.3 → 2.19); each injected difference is found and named; the readiness gate
 * records the result; bad input is a table asserting exit code and message.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadConfig } from "../../src/config/index.ts";
import { openMigrationState } from "../../src/state/index.ts";
import { readiness, type ValidationReport, validationReportSchema } from "../../src/validate/index.ts";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const pairs = [
  { name: "2.11 → 2.19", pair: sandbox, clusters: clustersOf(sandbox) },
  { name: "1.3 → 2.19", pair: sandbox.legacy, clusters: clustersOf(sandbox.legacy) },
] as const;

after(async () => {
  for (const { clusters } of pairs) {
    await dropAll(clusters.source, `${P}-*`);
    await dropAll(clusters.target, `${P}-*`);
    await clusters.close();
  }
});

function validate(file: string, dir: string, ...args: string[]) {
  const run = bluegreen(["validate", "-c", file, "--json", ...args], dir);
  const report = run.stdout.trim() === "" ? undefined : (JSON.parse(run.stdout) as ValidationReport);
  if (report !== undefined) validationReportSchema.parse(report);
  return { ...run, report };
}

for (const [n, { name, pair, clusters }] of pairs.entries()) {
  describe(`validate on ${name}`, () => {
    const base = `${P}-${n}`;
    const { dir, file } = migrationFile(base, pair, `${base}-*`);

    test("a clean migration validates green, full and sampled; the gate opens", async () => {
      await seed(clusters.source, `${base}-a`, 400, { shards: 2, routeEvery: 7 });
      await seed(clusters.source, `${base}-b`, 120, { shards: 1 });
      for (const step of [
        ["prepare", "--apply"],
        ["backfill", "--method", "stream"],
      ]) {
        const run = bluegreen([...step, "-c", file], dir);
        assert.equal(run.code, 0, run.stderr);
      }
      const full = validate(file, dir, "--full");
      assert.equal(full.code, 0, full.stderr);
      assert.equal(full.report?.passed, true);
      assert.deepEqual(
        full.report?.checks.map((c) => `${c.index}:${c.kind}:${c.passed}`),
        [
          "*:metadata:true",
          "*:ism:true",
          "*:dashboards:true",
          `${base}-a:count:true`,
          `${base}-a:content:true`,
          `${base}-a:queries:true`,
          `${base}-b:count:true`,
          `${base}-b:content:true`,
          `${base}-b:queries:true`,
        ],
      );
      const content = full.report?.checks.find((c) => c.kind === "content" && c.index === `${base}-a`);
      assert.equal(content?.compared, 400);
      const sampled = validate(file, dir, "--sample", "50", "--seed", "7");
      assert.equal(sampled.code, 0, sampled.stderr);
      assert.equal(sampled.report?.mode, "sample");
      assert.equal(sampled.report?.sample?.seed, 7);
      const state = openMigrationState(await loadConfig(file));
      try {
        assert.equal(readiness(state, 60_000).ok, true);
      } finally {
        state.close();
      }
    });

    test("injected differences are each found and named, and the gate closes", async () => {
      const index = `${base}-a`;
      const t = clusters.target;
      await t.request({ method: "DELETE", path: `/${index}/_doc/d1` });
      await t.request({
        method: "PUT",
        path: `/${index}/_doc/intruder`,
        body: { title: "not on the source" },
      });
      await t.request({ method: "POST", path: `/${index}/_update/d2`, body: { doc: { n: 999 } } });
      // Same _id under another routing: the source's document is gone from where it was.
      await t.request({ method: "DELETE", path: `/${index}/_doc/d7`, querystring: { routing: "r3" } });
      await t.request({
        method: "PUT",
        path: `/${index}/_doc/d7`,
        querystring: { routing: "elsewhere" },
        body: { title: "moved" },
      });
      // Metadata drift: a field the source has and the target lacks.
      await clusters.source.request({
        method: "PUT",
        path: `/${base}-b/_mapping`,
        body: { properties: { added: { type: "keyword" } } },
      });
      const run = validate(file, dir, "--full");
      assert.equal(run.code, 1);
      assert.match(run.stderr, /error BG_VALIDATE_FAILED: Validation failed: .*content .*-a/);
      assert.match(run.stderr, /fix: /);
      const report = run.report as ValidationReport;
      assert.equal(report.passed, false);
      assert.equal(report.checks[0]?.passed, false, "failures first");
      const content = report.checks.find((c) => c.kind === "content" && c.index === index);
      const named = (content?.first ?? []).map(
        (d) => `${d.kind}:${d.id}${d.kind === "differs" ? `:${d.path}` : ""}`,
      );
      assert.ok(named.includes("missing:d1"), named.join(", "));
      assert.ok(named.includes("extra:intruder"), named.join(", "));
      assert.ok(named.includes("differs:d2:n"), named.join(", "));
      assert.ok(
        named.some((d) => d.includes(":d7")),
        named.join(", "),
      );
      const metadata = report.checks.find((c) => c.kind === "metadata");
      assert.equal(metadata?.passed, false);
      assert.ok(
        metadata?.items?.some((i) => i.includes(`${base}-b`)),
        JSON.stringify(metadata?.items),
      );
      const count = report.checks.find((c) => c.kind === "count" && c.index === index);
      assert.equal(count?.passed, true, "one missing and one extra: counts alone would have passed");
      assert.ok(report.differencesFile !== undefined && existsSync(report.differencesFile));
      const lines = readFileSync(report.differencesFile, "utf8").trim().split("\n");
      assert.ok(lines.length >= 4, `differences file: ${lines.length} line(s)`);
      assert.ok(lines.every((l) => (JSON.parse(l) as { index: string }).index === index));
      const state = openMigrationState(await loadConfig(file));
      try {
        const verdict = readiness(state, 60_000);
        assert.equal(verdict.ok, false);
        assert.match(verdict.ok ? "" : verdict.reason, /the last validation failed/);
      } finally {
        state.close();
      }
    });
  });
}

describe("bad input", () => {
  const { dir, file } = migrationFile(`${P}-bad`, sandbox, `${P}-bad-*`);
  const table: [string, string[], number, RegExp][] = [
    ["a sample of 0", ["--sample", "0"], 2, /"0" is not a sample size: use a whole number from 1 to 1000000/],
    ["a sample that is not a number", ["--sample", "many"], 2, /"many" is not a sample size/],
    [
      "--full with --sample",
      ["--full", "--sample", "5"],
      2,
      /error BG_USAGE: --full and --sample exclude each other/,
    ],
    ["a negative seed", ["--seed", "-1"], 2, /"-1" is not a seed/],
    [
      "an index the migration does not select",
      ["--index", "nope"],
      2,
      /error BG_USAGE: --index names "nope", not an open index the migration selects/,
    ],
  ];
  for (const [name, args, code, message] of table) {
    test(name, () => {
      const run = bluegreen(["validate", "-c", file, ...args], dir);
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    });
  }

  test("a missing migration file", () => {
    const run = bluegreen(["validate", "-c", join(dir, "absent.yaml")], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /error BG_CONFIG_NOT_FOUND/);
  });
});
