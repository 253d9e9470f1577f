import { hostname } from "node:os";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  createProgress,
  planTasks,
  renderSummary,
  runBackfill,
  withBackfillContext,
} from "../../backfill/index.ts";
import {
  BACKFILL_METHODS,
  type BackfillMethod,
  DEFAULT_CONFIG_FILE,
  loadConfig,
} from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";

import { consoleOutput, type Output } from "../output.ts";

interface BackfillOpts {
  config: string;
  method?: BackfillMethod;
  json: boolean;
  workers: number;
  workerId?: string;
  index?: string[];
  restart: boolean;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError(`"${value}" is not a number from 1 to 1024.`);
  return n;
}

export function registerBackfill(program: Command, io: Output = consoleOutput): void {
  program
    .command("backfill")
    .description("Step 2: copy the existing documents of the selected indices to the target (resumable)")
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
      const config = await loadConfig(opts.config);
      const logger = createLogger();
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const progress = createProgress({
        json: opts.json,
        tty: process.stderr.isTTY === true,
        out: (line) => io.out(line),
        err: (line) => io.progress(line),
      });
      const worker =
        opts.workers > 1 || opts.workerId !== undefined
          ? { id: opts.workerId ?? `${hostname()}-${process.pid}`, workers: opts.workers }
          : undefined;
      try {
        const summary = await withBackfillContext(
          config,
          {
            logger,
            signal: controller.signal,
            onProgress: (e) => progress.onProgress(e),
            ...(worker === undefined ? {} : { worker }),
          },
          async (ctx) => {
            if (opts.restart) ctx.state.clearCheckpoints("backfill");
            const tasks = await planTasks(ctx, {
              method: opts.method ?? config.backfill.method,
              ...(opts.index === undefined ? {} : { indices: opts.index }),
            });
            return runBackfill(ctx, tasks);
          },
        );
        progress.stop();
        io.out(opts.json ? JSON.stringify({ event: "summary", ...summary }) : renderSummary(summary));
      } finally {
        progress.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
