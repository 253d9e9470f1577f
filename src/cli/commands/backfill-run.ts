/** The backfill command's work, loaded only in the thread that copies (see backfill.ts). */
import { hostname } from "node:os";
import { isMainThread, parentPort, workerData } from "node:worker_threads";
import {
  backfillStep,
  backfillSummary,
  createProgress,
  listCandidates,
  type ProgressSink,
  planTasks,
  renderSummary,
  runBackfill,
  withBackfillContext,
} from "../../backfill/index.ts";
import { type BackfillMethod, loadConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import type { Output } from "../output.ts";

export interface BackfillOpts {
  config: string;
  method?: BackfillMethod;
  json: boolean;
  workers: number;
  workerId?: string;
  index?: string[];
  restart: boolean;
}

export async function backfillCommand(opts: BackfillOpts, io: Output): Promise<void> {
  const config = await loadConfig(opts.config);
  const logger = createLogger();
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // In the worker, bars are drawn by the main thread, which owns the terminal.
  const barsInParent = !isMainThread && !opts.json && (workerData as { tty?: boolean } | null)?.tty === true;
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
}
