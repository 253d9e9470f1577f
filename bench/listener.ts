/**
 * `npm run bench:listener`: what the gateway's client listener costs on its own, against Node's plain
 * http.Server in the same rounds. The listener is the server every gateway request arrives through:
 * Node's parser plus the request-target fixer that lets `GET _nodes/plugins` (no leading slash) in.
 * Each listener runs in a process of its own with the same trivial handler; autocannon sends the same
 * requests to each in turn, the order reversed every other round. Prints, per body size, the CPU per
 * request and req/s of each (medians with the rounds' range) and the CPU ratio to plain Node per round.
 *
 * Knobs: BENCH_GATEWAY_BASELINE (another checkout's listener as a third contender), BENCH_ROUNDS
 * (default 6), BENCH_DURATION (seconds per run, default 3), BENCH_CONNECTIONS (default 16),
 * BENCH_PROXY_PORT (default 32700; this and the next two).
 */
import { join } from "node:path";
import autocannon from "autocannon";
import { cpuSeconds, type Proc, startProcess, waitForHttp } from "./gateway-procs.ts";
import { fmt, median, ratio } from "./stats.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "6");
const DURATION = Number(process.env.BENCH_DURATION ?? "3");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "16");
const PORT = Number(process.env.BENCH_PROXY_PORT ?? "32700");
const ROOT = join(import.meta.dirname, "..");
const BASELINE = process.env.BENCH_GATEWAY_BASELINE;

const contenders: [string, string][] = [
  ["plain Node", "plain"],
  ["listener", ROOT],
];
if (BASELINE !== undefined) contenders.push(["listener-baseline", BASELINE]);

const mixes: [string, string | undefined][] = [
  ["GET", undefined],
  ["POST 5 KB", "x".repeat(5_000)],
  ["POST 1 MB", "x".repeat(1_000_000)],
];

interface Run {
  readonly cpuUsPerReq: number;
  readonly rps: number;
}

async function measure(port: number, proc: Proc, body: string | undefined): Promise<Run> {
  const pid = proc.child.pid as number;
  const before = cpuSeconds(pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/idx/_search`,
    connections: CONNECTIONS,
    duration: DURATION,
    method: body === undefined ? "GET" : "POST",
    body,
  });
  const cpu = cpuSeconds(pid) - before;
  if (result.non2xx + result.errors > 0) throw new Error(`${result.non2xx + result.errors} failed requests`);
  return { cpuUsPerReq: (cpu * 1e6) / result.requests.total, rps: result.requests.average };
}

const procs = contenders.map(([, root], i) =>
  startProcess(process.execPath, [join(import.meta.dirname, "listener-server.ts"), root, String(PORT + i)]),
);
try {
  for (const [i, proc] of procs.entries()) await waitForHttp(`http://127.0.0.1:${PORT + i}/`, proc);
  const started = new Date().toISOString();
  const runs = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [mix, body] of mixes) {
      const order = contenders.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const key = `${mix}\t${contenders[i]?.[0]}`;
        runs.set(key, [...(runs.get(key) ?? []), await measure(PORT + i, procs[i] as Proc, body)]);
      }
    }
  }
  const lines = [
    `# the gateway's listener against plain Node (${started}, ${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections)`,
    "",
    "| request | listener | CPU µs/req (range) | req/s | CPU ÷ plain Node, per round |",
    "|---|---|---:|---:|---:|",
  ];
  for (const [mix] of mixes) {
    const plain = runs.get(`${mix}\tplain Node`) ?? [];
    for (const [name] of contenders) {
      const own = runs.get(`${mix}\t${name}`) ?? [];
      const cpu = own.map((r) => r.cpuUsPerReq);
      const perRound = own.map((r, k) => r.cpuUsPerReq / (plain[k]?.cpuUsPerReq ?? Number.NaN));
      lines.push(
        `| ${mix} | ${name} | ${fmt(median(cpu), 1)} (${fmt(Math.min(...cpu), 0)}–${fmt(Math.max(...cpu), 0)}) | ${fmt(median(own.map((r) => r.rps)), 0)} | ${name === "plain Node" ? "" : ratio(perRound)} |`,
      );
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  for (const proc of procs) await proc.stop();
}
