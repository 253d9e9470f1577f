/**
 * `npm run bench:backfill`: the same generated data set copied from the bench sandbox's source to its
 * target five ways, one after the other, into the same target index (deleted in between):
 * our stream copier, elasticdump (best flags), remote `_reindex`, snapshot/restore, and a pure bulk
 * loader into the target (the ingestion ceiling). Prints docs/s, MB/s, peak RSS and the ratios.
 *
 * BENCH_DOCS (default 200000, up to 1M) sets the size; BENCH_DOC_KB (default 1) the document size
 * (e.g. 10, with BENCH_DOCS=20000); BENCH_DOC_TEXT=mixed makes the text words in several scripts (raw
 * UTF-8, about 30% of the bytes outside ASCII) instead of ASCII; BENCH_ROUNDS (default 1) runs every
 * contender that often in a rotated order and reports medians with the spread; BENCH_ONLY picks
 * contenders (ceiling, stream, elasticdump, reindex, snapshot, baseline); BENCH_KEEP=1 leaves the
 * sandbox running; BENCH_BASELINE=<checkout> adds that checkout's copier as the contender "baseline"
 * (an A/B in one run); BENCH_ASYNC_TRANSLOG=1 gives every contender's target index an async translog;
 * BENCH_PIN=1 runs the clusters on half the cores and the client-side tools on the other half;
 * BENCH_PIN=target the target alone on half, the source and the client-side tools on the other
 * (bench/pin.ts).
 * Also printed: the machine's load average at the start and the end, the copier's CPU seconds per
 * 100k documents (client-side contenders, from /proc), and the ratios against issue 15's goals.
 * Client-side tools run as child processes so their peak RSS (VmHWM) is theirs alone; _reindex and
 * snapshot run inside the clusters, so they have no client RSS worth showing.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { table } from "../src/report/index.ts";
import { sandboxDown, sandboxUp } from "../src/sandbox/index.ts";
import { CLI_FLAGS } from "./cli-flags.ts";
import { BENCH_MAPPINGS, bulkLoad, DOC_KB, DOC_TEXT } from "./data.ts";
import { cpuSeconds } from "./gateway-procs.ts";
import { onToolCores, pinClusters, pinning, unpinClusters } from "./pin.ts";
import { ratio } from "./stats.ts";

const DOCS = Math.min(1_000_000, Number(process.env.BENCH_DOCS ?? 200_000));
const KEEP = process.env.BENCH_KEEP === "1";
const INDEX = `bench-docs${DOC_KB === 1 ? "" : `-${DOC_KB}kb`}${DOC_TEXT === "mixed" ? "-mixed" : ""}`;
const ROOT = new URL("..", import.meta.url).pathname;
const NODE = process.execPath;
/** The stream copier's settings, overridable to compare tunings (`BENCH_STREAM='{ readers: 2 }'`). */
const STREAM_SETTINGS =
  process.env.BENCH_STREAM ??
  `{ readers: 2, bulkConcurrency: 4, bulkBytes: 2097152${process.env.BENCH_ASYNC_TRANSLOG === "1" ? ", asyncTranslog: true" : ""} }`;
/** `backfill.batchSize` for the copier; unset (the CLI's default) unless BENCH_BATCH says. */
const STREAM_BATCH = process.env.BENCH_BATCH === undefined ? undefined : Number(process.env.BENCH_BATCH);

interface Result {
  readonly name: string;
  readonly ms: number;
  readonly peakRssBytes: number | undefined;
  /** CPU seconds of the client-side tool's process (user + system), undefined server-side. */
  readonly cpuSeconds?: number;
  /** CPU seconds the source's and the target's JVMs spent during the run (every method pays both). */
  readonly jvmCpu?: { readonly source: number; readonly target: number };
  readonly count: number;
  readonly note: string;
}

/** The few fields of API answers the bench reads. */
interface Answer {
  readonly count?: number;
  readonly task?: string;
  readonly completed?: boolean;
  readonly error?: unknown;
  readonly response?: { readonly failures?: readonly unknown[] };
  readonly snapshot?: { readonly state?: string };
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function req(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Answer }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === "" ? {} : JSON.parse(text) };
}

/**
 * Makes the copy visible, inside the timing: the stream copier ends with a refresh (its data must be
 * searchable when it says done), so every other contender pays for one too.
 */
async function refreshed(url: string, started: number): Promise<number> {
  await req(url, "POST", `/${INDEX}/_refresh`);
  return performance.now() - started;
}

async function count(url: string, index: string): Promise<number> {
  await req(url, "POST", `/${index}/_refresh`);
  const r = await req(url, "GET", `/${index}/_count`);
  return r.json.count ?? -1;
}

/**
 * BENCH_ASYNC_TRANSLOG=1: every contender's target index gets `translog.durability: async` (the stream
 * copier's `asyncTranslog` option), so the comparison stays like for like.
 */
const ASYNC_TRANSLOG = process.env.BENCH_ASYNC_TRANSLOG === "1";
const INDEX_SETTINGS = {
  number_of_shards: 2,
  number_of_replicas: 0,
  ...(ASYNC_TRANSLOG ? { "translog.durability": "async" } : {}),
};

async function freshTarget(target: string, create: boolean): Promise<void> {
  await req(target, "DELETE", `/${INDEX}`);
  if (create) {
    // The same bulk-load tuning the stream copier applies to itself, so the comparison is fair.
    await req(target, "PUT", `/${INDEX}`, {
      settings: { ...INDEX_SETTINGS, refresh_interval: "-1" },
      mappings: BENCH_MAPPINGS,
    });
  }
}

/** Runs a child process and samples its peak RSS (VmHWM) from /proc until it exits. */
function measured(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ ms: number; peak: number; cpu: number; code: number; stderr: string; stdout: string }> {
  const started = performance.now();
  // With BENCH_PIN=1 on the tool's cores; taskset execs the command, so child.pid is the tool's own.
  const [command, argv] = onToolCores(cmd, args);
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let peak = 0;
  let cpu = 0;
  let stderr = "";
  let stdout = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout = (stdout + d.toString()).slice(-4000);
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const sample = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
      if (hwm !== null) peak = Math.max(peak, Number(hwm[1]) * 1024);
      // utime + stime (fields 14, 15) in clock ticks; the last sample is at most 50 ms before exit.
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
      cpu = Math.max(cpu, (Number(fields[11]) + Number(fields[12])) / 100);
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 50);
  return new Promise((resolve) => {
    child.on("exit", (code) => {
      clearInterval(timer);
      resolve({ ms: performance.now() - started, peak, cpu, code: code ?? -1, stderr, stdout });
    });
  });
}

/** BENCH_BASELINE: another checkout whose copier runs as one more contender, for an A/B in one run. */
const BASELINE = process.env.BENCH_BASELINE;

async function runStream(source: string, target: string, root = ROOT): Promise<Result> {
  await freshTarget(target, false);
  const dir = mkdtempSync(join(tmpdir(), "bench-stream-"));
  const file = join(dir, "bench.yaml");
  writeFileSync(
    file,
    `version: 1\nname: bench\nsource: { url: '${source}' }\ntarget: { url: '${target}' }\nindices: { include: ['${INDEX}'] }\nbackfill: { method: stream, ${STREAM_BATCH === undefined ? "" : `batchSize: ${STREAM_BATCH}, `}stream: ${STREAM_SETTINGS} }\n`,
  );
  const r = await measured(
    NODE,
    [...CLI_FLAGS, join(root, "bin/bluegreen.js"), "backfill", "-c", file, "--method", "stream"],
    { BLUEGREEN_LOG_LEVEL: "warn" },
  );
  if (r.code !== 0) throw new Error(`stream failed: ${r.stderr}`);
  return {
    name: root === ROOT ? "stream (bluegreen)" : "baseline",
    ms: r.ms,
    peakRssBytes: r.peak,
    cpuSeconds: r.cpu,
    count: await count(target, INDEX),
    note: `${root === ROOT ? "" : `${root}: `}batchSize ${STREAM_BATCH ?? "default"}, ${STREAM_SETTINGS}`,
  };
}

async function runElasticdump(source: string, target: string): Promise<Result> {
  await freshTarget(target, true);
  const bin = join(ROOT, "node_modules/elasticdump/bin/elasticdump");
  const flags = ["--limit=2000", "--concurrency=4", "--noRefresh"];
  const r = await measured(NODE, [
    bin,
    `--input=${source}/${INDEX}`,
    `--output=${target}/${INDEX}`,
    "--type=data",
    ...flags,
  ]);
  if (r.code !== 0) throw new Error(`elasticdump failed: ${r.stderr}`);
  return {
    name: "elasticdump",
    ms: r.ms + (await refreshed(target, performance.now())),
    peakRssBytes: r.peak,
    cpuSeconds: r.cpu,
    count: await count(target, INDEX),
    note: flags.join(" "),
  };
}

async function waitTask(url: string, task: string): Promise<Answer> {
  for (;;) {
    const r = await req(url, "GET", `/_tasks/${task}`);
    if (r.json.completed === true) return r.json;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function runReindex(source: string, target: string): Promise<Result> {
  await freshTarget(target, true);
  const started = performance.now();
  const r = await req(target, "POST", "/_reindex?wait_for_completion=false", {
    source: { remote: { host: source }, index: INDEX, size: 5000 },
    dest: { index: INDEX },
  });
  if (r.json.task === undefined) throw new Error(`reindex refused: ${JSON.stringify(r.json)}`);
  const done = await waitTask(target, r.json.task);
  const ms = await refreshed(target, started);
  if (done.error !== undefined || (done.response?.failures ?? []).length > 0)
    throw new Error(`reindex failed: ${JSON.stringify(done).slice(0, 500)}`);
  return {
    name: "remote _reindex",
    ms,
    peakRssBytes: undefined,
    count: await count(target, INDEX),
    note: "server-side, size 5000, no slicing (remote)",
  };
}

async function runSnapshot(source: string, target: string, repoPath: string): Promise<Result> {
  await freshTarget(target, false);
  const stamp = Date.now();
  const repo = `bench-repo-${stamp}`;
  const location = join(repoPath, repo);
  const started = performance.now();
  const put = await req(source, "PUT", `/_snapshot/${repo}`, { type: "fs", settings: { location } });
  if (put.status !== 200) throw new Error(`repository: ${JSON.stringify(put.json)}`);
  const snap = await req(source, "PUT", `/_snapshot/${repo}/s1?wait_for_completion=true`, {
    indices: INDEX,
    include_global_state: false,
  });
  if (snap.json.snapshot?.state !== "SUCCESS")
    throw new Error(`snapshot: ${JSON.stringify(snap.json).slice(0, 500)}`);
  await req(target, "PUT", `/_snapshot/${repo}`, { type: "fs", settings: { location, readonly: true } });
  const restore = await req(target, "POST", `/_snapshot/${repo}/s1/_restore?wait_for_completion=true`, {
    indices: INDEX,
    include_global_state: false,
    index_settings: { "index.number_of_replicas": 0 },
  });
  if (restore.status !== 200) throw new Error(`restore: ${JSON.stringify(restore.json).slice(0, 500)}`);
  await req(target, "GET", `/_cluster/health/${INDEX}?wait_for_status=green&timeout=120s`);
  const ms = performance.now() - started;
  await req(target, "DELETE", `/_snapshot/${repo}`);
  await req(source, "DELETE", `/_snapshot/${repo}/s1`);
  await req(source, "DELETE", `/_snapshot/${repo}`);
  return {
    name: "snapshot/restore",
    ms,
    peakRssBytes: undefined,
    count: await count(target, INDEX),
    note: "fs repository, shared path.repo",
  };
}

/**
 * The true ceiling: pre-built bulk bodies sent from memory (their building is not timed), at the best
 * of several concurrencies (each on a fresh index).
 */
async function runCeiling(target: string): Promise<Result> {
  let best: Result | undefined;
  for (const concurrency of [4, 8]) {
    await freshTarget(target, true);
    const r = await measured(NODE, [
      join(ROOT, "bench/ceiling.ts"),
      target,
      INDEX,
      String(DOCS),
      String(concurrency),
    ]);
    if (r.code !== 0) throw new Error(`ceiling failed: ${r.stderr}`);
    const sendMs = (JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { ms?: number }).ms;
    if (sendMs === undefined) throw new Error(`ceiling printed no time: ${r.stdout}`);
    const result: Result = {
      name: "bulk ceiling",
      ms: sendMs + (await refreshed(target, performance.now())),
      peakRssBytes: r.peak,
      count: await count(target, INDEX),
      note: `pre-built 4 MB bulks from memory, best of concurrency 4 and 8 (this: ${concurrency}; its JVM CPU covers both)`,
    };
    if (best === undefined || result.ms < best.ms) best = result;
  }
  return best as Result;
}

async function loadSource(source: string): Promise<number> {
  const existing = await req(source, "GET", `/${INDEX}/_count`);
  const bytesFile = join(tmpdir(), `bench-backfill-${DOCS}-${INDEX}.bytes`);
  if (existing.json.count === DOCS) {
    try {
      return Number(readFileSync(bytesFile, "utf8"));
    } catch {
      // fall through and reload, to learn the byte count
    }
  }
  log(`loading ${DOCS} documents into the source`);
  await req(source, "DELETE", `/${INDEX}`);
  await req(source, "PUT", `/${INDEX}`, {
    settings: { ...INDEX_SETTINGS, refresh_interval: "-1" },
    mappings: BENCH_MAPPINGS,
  });
  const bytes = await bulkLoad(source, INDEX, DOCS, 4);
  await req(source, "PUT", `/${INDEX}/_settings`, { index: { refresh_interval: "1s" } });
  await req(source, "POST", `/${INDEX}/_forcemerge?max_num_segments=5`);
  writeFileSync(bytesFile, String(bytes));
  return bytes;
}

const mb = (b: number) => b / 1048576;

async function main(): Promise<void> {
  log(`bench sandbox on port base 30200, ${DOCS} documents of about ${DOC_KB} KB`);
  const loadAtStart = loadavg()[0] as number;
  const sandbox = await sandboxUp({ name: "bench", portBase: 30200, onProgress: log });
  const source = sandbox.source.url;
  const target = sandbox.target.url;
  const jvms = { source: sandbox.source.pid, target: sandbox.target.pid };
  try {
    const bytes = await loadSource(source);
    pinClusters(jvms);
    // A freshly started target JVM is still compiling its indexing path; whoever ran first would pay.
    log("warming up the target");
    await req(target, "DELETE", "/bench-warmup");
    await req(target, "PUT", "/bench-warmup", { settings: INDEX_SETTINGS, mappings: BENCH_MAPPINGS });
    await bulkLoad(target, "bench-warmup", Math.min(DOCS, 30_000), 4);
    await req(target, "DELETE", "/bench-warmup");
    const results: Result[] = [];
    const only = process.env.BENCH_ONLY?.split(",");
    const contenders: [string, () => Promise<Result>][] = [
      ["ceiling", () => runCeiling(target)],
      ["stream", () => runStream(source, target)],
      ["elasticdump", () => runElasticdump(source, target)],
      ["reindex", () => runReindex(source, target)],
      ["snapshot", () => runSnapshot(source, target, sandbox.snapshotRepoPath)],
      ...(BASELINE === undefined
        ? []
        : [["baseline", () => runStream(source, target, BASELINE)] as [string, () => Promise<Result>]]),
    ];
    // The machine is shared: with BENCH_ROUNDS > 1 every contender runs that often, in a rotated order
    // each round, and the median counts, so one burst of someone else's load does not decide a ratio.
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 1));
    const runs = new Map<string, Result[]>();
    const selected = contenders.filter(([key]) => only === undefined || only.includes(key));
    for (let round = 0; round < rounds; round++) {
      const order = [
        ...selected.slice(round % selected.length),
        ...selected.slice(0, round % selected.length),
      ];
      for (const [key, run] of order) {
        log(`round ${round + 1}: running ${key}`);
        const before = [jvms.source, jvms.target].map((pid) =>
          pid === undefined ? Number.NaN : cpuSeconds(pid),
        );
        const ran = await run();
        const [source0, target0] = before as [number, number];
        const result: Result = {
          ...ran,
          jvmCpu: {
            source: cpuSeconds(sandbox.source.pid ?? 0) - source0,
            target: cpuSeconds(sandbox.target.pid ?? 0) - target0,
          },
        };
        const cpu = result.cpuSeconds === undefined ? "" : `, client CPU ${result.cpuSeconds.toFixed(2)} s`;
        log(`${key}: ${(result.ms / 1000).toFixed(1)} s, ${result.count} docs${cpu}`);
        runs.set(key, [...(runs.get(key) ?? []), result]);
      }
    }
    for (const [key] of selected) {
      const all = [...(runs.get(key) ?? [])].sort((a, b) => a.ms - b.ms);
      const median = all[Math.floor(all.length / 2)] as Result;
      results.push({
        ...median,
        peakRssBytes:
          median.peakRssBytes === undefined ? undefined : Math.max(...all.map((r) => r.peakRssBytes ?? 0)),
        note:
          rounds > 1
            ? `${median.note}; median of ${rounds}: ${all.map((r) => (r.ms / 1000).toFixed(0)).join("/")} s`
            : median.note,
      });
    }
    await req(target, "DELETE", `/${INDEX}`);
    const rate = (r: Result) => DOCS / (r.ms / 1000);
    process.stdout.write(
      `${DOCS} documents of about ${DOC_KB} KB (${DOC_TEXT} text), ${mb(bytes).toFixed(0)} MB of _source; source ${sandbox.source.version}, target ${sandbox.target.version}; ${cpus().length} cores, load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${(loadavg()[0] as number).toFixed(2)} at the end; ${pinning()}\n`,
    );
    process.stdout.write(
      `${table(
        [
          "method",
          "seconds",
          "docs/s",
          "MB/s",
          "peak RSS",
          "CPU s / 100k docs",
          "source / target JVM CPU s",
          "docs on target",
          "flags",
        ],
        results.map((r) => [
          r.name,
          (r.ms / 1000).toFixed(1),
          Math.round(rate(r)),
          (mb(bytes) / (r.ms / 1000)).toFixed(1),
          r.peakRssBytes === undefined ? "server-side" : `${mb(r.peakRssBytes).toFixed(0)} MB`,
          r.cpuSeconds === undefined ? "server-side" : ((r.cpuSeconds * 100_000) / DOCS).toFixed(1),
          r.jvmCpu === undefined ? "n/a" : `${r.jvmCpu.source.toFixed(1)} / ${r.jvmCpu.target.toFixed(1)}`,
          r.count === DOCS ? r.count : `${r.count} (!)`,
          r.note,
        ]),
      )}\n`,
    );
    const stream = results.find((r) => r.name.startsWith("stream"));
    if (stream !== undefined) {
      const streamRounds = runs.get("stream") ?? [];
      for (const [label, name, key, goal] of [
        ["stream / elasticdump", "elasticdump", "elasticdump", " (goal ≥ 1.0x)"],
        ["stream / remote _reindex", "remote _reindex", "reindex", " (goal ≥ 1.0x)"],
        ["stream / snapshot", "snapshot/restore", "snapshot", ""],
        ["stream / bulk ceiling", "bulk ceiling", "ceiling", " (goal ≥ 0.9x)"],
        ["stream / baseline", "baseline", "baseline", ""],
      ] as const) {
        const other = results.find((r) => r.name === name);
        if (other === undefined) continue;
        const otherRounds = runs.get(key) ?? [];
        const perRound = streamRounds.map((r, i) => (otherRounds[i]?.ms ?? Number.NaN) / r.ms);
        const rounds = perRound.length > 1 ? `; per round: ${ratio(perRound)}` : "";
        process.stdout.write(`${label}: ${(rate(stream) / rate(other)).toFixed(2)}x${goal}${rounds}\n`);
      }
      if (stream.peakRssBytes !== undefined)
        process.stdout.write(`stream peak RSS: ${mb(stream.peakRssBytes).toFixed(0)} MB (goal ≤ 256 MB)\n`);
    }
    process.stdout.write(`${JSON.stringify({ docs: DOCS, bytes, results })}\n`);
  } finally {
    if (KEEP) unpinClusters(jvms);
    else await sandboxDown({ name: "bench" });
  }
}

await main();
