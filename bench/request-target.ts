/**
 * `node bench/request-target.ts`: what the request-target fixer in front of Node's HTTP parser costs.
 * The gateway of this checkout and of BENCH_GATEWAY_BASELINE (another checkout, e.g. one without the
 * fixer) run as their own processes in front of the same trivial upstream (a child process answering
 * a fixed JSON), under the same autocannon load, interleaved round by round so a busy machine hurts
 * both alike. Reported per mix: req/s, p50, and the gateway process's CPU time per request (from
 * /proc, so it holds up better than req/s when other processes share the cores).
 *
 * Two peers run in the same rounds (BENCH_PEERS, default `nginx,node`): nginx, and bench/node-proxy.ts,
 * the least a single-threaded Node proxy does (Node's HTTP server and undici, nothing else). Each
 * gateway is printed against both, round by round: its req/s ÷ nginx's, and its CPU per request ÷
 * the Node floor's, which separates what the gateway's own work costs from what Node's HTTP costs.
 *
 * Knobs: BENCH_GATEWAY_BASELINE (without it only this checkout runs), BENCH_PROXY_PORT (default
 * 31610; this and the next three ports), BENCH_DURATION (seconds per run, default 5), BENCH_ROUNDS (default
 * 3), BENCH_CONNECTIONS (default 16), BENCH_MIXES (comma-separated name prefixes, default all),
 * BENCH_GATEWAY_PROF (a directory: the gateways run with --cpu-prof into it).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { bulkAnswer, bulkLines } from "./bulk-mix.ts";
import {
  cpuSeconds,
  type Proc,
  startGateway,
  startNginx,
  startNodeProxy,
  waitForHttp,
} from "./gateway-procs.ts";
import { ratio } from "./stats.ts";

const DURATION = Number(process.env.BENCH_DURATION ?? "5");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? "3");
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? "16");
const PORT = Number(process.env.BENCH_PROXY_PORT ?? "31610");
const BASELINE = process.env.BENCH_GATEWAY_BASELINE;
const PEERS = (process.env.BENCH_PEERS ?? "nginx,node").split(",").filter((p) => p !== "");
for (const peer of PEERS)
  if (peer !== "nginx" && peer !== "node")
    throw new Error(`BENCH_PEERS: unknown peer "${peer}"; the peers are nginx and node (comma-separated)`);

interface Mix {
  readonly name: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  /** A request only the gateway answers (the fixer's case): the peers are not run on it. */
  readonly gatewayOnly?: true;
}

const ALL_MIXES: readonly Mix[] = [
  { name: "get", method: "GET", path: "/idx/_doc/1" },
  {
    name: "search",
    method: "POST",
    path: "/idx/_search",
    body: JSON.stringify({ query: { match_all: {} } }),
  },
  { name: "index (log, no fsync)", method: "POST", path: "/idx/_doc", body: '{"msg":"hello world","n":42}' },
  {
    name: "bulk(50) (log, no fsync)",
    method: "POST",
    path: "/_bulk",
    body: bulkLines("idx").join(""),
    contentType: "application/x-ndjson",
  },
  // Only the fixer's gateway answers this one with 200.
  { name: "get, no leading slash", method: "GET", path: "idx/_doc/1", gatewayOnly: true },
];
const ONLY = process.env.BENCH_MIXES?.split(",");
const MIXES = ALL_MIXES.filter((m) => ONLY === undefined || ONLY.some((o) => m.name.startsWith(o)));

// A _bulk is answered with every item created, as a cluster would (the gateway reads it for its outcomes).
const UPSTREAM = `
const answer = JSON.stringify({ _index: "idx", _id: "1", _version: 1, result: "created", found: true,
  _shards: { total: 1, successful: 1, failed: 0 }, _source: { msg: "x".repeat(300) } });
const bulk = process.env.BENCH_BULK_ANSWER;
require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    if (req.url.startsWith("/_bulk")) res.writeHead(200, { "content-type": "application/json" }).end(bulk);
    else res.writeHead(req.method === "GET" ? 200 : 201, { "content-type": "application/json" }).end(answer);
  });
}).listen(0, "127.0.0.1", function () { console.log(this.address().port); });
`;

interface Run {
  readonly rps: number;
  readonly p50: number;
  readonly cpuUs: number;
  readonly bad: number;
}

async function load(base: string, mix: Mix, seconds: number, pid?: number): Promise<Run> {
  const latencies: number[] = [];
  const cpu0 = pid === undefined ? 0 : cpuSeconds(pid);
  const options = {
    url: base,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: mix.method,
        path: mix.path,
        ...(mix.body === undefined
          ? {}
          : { body: mix.body, headers: { "content-type": mix.contentType ?? "application/json" } }),
      },
    ],
  };
  const instance = autocannon(options as Parameters<typeof autocannon>[0]);
  instance.on("response", (_c: unknown, status: number, _b: number, ms: number) => {
    if (status < 300) latencies.push(ms);
  });
  const result = await instance;
  const cpu = pid === undefined ? 0 : cpuSeconds(pid) - cpu0;
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.average,
    p50: latencies[Math.floor(latencies.length / 2)] ?? Number.NaN,
    cpuUs: (cpu / Math.max(1, result.requests.total)) * 1e6,
    bad: result.non2xx + result.errors + result.timeouts,
  };
}

function config(dir: string, name: string, upstream: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nsource: { url: '${upstream}' }\ntarget: { url: '${upstream}/t' }\nstate: { path: '${join(dir, `${name}.db`)}' }\ngateway: { adminToken: 'bench-rt-token', log: { dir: '${join(dir, `${name}-log`)}', fsync: false } }\n`,
  );
  return file;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-rt-"));
  const upstreamChild = spawn(process.execPath, ["-e", UPSTREAM], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_BULK_ANSWER: bulkAnswer("idx") },
  });
  const procs: Proc[] = [];
  try {
    const [line] = (await once(upstreamChild.stdout, "data")) as [Buffer];
    const upstream = `http://127.0.0.1:${line.toString().trim()}`;
    const ways: { name: string; url: string; proc: Proc }[] = [];
    for (const [name, root, port] of [
      ["gateway", undefined, PORT],
      ...(BASELINE === undefined ? [] : [["gateway-baseline", BASELINE, PORT + 1] as const]),
    ] as const) {
      const proc = startGateway(config(dir, name, upstream), `127.0.0.1:${port}`, false, root);
      procs.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/`, proc);
      ways.push({ name, url: `http://127.0.0.1:${port}`, proc });
    }
    const gateways = ways.map((w) => w.name);
    for (const peer of PEERS) {
      const port = peer === "nginx" ? PORT + 2 : PORT + 3;
      const proc =
        peer === "nginx" ? startNginx(join(dir, "nginx"), port, upstream) : startNodeProxy(port, upstream);
      procs.push(proc);
      await waitForHttp(`http://127.0.0.1:${port}/`, proc);
      ways.push({ name: peer === "nginx" ? "nginx" : "node-proxy", url: `http://127.0.0.1:${port}`, proc });
    }
    const runs = new Map<string, Run[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const mix of MIXES) {
        for (const way of round % 2 === 0 ? ways : [...ways].reverse()) {
          if (mix.gatewayOnly === true && !gateways.includes(way.name)) continue;
          await load(way.url, mix, 1);
          const run = await load(way.url, mix, DURATION, way.proc.child.pid);
          const key = `${mix.name}|${way.name}`;
          runs.set(key, [...(runs.get(key) ?? []), run]);
          process.stderr.write(
            `round ${round + 1} ${mix.name} ${way.name}: ${run.rps.toFixed(0)} req/s, p50 ${run.p50.toFixed(2)} ms, ${run.cpuUs.toFixed(0)} µs CPU/req, ${run.bad} non-2xx/errors\n`,
          );
        }
      }
    }
    const out = [
      `# the gateway in front of a trivial upstream: gateway vs ${BASELINE ?? "(no baseline)"} (${new Date().toISOString()})`,
      "",
      `${ROUNDS} rounds × ${DURATION} s per mix and path, ${CONNECTIONS} connections, trivial upstream; means over rounds`,
      "",
      "| mix | path | req/s | p50 ms | proxy CPU µs/req | non-2xx+errors |",
      "|---|---|---:|---:|---:|---:|",
    ];
    for (const mix of MIXES) {
      for (const way of ways) {
        const r = runs.get(`${mix.name}|${way.name}`) ?? [];
        if (r.length === 0) continue;
        const mean = (f: (x: Run) => number) => r.reduce((s, x) => s + f(x), 0) / r.length;
        out.push(
          `| ${mix.name} | ${way.name} | ${mean((x) => x.rps).toFixed(0)} | ${mean((x) => x.p50).toFixed(2)} | ${mean((x) => x.cpuUs).toFixed(0)} | ${mean((x) => x.bad).toFixed(0)} |`,
        );
      }
    }
    const perRound = (mix: Mix, gateway: string, peer: string, f: (r: Run) => number) => {
      const mine = runs.get(`${mix.name}|${gateway}`) ?? [];
      const theirs = runs.get(`${mix.name}|${peer}`) ?? [];
      return ratio(mine.map((r, i) => f(r) / f(theirs[i] as Run)));
    };
    if (PEERS.length > 0) {
      out.push("", "Round by round, median (range):", "");
      for (const mix of MIXES.filter((m) => m.gatewayOnly !== true))
        for (const gateway of gateways) {
          const parts = [
            PEERS.includes("nginx") ? `req/s ÷ nginx ${perRound(mix, gateway, "nginx", (r) => r.rps)}` : "",
            PEERS.includes("node")
              ? `CPU/req ÷ node-proxy ${perRound(mix, gateway, "node-proxy", (r) => r.cpuUs)}`
              : "",
          ];
          out.push(`- ${mix.name}, ${gateway}: ${parts.filter((p) => p !== "").join("; ")}`);
        }
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    for (const p of procs) await p.stop();
    upstreamChild.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
