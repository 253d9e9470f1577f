/**
 * `npm run bench:gateway`: the same load (index, bulk and search mixes, autocannon) straight to the
 * source, through nginx as a plain keep-alive reverse proxy, and through `bluegreen gateway` in
 * capture mode with fsync on; then replay lag under a sustained write rate with `gateway --replay`.
 *
 * Uses the `bench-gw` sandbox (source on BENCH_PORT_BASE, default 30400, target on the next port;
 * started if needed) and ports 31600-31603 (BENCH_PROXY_PORT moves them). Knobs: BENCH_DURATION (seconds per run, default 10),
 * BENCH_ROUNDS (default 3; rotated order, medians with the spread), BENCH_RATE (writes/s for the lag run, default 50), BENCH_LAG_DURATION (seconds, default 20),
 * BENCH_WARMUP (seconds per mix straight to the cluster before measuring, default 10), BENCH_PHASES
 * (default "compare,lag"), BENCH_GATEWAY_BASELINE (another checkout: its gateway runs as a fifth path,
 * "gateway-baseline", on BENCH_PROXY_PORT+4, interleaved with the others: an A/B on a busy machine),
 * BENCH_GATEWAY_PROF (a directory: the gateways run with --cpu-prof into it), BENCH_PIN=1 (the
 * clusters and autocannon on half the cores, nginx and the gateways on the other half: bench/pin.ts),
 * BENCH_KEEP=1 (leave the sandbox running for the next run; it is stopped otherwise),
 * BENCH_MIXES (comma-separated name prefixes, e.g. "bulk": only those mixes, so the phase means are theirs; "index" takes both index mixes, 16 and 64 writers).
 * The "direct-ids" path sends the write mixes straight to the source with ids made as the gateway makes
 * them: the part of the gateway's gap that is the source's own lookup of an explicit id.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { newDocumentId } from "../src/gateway/index.ts";
import { sandboxDown, sandboxUp } from "../src/sandbox/index.ts";
import { bulkLines } from "./bulk-mix.ts";
import { cpuSeconds, type Proc, startGateway, startNginx, waitForHttp } from "./gateway-procs.ts";
import { pinClusters, pinning, unpinClusters } from "./pin.ts";
import { fmt, median, ratio } from "./stats.ts";

const DURATION = Number(process.env.BENCH_DURATION ?? "10");
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? "3"));
const KEEP = process.env.BENCH_KEEP === "1";
const RATE = Number(process.env.BENCH_RATE ?? "50");
const WARMUP = Number(process.env.BENCH_WARMUP ?? "10");
const LAG_DURATION = Number(process.env.BENCH_LAG_DURATION ?? "20");
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? "30400");
// Six ports from BENCH_PROXY_PORT (default 31600): nginx, gateway, lag gateway, await, overlap, baseline.
const PROXY_PORT = Number(process.env.BENCH_PROXY_PORT ?? "31600");
const NGINX_PORT = PROXY_PORT;
const GATEWAY_PORT = PROXY_PORT + 1;
const LAG_PORT = PROXY_PORT + 2;
const AWAIT_PORT = PROXY_PORT + 3;
const OVERLAP_PORT = PROXY_PORT + 4;
const BASELINE_PORT = PROXY_PORT + 5;
const BASELINE_ROOT = process.env.BENCH_GATEWAY_BASELINE;
const TOKEN = randomBytes(12).toString("hex");
const ONLY = process.env.BENCH_MIXES?.split(",");

interface Mix {
  readonly name: string;
  readonly method: "POST";
  readonly path: string;
  readonly body: string;
  readonly contentType: string;
  readonly connections: number;
  /**
   * The same writes with ids made as the gateway makes them (`assignIds`), sent straight to the source
   * as the "direct-ids" path: what the source's own id lookup costs, apart from the gateway.
   */
  readonly withIds?: () => { method: "PUT" | "POST"; path: string; body: string };
}

interface Run {
  /** CPU µs per request of the proxy in between (nginx with its workers, the gateway); NaN direct. */
  readonly cpuUs: number;
  readonly p50: number;
  readonly p99: number;
  readonly rps: number;
  readonly non2xx: number;
  readonly errors: number;
  /** A gateway's event loop during the run: the share of time busy, and how late a timer ran (p99, ms). */
  readonly loop?: { readonly busy: number; readonly lateP99Ms: number };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

function mixes(index: string): Mix[] {
  return allMixes(index).filter((m) => ONLY === undefined || ONLY.some((o) => m.name.startsWith(o)));
}

function allMixes(index: string): Mix[] {
  const lines = bulkLines(index);
  const doc = '{"msg":"hello world","n":42,"tags":["a","b"]}';
  const singleWithId = () => ({
    method: "PUT" as const,
    path: `/${index}/_doc/${newDocumentId()}?op_type=create`,
    body: doc,
  });
  return [
    {
      name: "index",
      method: "POST",
      path: `/${index}/_doc`,
      body: doc,
      contentType: "application/json",
      connections: 16,
      withIds: singleWithId,
    },
    {
      // The same writes from four times the writers: a group commit shares each fsync among the
      // writes waiting for it, so the log's cost per write falls as more are in flight.
      name: "index(64)",
      method: "POST",
      path: `/${index}/_doc`,
      body: doc,
      contentType: "application/json",
      connections: 64,
      withIds: singleWithId,
    },
    {
      name: "bulk(50)",
      method: "POST",
      path: "/_bulk",
      body: lines.join(""),
      contentType: "application/x-ndjson",
      connections: 4,
      withIds: () => ({
        method: "POST",
        path: "/_bulk",
        body: lines.map((l) => l.replace('"}}', `","_id":"${newDocumentId()}"}}`)).join(""),
      }),
    },
    {
      name: "search",
      method: "POST",
      path: `/${index}/_search`,
      body: '{"size":10,"query":{"match":{"msg":"hello"}}}',
      contentType: "application/json",
      connections: 16,
    },
  ];
}

/** One autocannon run; latencies are taken per response (ms, fractional), not from its 1 ms histogram. */
async function load(
  base: string,
  mix: Mix,
  seconds: number,
  overallRate?: number,
  pid?: number,
  ids = false,
): Promise<Run> {
  const latencies: number[] = [];
  const cpu0 = pid === undefined ? Number.NaN : cpuSeconds(pid);
  const withIds = ids ? mix.withIds : undefined;
  const instance = autocannon({
    url: `${base}${mix.path}`,
    method: mix.method,
    body: mix.body,
    headers: { "content-type": mix.contentType },
    connections: mix.connections,
    duration: seconds,
    ...(overallRate === undefined ? {} : { overallRate }),
    ...(withIds === undefined
      ? {}
      : { requests: [{ setupRequest: (req: object) => ({ ...req, ...withIds() }) }] }),
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    cpuUs:
      pid === undefined ? Number.NaN : ((cpuSeconds(pid) - cpu0) / Math.max(1, result.requests.total)) * 1e6,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function config(dir: string, name: string, source: string, target: string, logOptions = ""): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nsource: { url: '${source}' }\ntarget: { url: '${target}' }\nstate: { path: '${join(dir, `${name}.db`)}' }\ngateway: { adminToken: '${TOKEN}', log: { dir: '${join(dir, `${name}-log`)}', fsync: true${logOptions} } }\nreplay: { batchSize: 500 }\n`,
  );
  return file;
}

function spread(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? "n/a" : `${fmt(Math.min(...finite), 0)}–${fmt(Math.max(...finite), 0)}`;
}

async function compare(source: string, target: string, dir: string): Promise<string[]> {
  const index = `bench-gw-${randomBytes(3).toString("hex")}`;
  const create = await fetch(`${source}/${index}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
  });
  if (!create.ok) throw new Error(`cannot create ${index}: ${await create.text()}`);
  const nginx = startNginx(join(dir, "nginx"), NGINX_PORT, source);
  const gateway = startGateway(
    config(dir, "bench-capture", source, target),
    `127.0.0.1:${GATEWAY_PORT}`,
    false,
  );
  // The previous default: document writes also wait for their outcome to be durable.
  const awaiting = startGateway(
    config(dir, "bench-await", source, target, ", awaitOutcome: true"),
    `127.0.0.1:${AWAIT_PORT}`,
    false,
  );
  // The intent's fsync overlapping the forward (opt-in; see docs/gateway.md for what it risks).
  const overlap = startGateway(
    config(dir, "bench-overlap", source, target, ", syncBeforeForward: false"),
    `127.0.0.1:${OVERLAP_PORT}`,
    false,
  );
  const baseline =
    BASELINE_ROOT === undefined
      ? undefined
      : startGateway(
          config(dir, "bench-baseline", source, target),
          `127.0.0.1:${BASELINE_PORT}`,
          false,
          BASELINE_ROOT,
        );
  const procs: Proc[] = [nginx, gateway, awaiting, overlap, ...(baseline === undefined ? [] : [baseline])];
  const lines: string[] = [];
  try {
    await waitForHttp(`http://127.0.0.1:${NGINX_PORT}/`, nginx);
    await waitForHttp(`http://127.0.0.1:${GATEWAY_PORT}/`, gateway);
    await waitForHttp(`http://127.0.0.1:${AWAIT_PORT}/`, awaiting);
    await waitForHttp(`http://127.0.0.1:${OVERLAP_PORT}/`, overlap);
    if (baseline !== undefined) await waitForHttp(`http://127.0.0.1:${BASELINE_PORT}/`, baseline);
    const ways: (readonly [string, string, Proc | undefined])[] = [
      ["direct", source, undefined],
      ["direct-ids", source, undefined],
      ["nginx", `http://127.0.0.1:${NGINX_PORT}`, nginx],
      ["gateway", `http://127.0.0.1:${GATEWAY_PORT}`, gateway],
      ["gateway-await", `http://127.0.0.1:${AWAIT_PORT}`, awaiting],
      ["gateway-overlap", `http://127.0.0.1:${OVERLAP_PORT}`, overlap],
      ...(baseline === undefined
        ? []
        : [["gateway-baseline", `http://127.0.0.1:${BASELINE_PORT}`, baseline] as const]),
    ];
    lines.push(
      `| mix | path | p50 ms | p99 ms | req/s | req/s, rounds min–max | proxy CPU µs/req | non-2xx |`,
      `|---|---|---:|---:|---:|---|---:|---:|`,
    );
    const ratios: string[] = [];
    // The JVM of a freshly started sandbox is still compiling: warm it up before anything is measured.
    for (const mix of mixes(index)) await load(source, mix, WARMUP);
    for (const mix of mixes(index)) {
      // BENCH_ROUNDS rounds, each starting one path further on (and every other one reversed), so no
      // path always runs first on a cooler cluster or right after the same neighbour.
      const mixWays = ways.filter(([way]) => way !== "direct-ids" || mix.withIds !== undefined);
      const rounds: Record<string, Run[]> = Object.fromEntries(mixWays.map(([way]) => [way, []]));
      for (let round = 0; round < ROUNDS; round++) {
        const shift = round % mixWays.length;
        const rotated = [...mixWays.slice(shift), ...mixWays.slice(0, shift)];
        for (const [way, base, proc] of round % 2 === 0 ? rotated : rotated.reverse()) {
          const ids = way === "direct-ids";
          await load(base, mix, 2, undefined, undefined, ids); // warm-up: connections, caches
          // A scrape starts a new interval of the gateway's event-loop gauges: the next one covers the run.
          const gateway = way.startsWith("gateway");
          if (gateway) await eventLoop(base);
          const measured = await load(base, mix, DURATION, undefined, proc?.child.pid, ids);
          const run = gateway ? { ...measured, loop: await eventLoop(base) } : measured;
          rounds[way]?.push(run);
          process.stderr.write(
            `${mix.name} ${way} (round ${round + 1}): p50 ${fmt(run.p50)} ms, p99 ${fmt(run.p99)} ms, ${fmt(run.rps, 0)} req/s\n`,
          );
        }
      }
      const runs: Record<string, Run> = {};
      for (const [way] of mixWays) {
        const r = rounds[way] ?? [];
        const at = (f: (x: Run) => number) => median(r.map(f));
        runs[way] = {
          cpuUs: at((x) => x.cpuUs),
          p50: at((x) => x.p50),
          p99: at((x) => x.p99),
          rps: at((x) => x.rps),
          non2xx: r.reduce((sum, x) => sum + x.non2xx, 0),
          errors: r.reduce((sum, x) => sum + x.errors, 0),
        };
        const run = runs[way] as Run;
        lines.push(
          `| ${mix.name} | ${way} | ${fmt(run.p50)} | ${fmt(run.p99)} | ${fmt(run.rps, 0)} | ${spread(r.map((x) => x.rps))} | ${fmt(run.cpuUs, 0)} | ${run.non2xx + run.errors} |`,
        );
      }
      // Ratios are taken round by round (paths of one round ran minutes apart, rounds further), then
      // the median of those, with their range.
      const paired = (a: string, b: string) =>
        (rounds[a] ?? []).map((x, i) => x.rps / ((rounds[b] ?? [])[i]?.rps ?? Number.NaN));
      const d = runs.direct as Run;
      const n = runs.nginx as Run;
      const nginxAdded = n.p50 - d.p50;
      const withIds = runs["direct-ids"];
      if (withIds !== undefined) {
        ratios.push(
          `- ${mix.name} direct-ids (ids made as the gateway makes them, straight to the source): ${ratio(paired("direct-ids", "direct"))} direct, p50 ${fmt(withIds.p50 - d.p50)} ms more: the source's own cost of an explicit id`,
        );
      }
      for (const [way] of ways.filter(([w]) => w.startsWith("gateway"))) {
        const g = runs[way] as Run;
        const added = g.p50 - d.p50;
        // Against the same writes with ids: what is left is the gateway's own cost.
        const own = withIds === undefined ? "" : `, ${ratio(paired(way, "direct-ids"))} direct-ids`;
        const loops = (rounds[way] ?? []).flatMap((x) => (x.loop === undefined ? [] : [x.loop]));
        const loop =
          loops.length === 0
            ? ""
            : `; event loop busy ${fmt(median(loops.map((l) => l.busy)))} of the time (${fmt(Math.min(...loops.map((l) => l.busy)))}–${fmt(Math.max(...loops.map((l) => l.busy)))}), a timer up to ${fmt(median(loops.map((l) => l.lateP99Ms)))} ms late (p99)`;
        ratios.push(
          `- ${mix.name} ${way}: throughput ${ratio(paired(way, "nginx"))} nginx (goal ≥ ${mix.name === "search" ? "0.95× direct" : "0.8×"}), ${ratio(paired(way, "direct"))} direct${own}; added p50 ${fmt(added)} ms vs nginx's ${fmt(nginxAdded)} ms${nginxAdded > 0 ? ` (${fmt(added / nginxAdded)}×, goal ≤ 1.5×)` : ""}${loop}`,
        );
      }
    }
    const timings: [string, number][] = [
      ["gateway", GATEWAY_PORT],
      ["gateway-await", AWAIT_PORT],
      ["gateway-overlap", OVERLAP_PORT],
    ];
    if (baseline !== undefined) timings.push(["gateway-baseline", BASELINE_PORT]);
    ratios.push(
      "- where the write time goes (gateway metrics: bluegreen_gateway_write_phase_duration_seconds):",
    );
    for (const [way, port] of timings) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/_bluegreen/metrics`)).text();
      const mean = (name: string, labels = "") => {
        const sum = gauge(metrics, `${name}_sum${labels}`);
        const count = gauge(metrics, `${name}_count${labels}`);
        return { ms: (sum / count) * 1000, count };
      };
      const phases = ["parse", "intent", "upstream", "sync", "outcome", "answer"]
        .map(
          (phase) =>
            [phase, mean("bluegreen_gateway_write_phase_duration_seconds", `{phase="${phase}"}`)] as const,
        )
        .filter(([, m]) => m.count > 0)
        .map(([phase, m]) => `${phase} ${fmt(m.ms)} ms`);
      const writes = mean("bluegreen_gateway_write_phase_duration_seconds", '{phase="parse"}').count;
      const fsync = mean("bluegreen_gateway_log_fsync_duration_seconds");
      ratios.push(
        `  - ${way}, mean per write over all mixes: ${phases.join(", ")}; ${fmt(fsync.count / writes)} fsyncs per write request, ${fmt(fsync.ms)} ms each`,
      );
    }
    lines.push("", ...ratios);
    await fetch(`${source}/${index}`, { method: "DELETE" });
    return lines;
  } finally {
    for (const p of procs) await p.stop();
  }
}

/** The gateway's event-loop gauges since the previous scrape (bluegreen_gateway_event_loop_*). */
async function eventLoop(base: string): Promise<{ busy: number; lateP99Ms: number }> {
  const text = await (await fetch(`${base}/_bluegreen/metrics`)).text();
  return {
    busy: gauge(text, "bluegreen_gateway_event_loop_utilization"),
    lateP99Ms: gauge(text, 'bluegreen_gateway_event_loop_delay_seconds{quantile="0.99"}') * 1000,
  };
}

function gauge(text: string, name: string): number {
  const escaped = name.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} ([0-9.e+-]+)$`, "m").exec(text);
  return match === null ? Number.NaN : Number(match[1]);
}

async function replayLag(source: string, target: string, dir: string): Promise<string[]> {
  const index = `bench-gw-lag-${randomBytes(3).toString("hex")}`;
  const gateway = startGateway(config(dir, "bench-lag", source, target), `127.0.0.1:${LAG_PORT}`, true);
  const base = `http://127.0.0.1:${LAG_PORT}`;
  try {
    await waitForHttp(`${base}/`, gateway);
    await fetch(`${base}/${index}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ settings: { number_of_shards: 1, number_of_replicas: 0 } }),
    });
    const samples: { seconds: number; records: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const text = await (await fetch(`${base}/_bluegreen/metrics`)).text();
        samples.push({
          seconds: gauge(text, "bluegreen_replay_lag_seconds"),
          records: gauge(text, "bluegreen_replay_lag_records"),
        });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const mix: Mix = {
      name: "index",
      method: "POST",
      path: `/${index}/_doc`,
      body: '{"msg":"hello world","n":42}',
      contentType: "application/json",
      connections: 8,
    };
    const run = await load(base, mix, LAG_DURATION, RATE);
    const stopped = Date.now();
    let caughtUpMs = Number.NaN;
    while (Date.now() - stopped < 60_000) {
      const text = await (await fetch(`${base}/_bluegreen/metrics`)).text();
      if (gauge(text, "bluegreen_replay_lag_records") === 0) {
        caughtUpMs = Date.now() - stopped;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    sampling = false;
    await sampler;
    const seconds = samples
      .map((s) => s.seconds)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const records = samples
      .map((s) => s.records)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const [src, tgt] = await Promise.all(
      [source, target].map(async (url) => {
        await fetch(`${url}/${index}/_refresh`, { method: "POST" });
        return ((await (await fetch(`${url}/${index}/_count`)).json()) as { count: number }).count;
      }),
    );
    await Promise.all([source, target].map((url) => fetch(`${url}/${index}`, { method: "DELETE" })));
    return [
      `- sustained index writes through \`gateway --replay\` (capture, fsync on): asked ${RATE}/s, got ${fmt(run.rps, 0)}/s for ${LAG_DURATION} s (write p50 ${fmt(run.p50)} ms, p99 ${fmt(run.p99)} ms)`,
      `- replay lag sampled every 100 ms (${seconds.length} samples): p50 ${fmt(percentile(seconds, 50), 3)} s, p99 ${fmt(percentile(seconds, 99), 3)} s, max ${fmt(seconds.at(-1) ?? Number.NaN, 3)} s; in records p50 ${fmt(percentile(records, 50), 0)}, p99 ${fmt(percentile(records, 99), 0)}`,
      `- caught up ${fmt(caughtUpMs, 0)} ms after the load stopped; documents source ${src}, target ${tgt}`,
    ];
  } finally {
    await gateway.stop();
  }
}

async function main(): Promise<void> {
  const say = (m: string) => process.stderr.write(`[bench-gw] ${m}\n`);
  const sandbox = await sandboxUp({ name: "bench-gw", portBase: PORT_BASE, onProgress: say });
  const dir = mkdtempSync(join(tmpdir(), "bench-gw-"));
  const jvms = { source: sandbox.source.pid, target: sandbox.target.pid };
  pinClusters(jvms);
  try {
    const startLoad = loadavg()[0] ?? Number.NaN;
    const head = [
      `# gateway benchmark (${new Date().toISOString()})`,
      "",
      `source ${sandbox.source.version} at ${sandbox.source.url}; per path ${ROUNDS} runs of ${DURATION} s (one per round; each round starts one path further on, every other one reversed), each after a 2 s warm-up; medians, ratios per round then their median and range; autocannon in this process; nginx 1 worker, keepalive 64; gateway as its own process, capture mode, file log with fsync (gateway: the defaults, answer once the intent is durable, the outcome logged behind the answer; gateway-await: awaitOutcome true, the outcome durable before the answer too; gateway-overlap: syncBeforeForward false, the intent's fsync overlapping the forward)`,
      "",
    ];
    const phases = (process.env.BENCH_PHASES ?? "compare,lag").split(",");
    const table = phases.includes("compare")
      ? await compare(sandbox.source.url, sandbox.target.url, dir)
      : [];
    const lag = phases.includes("lag") ? await replayLag(sandbox.source.url, sandbox.target.url, dir) : [];
    const load = `machine: ${cpus().length} cores; load average (1 min) ${fmt(startLoad)} at the start, ${fmt(loadavg()[0] ?? Number.NaN)} at the end; ${pinning()}`;
    process.stdout.write(`${[...head, load, "", ...table, "", "replay lag:", ...lag].join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (KEEP) unpinClusters(jvms);
    else await sandboxDown({ name: "bench-gw" });
  }
}

await main();
