import type { Command } from "commander";
import { backfillStep } from "../../backfill/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import { preflightStep } from "../../preflight/index.ts";
import { prepareStep } from "../../prepare/index.ts";
import { table, toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { validateStep } from "../../validate/index.ts";
import { runWorkflow, type Step } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";

/** The steps that exist so far; later issues add sync, cutover, … here. */
export function migrationSteps(config: MigrationConfig): Step[] {
  const logger = createLogger();
  return [
    preflightStep(config, logger),
    prepareStep(config, logger),
    backfillStep(config, logger),
    validateStep(config, logger),
  ];
}

export function registerRun(program: Command, io: Output = consoleOutput): void {
  program
    .command("run")
    .description("Run the migration's steps in order, resuming where the last run stopped")
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--json", "print the outcome as JSON", false)
    .action(async (opts: { config: string; json: boolean }) => {
      const config = await loadConfig(opts.config);
      const state = openMigrationState(config);
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      try {
        const outcome = await runWorkflow(migrationSteps(config), {
          state,
          logger: createLogger(),
          signal: controller.signal,
        });
        if (opts.json) {
          io.out(
            toJson({ ...outcome, steps: outcome.steps.map((s) => ({ ...s, error: s.error?.toJSON() })) }),
          );
        } else {
          io.out(
            table(
              ["step", "outcome", "attempts", "note"],
              outcome.steps.map((s) => [s.id, s.outcome, s.attempts, s.error?.message ?? s.reason]),
            ),
          );
        }
        if (outcome.status === "failed") {
          if (!opts.json) io.progress(`fix: ${outcome.error.fix ?? "see the error above"}`);
          process.exitCode = outcome.error.exitCode;
        } else if (outcome.status === "cancelled") {
          process.exitCode = 1;
        }
      } finally {
        process.off("SIGINT", onSignal);
        state.close();
      }
    });
}
