/**
 * Capture-log throughput and latency: the file log with fsync (one writer, then many concurrent writers
 * sharing group commits), the file log without fsync, and Kafka (a throwaway single-node broker on
 * port 31620 unless BLUEGREEN_BENCH_KAFKA names brokers, or skipped with BLUEGREEN_BENCH_KAFKA=off).
 * Prints one line per case; numbers go in NOTES-capture.md, never into tests.
 *
 *   npm run bench:capture [-- records=5000 size=512]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CaptureLogOptions, type FileCaptureLog, openCaptureLog } from "../src/capture/index.ts";
import { kafkaDown, kafkaUp } from "../src/sandbox/index.ts";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split("=") as [string, string]));
const RECORDS = Number(args.records ?? 5000);
const SIZE = Number(args.size ?? 512);

async function run(name: string, options: CaptureLogOptions, concurrency: number): Promise<void> {
  const log = await openCaptureLog(options);
  const value = new Uint8Array(SIZE).fill(120);
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < RECORDS) {
        const i = next++;
        const t = process.hrtime.bigint();
        await log.append([{ key: `bench/${i % 1000}`, value, timestampMs: Date.now() }]);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const q = (p: number): string => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(2);
  let extra = "";
  if (log.kind === "file") {
    const s = (log as FileCaptureLog).stats();
    const mean = s.fsyncs === 0 ? 0 : (s.fsyncSecondsTotal / s.fsyncs) * 1000;
    extra = ` commits=${s.commits} fsyncs=${s.fsyncs} fsync_mean=${mean.toFixed(2)}ms fsync_max=${(s.fsyncSecondsMax * 1000).toFixed(2)}ms records/commit=${(s.appendedRecords / s.commits).toFixed(1)}`;
  }
  console.log(
    `${name.padEnd(34)} c=${String(concurrency).padStart(3)} ${(RECORDS / seconds).toFixed(0).padStart(7)} appends/s  p50=${q(0.5)}ms p99=${q(0.99)}ms${extra}`,
  );
  await log.close();
}

const root = mkdtempSync(join(tmpdir(), "cl-bench-"));
let n = 0;
const fileLog = (fsync: boolean): CaptureLogOptions => ({
  kind: "file",
  dir: join(root, String(n++)),
  fsync,
});
console.log(`${RECORDS} appends of one ${SIZE}-byte record each; tmpdir ${root}`);
for (const concurrency of [1, 16, 64]) await run("file, fsync", fileLog(true), concurrency);
await run("file, no fsync", fileLog(false), 64);
rmSync(root, { recursive: true, force: true });

const kafka = process.env.BLUEGREEN_BENCH_KAFKA;
if (kafka !== "off") {
  const broker = kafka === undefined ? await kafkaUp({ name: "cl-bench", port: 31_620 }) : undefined;
  const brokers = broker?.brokers ?? (kafka as string).split(",");
  try {
    for (const concurrency of [1, 16, 64])
      await run(
        "kafka, acks=all idempotent",
        { kind: "kafka", brokers, topic: `cl-bench-${Date.now()}` },
        concurrency,
      );
  } finally {
    if (broker !== undefined && !broker.reused) await kafkaDown({ name: "cl-bench" });
  }
}
