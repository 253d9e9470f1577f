import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import {
  apply,
  assertApplicable,
  compare,
  countActions,
  noMatchError,
  pending,
  planOutputSchema,
  renderApplied,
  renderPlan,
  unmatchedPatterns,
  withClusters,
} from "../../prepare/index.ts";
import { toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";

interface PrepareOptions {
  config: string;
  plan: boolean;
  apply: boolean;
  prune: boolean;
  json: boolean;
}

export function registerPrepare(program: Command, io: Output = consoleOutput): void {
  program
    .command("prepare")
    .description(
      "Step 1: align the target's templates, pipelines, scripts, indices, aliases, data streams, ISM policies and security configuration with the source",
    )
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
        assertApplicable(comparison);
        const { changes } = pending(comparison.items);
        const result = await apply(target, changes, comparison.inventory, {
          backfillTuning: config.prepare.backfillTuning,
        });
        const tuned = Object.keys(result.tuned);
        const tunedNote =
          tuned.length === 0
            ? ""
            : `\ntuned for the backfill (refresh_interval -1, 0 replicas): ${tuned.join(", ")}; real values: ${JSON.stringify(result.tuned)}`;
        io.out(
          opts.json
            ? toJson(result)
            : `applied ${result.applied.length} change(s)${result.applied.length === 0 ? "" : `:\n${renderApplied(result.applied)}`}${tunedNote}`,
        );
      });
    });
}
