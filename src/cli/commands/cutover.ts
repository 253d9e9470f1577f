import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { CUTOVER_APPROVAL, cutoverStep, cutoverSummary, runCutover } from "../../cutover/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { confirm } from "./confirm.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface CutoverFlags {
  config: string;
  yes: boolean;
  force: boolean;
  url?: string;
  json: boolean;
}

export function registerCutover(program: Command, io: Output = consoleOutput): void {
  program
    .command("cutover")
    .description(COMMAND_SUMMARIES.cutover.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--yes", "do not ask for confirmation", false)
    .option("--force", "cut over although the readiness gate is closed (recorded)", false)
    .option("--url <url>", "the running gateway (default: gateway.listen)")
    .option("--json", "print the result as JSON", false)
    .action(async (opts: CutoverFlags) => {
      const config = await loadConfig(opts.config);
      if (!opts.yes && !(await confirm("Cutover", CUTOVER_APPROVAL))) {
        io.progress("cutover not started");
        process.exitCode = 1;
        return;
      }
      const state = openMigrationState(config);
      const logger = createLogger();
      try {
        // Recorded as the workflow's cutover step, so `run` and `status` know it was done by hand.
        const result = await recordStepRun(
          cutoverStep(config, logger),
          { state, logger, signal: new AbortController().signal, via: "cutover" },
          async () => {
            const done = await runCutover(config, state, logger, {
              force: opts.force,
              ...(opts.url === undefined ? {} : { gatewayUrl: opts.url }),
              onPart: (part, phase) => {
                if (!opts.json && phase !== "start")
                  io.progress(`${part}: ${phase === "done" ? "done" : "already done"}`);
              },
            });
            return { value: done, result: { kind: "done", summary: cutoverSummary(done) } };
          },
        );
        io.out(
          opts.json
            ? toJson(result)
            : `cut over: writes paused ${(result.pauseMs / 1000).toFixed(2)}s; the source is write-blocked (${Object.keys(result.record.block?.previous ?? {}).length} index(es)); clients now write to the target`,
        );
      } finally {
        state.close();
      }
    });
}
