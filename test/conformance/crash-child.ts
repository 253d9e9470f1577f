import { writeSync } from "node:fs";
import { type CaptureLogOptions, openCaptureLog } from "../../src/capture/index.ts";

/**
 * The writer that test/conformance/crash.ts kills with SIGKILL. It appends as fast as it can from
 * WRITERS concurrent sequential writers (some appends lazy) and prints `writer:seq` for each append only after it resolved,
 * so every line the parent reads is an acknowledged record.
 */
const WRITERS = 16;
const options = JSON.parse(process.env.BLUEGREEN_CAPTURE_CHILD ?? "") as CaptureLogOptions;
const round = process.env.BLUEGREEN_CAPTURE_ROUND ?? "a";
const log = await openCaptureLog(options);
await Promise.all(
  Array.from({ length: WRITERS }, async (_, w) => {
    const writer = `${round}${w}`;
    for (let seq = 0; ; seq++) {
      const value = new TextEncoder().encode(
        JSON.stringify({ writer, seq, pad: "p".repeat(100 + (seq % 700)) }),
      );
      const records = [{ key: `crash/${writer}`, value, timestampMs: Date.now() }];
      // Every third record takes the lazy path where the backend has one: acknowledged once durable too.
      if (seq % 3 === 2 && log.appendLazy !== undefined) await log.appendLazy(records);
      else await log.append(records);
      // writeSync: nothing waits in a userland buffer; one short line is below PIPE_BUF, so it is atomic.
      writeSync(1, `${writer}:${seq}\n`);
    }
  }),
);
