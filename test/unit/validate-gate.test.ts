import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { openState } from "../../src/state/index.ts";
import {
  type Check,
  gateError,
  lastValidation,
  orderChecks,
  readiness,
  recordForcedGate,
  recordValidation,
  reportJsonSchemaText,
  startValidation,
  type ValidationReport,
  validationReportSchema,
} from "../../src/validate/index.ts";

const dir = mkdtempSync(join(tmpdir(), "bg-gate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const check = (index: string, kind: Check["kind"], passed: boolean): Check => ({
  index,
  targetIndex: index,
  kind,
  passed,
  summary: passed ? "equal" : "differs",
  seconds: 0,
});

function report(passed: boolean, finishedAt: string): ValidationReport {
  return validationReportSchema.parse({
    passed,
    startedAt: finishedAt,
    finishedAt,
    mode: "full",
    sync: { method: "gateway", position: { "0": 42 }, lagRecords: 0 },
    checks: [check("logs", "content", passed), check("logs", "count", true)],
  });
}

const HOUR = 3_600_000;
const NOW = new Date("2026-11-30T12:00:00Z");

describe("readiness gate", () => {
  const state = openState(join(dir, "state.db"), { migrationName: "m", fingerprint: "f" });
  after(() => state.close());

  const table: [string, (() => void) | undefined, boolean, RegExp][] = [
    ["nothing recorded", undefined, false, /no finished validation is recorded/],
    ["a fresh pass", () => recordValidation(state, report(true, "2026-11-30T11:30:00Z")), true, /./],
    [
      "a pass older than maxAge",
      () => recordValidation(state, report(true, "2026-11-30T10:00:00Z")),
      false,
      /passed at 2026-11-30T10:00:00Z, 120 min ago, older than validate.maxAge \(60 min\)/,
    ],
    [
      "a fresh failure",
      () => recordValidation(state, report(false, "2026-11-30T11:59:00Z")),
      false,
      /the last validation failed \(content logs: differs\)/,
    ],
    [
      "a pass, then a run that started and crashed",
      () => {
        recordValidation(state, report(true, "2026-11-30T11:59:00Z"));
        startValidation(state);
      },
      false,
      /no finished validation is recorded/,
    ],
  ];
  for (const [name, setUp, ok, reason] of table) {
    test(name, () => {
      setUp?.();
      const verdict = readiness(state, HOUR, NOW);
      assert.equal(verdict.ok, ok);
      if (!verdict.ok) {
        assert.match(verdict.reason, reason);
        const error = gateError(verdict);
        assert.equal(error.code, "BG_VALIDATE_GATE");
        assert.equal(error.exitCode, 1);
        assert.match(error.fix ?? "", /bluegreen validate/);
      }
    });
  }

  test("the report survives the state file as it was recorded; an override is an event", () => {
    const stored = report(true, "2026-11-30T11:00:00Z");
    recordValidation(state, stored);
    assert.deepEqual(lastValidation(state), stored);
    const verdict = readiness(state, 1, NOW);
    assert.ok(!verdict.ok);
    recordForcedGate(state, verdict);
    const events = state.readEvents({ step: "validate" }).map((e) => e.type);
    assert.deepEqual(events.slice(-2), ["validate.passed", "validate.gate-forced"]);
  });
});

test("checks are ordered failures first, then by index and kind", () => {
  const ordered = orderChecks([
    check("b", "count", true),
    check("a", "metadata", true),
    check("a", "count", true),
    check("c", "content", false),
  ]);
  assert.deepEqual(
    ordered.map((c) => `${c.index}:${c.kind}`),
    ["c:content", "a:count", "a:metadata", "b:count"],
  );
});

test("docs/validate-report.schema.json is what the schema generates (npm run schema:validate)", () => {
  const file = new URL("../../docs/validate-report.schema.json", import.meta.url);
  assert.equal(readFileSync(file, "utf8"), reportJsonSchemaText());
});
