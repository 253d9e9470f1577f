import { hostname } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { type Command, InvalidArgumentError, Option } from "commander";
import {
  backfillStep,
  backfillSummary,
  createProgress,
  listCandidates,
  type ProgressEvent,
  type ProgressSink,
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
import { BluegreenError } from "../../errors/index.ts";
import { createLogger } from "../../log/index.ts";
import { recordStepRun } from "../../workflow/index.ts";

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

/** Heap limits of the copy: with V8's defaults a fast copier's garbage alone grows RSS past 400 MB. */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 12 };

/**
 * Runs this same command line again in a worker thread with bounded heap limits (only a thread can
 * get them after start-up) and waits for it. SIGINT/SIGTERM stop the worker at once, which is safe:
 * every acknowledged page is checkpointed, and the next run resumes (and restores target tuning).
 */
async function inBoundedWorker(io: Output): Promise<number> {
  const worker = new Worker(new URL("../../../bin/bluegreen.js", import.meta.url), {
    argv: process.argv.slice(2),
    workerData: { tty: process.stderr.isTTY === true },
    resourceLimits: HEAP_LIMITS,
  });
  const bars =
    process.stderr.isTTY === true
      ? createProgress({ json: false, tty: true, out: () => {}, err: () => {} })
      : undefined;
  worker.on("message", (message: { type: string; event?: ProgressEvent; text?: string }) => {
    if (message.type === "progress" && message.event !== undefined) bars?.onProgress(message.event);
    else if (message.type === "stop") bars?.stop();
    else if (message.type === "out" && message.text !== undefined) {
      bars?.stop();
      io.out(message.text);
    }
  });
  const stop = () => void worker.terminate();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await new Promise<number>((resolve, reject) => {
      worker.once("error", (error: Error & { code?: string }) => {
        if (error.code !== "ERR_WORKER_OUT_OF_MEMORY") return reject(error);
        reject(
          new BluegreenError("BG_INTERNAL", "The backfill ran out of its 128 MB heap.", {
            fix: "Lower backfill.batchSize or backfill.stream.maxInFlightBytes (very large documents need smaller pages), or run with BLUEGREEN_BACKFILL_INLINE=1 to lift the limit; the copy resumes.",
          }),
        );
      });
      worker.once("exit", resolve);
    });
  } finally {
    bars?.stop();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
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
      if (isMainThread && process.env.BLUEGREEN_BACKFILL_INLINE !== "1") {
        process.exitCode = await inBoundedWorker(io);
        return;
      }
      const config = await loadConfig(opts.config);
      const logger = createLogger();
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      // In the worker, bars are drawn by the main thread, which owns the terminal.
      const barsInParent =
        !isMainThread && !opts.json && (workerData as { tty?: boolean } | null)?.tty === true;
      const progress: ProgressSink = barsInParent
        ? {
            onProgress: (event) => parentPort?.postMessage({ type: "progress", event }),
            stop: () => parentPort?.postMessage({ type: "stop" }),
          }
        : createProgress({
            json: opts.json,
            tty: isMainThread && process.stderr.isTTY === true,
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
          (ctx) =>
            recordStepRun(
              backfillStep(config, logger),
              { state: ctx.state, logger, signal: controller.signal, via: "backfill" },
              async () => {
                if (opts.restart) ctx.state.clearCheckpoints("backfill");
                const only = opts.index;
                const tasks = await planTasks(ctx, {
                  method: opts.method ?? config.backfill.method,
                  ...(only === undefined ? {} : { indices: only }),
                });
                // Why each index gets its method, before the copy starts (auto's choice is a decision to show).
                for (const t of tasks) {
                  const { index, targetIndex, method, reason, docs } = t;
                  if (opts.json)
                    io.out(JSON.stringify({ event: "plan", index, targetIndex, method, docs, reason }));
                  else io.progress(`plan: ${index} → ${targetIndex} by ${reason}`);
                }
                const summary = await runBackfill(ctx, tasks);
                // `--index` copies part of the selection: the step is done only once all of it is.
                const partial =
                  only !== undefined && (await listCandidates(ctx)).some((c) => !only.includes(c.index));
                return {
                  value: summary,
                  result: partial ? undefined : { kind: "done", summary: backfillSummary(summary) },
                };
              },
            ),
        );
        progress.stop();
        const text = opts.json ? JSON.stringify({ event: "summary", ...summary }) : renderSummary(summary);
        // Through the main thread when it draws the bars, so the table lands after their last frame.
        if (barsInParent) parentPort?.postMessage({ type: "out", text });
        else io.out(text);
      } finally {
        progress.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
