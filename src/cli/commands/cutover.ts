import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { runCutover } from "../../cutover/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { openMigrationState } from "../../gateway/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";

interface CutoverFlags {
  config: string;
  yes: boolean;
  force: boolean;
  url?: string;
  json: boolean;
}

/** Cutover changes both clusters: a person confirms it on a terminal, a script says --yes. */
async function confirm(what: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new BluegreenError("BG_CUTOVER_CONFIRM", `Cutover ${what} and needs confirmation.`, {
      fix: "Run it on a terminal to confirm, or pass --yes.",
    });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`Cutover ${what}. Go on? [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function registerCutover(program: Command, io: Output = consoleOutput): void {
  program
    .command("cutover")
    .description(
      "Step 5: check the readiness gate, fence writes, write-block the source, drain sync, finish the target, switch clients; resumes where it stopped",
    )
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--yes", "do not ask for confirmation", false)
    .option("--force", "cut over although the readiness gate is closed (recorded)", false)
    .option("--url <url>", "the running gateway (default: gateway.listen)")
    .option("--json", "print the result as JSON", false)
    .action(async (opts: CutoverFlags) => {
      const config = await loadConfig(opts.config);
      if (
        !opts.yes &&
        !(await confirm("fences writes, write-blocks the source and switches clients to the target"))
      ) {
        io.progress("cutover not started");
        process.exitCode = 1;
        return;
      }
      const state = openMigrationState(config);
      try {
        const result = await runCutover(config, state, createLogger(), {
          force: opts.force,
          ...(opts.url === undefined ? {} : { gatewayUrl: opts.url }),
          onPart: (part, phase) => {
            if (!opts.json && phase !== "start")
              io.progress(`${part}: ${phase === "done" ? "done" : "already done"}`);
          },
        });
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
