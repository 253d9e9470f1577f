import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { runRollback } from "../../rollback/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { confirm } from "./confirm.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

/** Rollback is no step of `run`, but it is recorded as one, so `status` shows it was done. */
const ROLLBACK_STEP = { id: "rollback", title: "Rollback: clients back to the source" } as const;

interface RollbackFlags {
  config: string;
  yes: boolean;
  url?: string;
  json: boolean;
}

export function registerRollback(program: Command, io: Output = consoleOutput): void {
  program
    .command("rollback")
    .description(COMMAND_SUMMARIES.rollback.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--yes", "do not ask for confirmation", false)
    .option("--url <url>", "the running gateway (default: gateway.listen)")
    .option("--json", "print the result as JSON", false)
    .action(async (opts: RollbackFlags) => {
      const config = await loadConfig(opts.config);
      if (!opts.yes && !(await confirm("Rollback", "fences writes and sends clients back to the source"))) {
        io.progress("rollback not started");
        process.exitCode = 1;
        return;
      }
      const state = openMigrationState(config);
      const logger = createLogger();
      try {
        const result = await recordStepRun(
          ROLLBACK_STEP,
          { state, logger, signal: new AbortController().signal, via: "rollback" },
          async () => {
            const done = await runRollback(config, state, logger, {
              ...(opts.url === undefined ? {} : { gatewayUrl: opts.url }),
              onPart: (part, phase) => {
                if (!opts.json) io.progress(`${part}: ${phase === "done" ? "done" : "already done"}`);
              },
            });
            const { afterSwitch, replayedBack } = done;
            return { value: done, result: { kind: "done", summary: { afterSwitch, replayedBack } } };
          },
        );
        io.out(
          opts.json
            ? toJson(result)
            : result.nothing
              ? "nothing to roll back: no cutover is recorded and clients write to the source"
              : result.afterSwitch
                ? `rolled back: ${result.replayedBack} target write(s) replayed to the source; write block lifted on ${result.unblocked.length} index(es); clients write to the source again`
                : `aborted before the switch: write block lifted on ${result.unblocked.length} index(es); the source stayed authoritative; the target keeps what it was given`,
        );
      } finally {
        state.close();
      }
    });
}
