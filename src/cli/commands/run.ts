import type { Command } from "commander";
import { backfillStep } from "../../backfill/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { cutoverStep } from "../../cutover/index.ts";
import { decommissionStep } from "../../decommission/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { createLogger } from "../../log/index.ts";
import { preflightStep } from "../../preflight/index.ts";
import { prepareStep } from "../../prepare/index.ts";
import { renderError, table, toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { syncStep } from "../../sync/index.ts";
import { validateStep } from "../../validate/index.ts";
import { type Approval, runWorkflow, STEP_IDS, type Step, type StepId } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { askLine, isTerminal } from "./confirm.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

/** The migration from start to finish; rollback is not in it (it is run by hand, when needed). */
export function migrationSteps(config: MigrationConfig, logger = createLogger()): Step[] {
  return [
    preflightStep(config, logger),
    prepareStep(config, logger),
    backfillStep(config, logger),
    syncStep(config, logger),
    validateStep(config, logger),
    cutoverStep(config, logger),
    decommissionStep(config, logger),
  ];
}

interface RunFlags {
  config: string;
  json: boolean;
  yes: boolean;
  until?: string;
}

function stepId(value: string): StepId {
  if ((STEP_IDS as readonly string[]).includes(value)) return value as StepId;
  throw new BluegreenError("BG_USAGE", `--until ${value}: there is no such step.`, {
    fix: `Use one of: ${STEP_IDS.filter((s) => s !== "rollback").join(", ")}.`,
  });
}

/** --yes approves; on a terminal a person answers; otherwise the run stops before the step. */
function approver(yes: boolean) {
  return async (step: Step): Promise<Approval> => {
    if (yes) return { approved: true, by: "--yes" };
    if (!isTerminal()) return { approved: false, reason: "no --yes, and no terminal to ask on" };
    const answer = await askLine(`${step.id}: ${step.approval ?? step.title}. Go on? [y/N] `);
    return /^y(es)?$/i.test(answer)
      ? { approved: true, by: "terminal" }
      : { approved: false, reason: "declined on the terminal" };
  };
}

export function registerRun(program: Command, io: Output = consoleOutput): void {
  program
    .command("run")
    .description(COMMAND_SUMMARIES.run.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--yes", "approve the steps that change both clusters (cutover, decommission)", false)
    .option("--until <step>", "stop before this step (e.g. --until cutover)")
    .option("--json", "print the outcome as JSON", false)
    .action(async (opts: RunFlags) => {
      const config = await loadConfig(opts.config);
      const until = opts.until === undefined ? undefined : stepId(opts.until);
      const state = openMigrationState(config);
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      try {
        const outcome = await runWorkflow(migrationSteps(config), {
          state,
          logger: createLogger(),
          signal: controller.signal,
          approve: approver(opts.yes),
          ...(until === undefined ? {} : { until }),
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
        } else if (outcome.status === "stopped" && outcome.reason === "until") {
          // With --json the outcome says so (status stopped, reason until).
          if (!opts.json)
            io.progress(`stopped before ${outcome.stoppedBefore} (--until ${outcome.stoppedBefore})`);
        } else if (outcome.status === "stopped") {
          const step = migrationSteps(config).find((s) => s.id === outcome.stoppedBefore);
          const error = new BluegreenError(
            "BG_APPROVAL",
            `The run stopped before ${outcome.stoppedBefore}, which ${step?.approval ?? "changes both clusters"}: it needs approval (${outcome.detail ?? "not given"}). Every step before it is done.`,
            {
              fix: `Run \`bluegreen run -c ${opts.config} --yes\` to approve it, or run it on a terminal and answer yes; \`--until ${outcome.stoppedBefore}\` stops here without asking.`,
            },
          );
          io.progress(renderError(error).trimEnd());
          process.exitCode = error.exitCode;
        }
      } finally {
        process.off("SIGINT", onSignal);
        state.close();
      }
    });
}
