import { type Command, InvalidArgumentError, Option } from "commander";
import { BACKFILL_METHODS, DEFAULT_CONFIG_FILE } from "../../config/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import type { BackfillOpts } from "./backfill-run.ts";
import { copiesInWorker, inBoundedWorker } from "./backfill-worker.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError(`"${value}" is not a number from 1 to 1024.`);
  return n;
}

export function registerBackfill(program: Command, io: Output = consoleOutput): void {
  program
    .command("backfill")
    .description(COMMAND_SUMMARIES.backfill.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .addOption(
      new Option("--method <method>", "how to copy (default: backfill.method)").choices([
        ...BACKFILL_METHODS,
      ]),
    )
    .option("--json", "progress and summary as JSON lines on stdout", false)
    .option(
      "--workers <n>",
      "stream: the number of worker processes sharing the copy through leases",
      count,
      1,
    )
    .option("--worker-id <id>", "stream: this worker's name in the leases (default: host-pid)")
    .option("--index <name...>", "only these source indices (of the selection)")
    .option("--restart", "forget the checkpoints of earlier runs and copy everything again", false)
    .action(async (opts: BackfillOpts) => {
      // main() normally starts the worker before this module loads; this serves other callers.
      if (copiesInWorker()) {
        process.exitCode = await inBoundedWorker(io, process.argv.slice(2));
        return;
      }
      await (await import("./backfill-run.ts")).backfillCommand(opts, io);
    });
}
