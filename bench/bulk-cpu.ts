/**
 * `npm run bench:bulk-cpu`: the gateway's own CPU on one `_bulk` of 50 id-less actions, without any
 * I/O: split it and give each action an id (prepareWrite), encode the 50 intent records, read a
 * cluster's answer into 50 outcome records, and frame both for the file log. Run against this
 * checkout and, with BENCH_GATEWAY_BASELINE, another one, alternately, each in a process of its own;
 * prints the best three of BENCH_ROUNDS (default 12) rounds of 5,000 bulks each, per checkout and run.
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BULK_ITEMS, bulkAnswer, bulkLines } from "./bulk-mix.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "12");
const RUNS = 2;
const PER_ROUND = 5_000;
const BASELINE = process.env.BENCH_GATEWAY_BASELINE;

const body = Buffer.from(bulkLines("idx").join(""));
const answer = Buffer.from(bulkAnswer("idx"));

/** Microseconds per bulk in each round, for the checkout at `root`. */
async function measure(root: string): Promise<number[]> {
  // Each checkout's own modules: the same names, another copy of the code.
  const gateway = await import(join(root, "src/gateway/index.ts"));
  const { encodeFrames } = await import(join(root, "src/capture/file/format.ts"));
  const cls = gateway.classify("POST", "/_bulk");
  const once = (k: number): number => {
    const prepared = gateway.prepareWrite(cls, {
      method: "POST",
      pathname: "/_bulk",
      query: new URLSearchParams(),
      body,
      contentType: "application/x-ndjson",
      rid: `r.${k}`,
      assignIds: true,
    });
    const now = Date.now();
    const side = "source";
    const intents = prepared.intents.map((i: object) => gateway.encodeRecord({ ...i, side }, now));
    const outcomes = prepared
      .outcomes(200, answer)
      .map((o: object) => gateway.encodeRecord({ ...o, side }, now));
    return encodeFrames(intents, 0).length + encodeFrames(outcomes, BULK_ITEMS).length;
  };
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    let bytes = 0;
    for (let k = 0; k < PER_ROUND; k++) bytes += once(k);
    if (bytes === 0) throw new Error("nothing encoded");
    rounds.push(((performance.now() - started) * 1000) / PER_ROUND);
  }
  return rounds;
}

// Each measurement in a process of its own: two copies of the same code in one process share the
// builtins they call (Buffer, JSON), and whichever runs second runs slower.
const ONLY = process.env.BENCH_BULK_CPU_ROOT;
if (ONLY !== undefined) {
  const best = (await measure(ONLY)).sort((a, b) => a - b).slice(0, 3);
  process.stdout.write(best.map((us) => us.toFixed(0)).join(", "));
} else {
  const roots: [string, string][] = [["this checkout", join(import.meta.dirname, "..")]];
  if (BASELINE !== undefined) roots.push(["baseline", BASELINE]);
  for (let run = 0; run < RUNS; run++) {
    for (const [name, root] of run % 2 === 0 ? roots : [...roots].reverse()) {
      const best = execFileSync(process.execPath, [import.meta.filename], {
        env: { ...process.env, BENCH_BULK_CPU_ROOT: root },
        encoding: "utf8",
      });
      process.stdout.write(`${name}: ${best} µs per _bulk of 50 (best three rounds)\n`);
    }
  }
}
