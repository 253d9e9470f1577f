import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { Step, StepContext, StepResult } from "../workflow/index.ts";
import { type CheckReport, checkClusters } from "./inspect.ts";

/**
 * The step's verdict on a check report, shared with `clusters check`: blockers throw
 * BG_PREFLIGHT_BLOCKED, anything else is done with a summary for `status`.
 */
export function preflightResult(report: CheckReport, ctx: Pick<StepContext, "event">): StepResult {
  ctx.event("preflight.report", {
    blockers: report.blockers,
    warnings: report.warnings,
    source: report.source.facts?.versionText,
    target: report.target.facts?.versionText,
  });
  if (report.blockers.length > 0) {
    const lines = report.blockers.map(
      (b) => `- [${b.rule}] ${b.message}${b.fix === undefined ? "" : ` Fix: ${b.fix}`}`,
    );
    throw new BluegreenError(
      "BG_PREFLIGHT_BLOCKED",
      `Preflight found ${report.blockers.length} blocker(s):\n${lines.join("\n")}`,
      {
        fix: "Resolve the blockers, then run `bluegreen run` again; `bluegreen clusters check` shows the details.",
        details: { blockers: report.blockers },
      },
    );
  }
  return {
    kind: "done",
    summary: {
      source: report.source.facts?.versionText,
      target: report.target.facts?.versionText,
      indices: report.source.indices?.length ?? 0,
      warnings: report.warnings.length,
    },
  };
}

/** Step 0: nothing else runs against clusters that are unreachable, mismatched or red. */
export function preflightStep(config: MigrationConfig, logger?: Logger): Step {
  return {
    id: "preflight",
    title: "Preflight: both clusters reachable, compatible and healthy",
    async plan() {
      return {
        kind: "apply",
        summary: "Inspect source and target and stop on blockers",
        actions: [{ description: `Inspect ${config.source.name} and ${config.target.name} (read-only)` }],
      };
    },
    async apply(ctx) {
      return preflightResult(await checkClusters(config, logger), ctx);
    },
    async verify() {
      return { ok: true };
    },
  };
}
