/** Step 4 as the workflow runs it: validate fully (or as configured) and record the gate. */
import { dirname, join } from "node:path";
import type { MigrationConfig } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import { createLogger } from "../log/index.ts";
import { openMigrationState } from "../state/index.ts";
import type { Step } from "../workflow/index.ts";
import { readiness, validateFailed } from "./gate.ts";
import { runValidation, type ValidateMode } from "./run.ts";

function configuredMode(config: MigrationConfig): ValidateMode {
  const v = config.validate;
  return v.mode === "sample" ? { kind: "sample", size: v.sampleSize, seed: v.seed } : { kind: "full" };
}

export function validateStep(config: MigrationConfig, logger: Logger = createLogger()): Step {
  const mode = configuredMode(config);
  return {
    id: "validate",
    title: "Validate: counts, every document's content, the metadata and what searches return, on both sides",
    async plan() {
      return {
        kind: "apply",
        summary: `compare the selected indices (${mode.kind === "full" ? "every document" : `a sample of ${mode.size} per index and side`}) and the metadata; record the result for the cutover gate`,
        actions: [],
      };
    },
    async apply(ctx) {
      const state = openMigrationState(config);
      try {
        const report = await runValidation(config, state, logger, {
          mode,
          differencesFile: join(dirname(config.state.path), "validate-differences.ndjson"),
          signal: ctx.signal,
          onCheck: (c) =>
            ctx.event("validate.check", {
              index: c.index,
              kind: c.kind,
              passed: c.passed,
              summary: c.summary,
            }),
        });
        if (!report.passed) throw validateFailed(report);
        return { kind: "done", summary: { checks: report.checks.length, mode: report.mode } };
      } finally {
        state.close();
      }
    },
    async verify() {
      const state = openMigrationState(config);
      try {
        const verdict = readiness(state, config.validate.maxAgeMs);
        return verdict.ok ? { ok: true } : { ok: false, reason: verdict.reason, retryable: false };
      } finally {
        state.close();
      }
    },
  };
}
