import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import {
  type ApplyResult,
  applyPrepare,
  ccrCreatesIndices,
  compare,
  conflictError,
  countActions,
  noMatchError,
  planOutputSchema,
  prepareStep,
  prepareSummary,
  renderApplied,
  renderPlan,
  unmatchedPatterns,
  withClusters,
} from "../../prepare/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface PrepareOptions {
  config: string;
  plan: boolean;
  apply: boolean;
  prune: boolean;
  json: boolean;
}

function renderResult(result: ApplyResult): string {
  const tuned = Object.keys(result.tuned);
  const tunedNote =
    tuned.length === 0
      ? ""
      : `\ntuned for the backfill (refresh_interval -1, 0 replicas): ${tuned.join(", ")}; real values: ${JSON.stringify(result.tuned)}`;
  return `applied ${result.applied.length} change(s)${result.applied.length === 0 ? "" : `:\n${renderApplied(result.applied)}`}${tunedNote}`;
}

export function registerPrepare(program: Command, io: Output = consoleOutput): void {
  program
    .command("prepare")
    .description(COMMAND_SUMMARIES.prepare.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--plan", "show what would change (the default)", false)
    .option("--apply", "create and update on the target; deletes only with --prune", false)
    .option(
      "--prune",
      "also delete what only the target has: selected indices, their aliases and data streams, and every non-built-in template, pipeline, script, ISM policy and non-reserved security entity",
      false,
    )
    .option("--json", "print as JSON (schema: docs/prepare-plan.schema.json)", false)
    .action(async (opts: PrepareOptions) => {
      const config = await loadConfig(opts.config);
      const logger = createLogger();
      await withClusters(config, logger, async (source, target) => {
        const comparison = await compare(config, source, target, {
          ...(opts.prune ? { prune: true } : {}),
          leaveToCcr: await ccrCreatesIndices(config),
        });
        const unmatched = unmatchedPatterns(config.indices, comparison.inventory);
        if (unmatched.length > 0) throw noMatchError(unmatched);
        const { source: about, target: targetAbout, blockers, clusterSettings, items } = comparison;
        const plan = { source: about, target: targetAbout, blockers, clusterSettings, items };
        if (!opts.apply) {
          // Parsing what we print keeps the documented schema honest.
          const output = planOutputSchema.parse({ ...plan, summary: countActions(plan.items) });
          io.out(opts.json ? toJson(output) : renderPlan(plan));
          return;
        }
        const state = openMigrationState(config);
        try {
          await recordStepRun(
            prepareStep(config, logger),
            { state, logger, signal: new AbortController().signal, via: "prepare --apply" },
            async (ctx) => {
              const { result } = await applyPrepare(config, source, target, ctx, comparison);
              io.out(opts.json ? toJson(result) : renderResult(result));
              // The target changed between the plan and the apply: what was applied stays, the step is not done.
              if (result.skipped.length > 0) throw conflictError(result.skipped);
              return { value: result, result: { kind: "done", summary: prepareSummary(comparison, result) } };
            },
          );
        } finally {
          state.close();
        }
      });
    });
}
