/**
 * A backfill runs in a worker thread with bounded heap limits (only a thread can get them after
 * start-up). main() starts it before it loads any command, since the worker parses the command line
 * itself: the main thread's own loading would otherwise delay the copy by a fifth of a second.
 */
import { setFlagsFromString } from "node:v8";
import { isMainThread, Worker } from "node:worker_threads";
import type { ProgressEvent } from "../../backfill/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { Output } from "../output.ts";

/** Whether a backfill here goes to a bounded worker: in the main thread, unless told to copy inline. */
export function copiesInWorker(): boolean {
  return isMainThread && process.env.BLUEGREEN_BACKFILL_INLINE !== "1";
}

/** Whether this command line is a backfill to hand to the worker before anything loads (not its help). */
export function backfillForWorker(argv: readonly string[]): boolean {
  return argv[0] === "backfill" && !argv.includes("--help") && !argv.includes("-h") && copiesInWorker();
}

/** Heap limits of the copy: with V8's defaults a fast copier's garbage alone grows RSS past 400 MB. */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 12 };

/**
 * Runs this same command line again in a worker thread with bounded heap limits (only a thread can
 * get them after start-up) and waits for it. SIGINT/SIGTERM stop the worker at once, which is safe:
 * every acknowledged page is checkpointed, and the next run resumes (and restores target tuning).
 */
export async function inBoundedWorker(io: Output, argv: readonly string[]): Promise<number> {
  // V8 scales the heap's growth per collection with its limit: at 128 MB, at most 1.3×, so the copier
  // ran a full collection every few pages, a third of its CPU. Doubling instead cuts the copy's CPU by
  // a fifth for about 30 MB more peak RSS, inside the same limits (docs/backfill.md). V8 reads the flag
  // at every collection; it is process-wide, and this thread only waits.
  setFlagsFromString("--heap-growing-percent=100");
  const worker = new Worker(new URL("../../../bin/bluegreen.js", import.meta.url), {
    argv: [...argv],
    workerData: { tty: process.stderr.isTTY === true },
    resourceLimits: HEAP_LIMITS,
  });
  // The copy's modules stay out of this thread unless it draws the bars (a terminal).
  const bars =
    process.stderr.isTTY === true
      ? (await import("../../backfill/index.ts")).createProgress({
          json: false,
          tty: true,
          out: () => {},
          err: () => {},
        })
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
