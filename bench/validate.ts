/**
 * `npm run bench:validate`: how fast the content comparison runs against how fast the stream copier
 * reads. Seeds BENCH_DOCS (default 100000) ~1 KB documents on the bench sandbox's source, copies them to
 * the target by snapshot/restore (byte-identical), then times, each in its own child process (so peak
 * RSS, VmHWM, is its own):
 * - `read`: the stream copier's reader over the source index (its defaults: 2 readers, 1000 a page);
 * - `read both`: the same reader over the source and the target at once, the floor for any full
 *   comparison, which has to read both;
 * - `compare full`: `compareContent` in full mode.
 * Prints docs/s (documents of the index per second), MB/s of `_source` per index, peak RSS and ratios.
 * The children run with the V8 flags of the `bluegreen` launcher (bin/bluegreen.js), as the CLI would.
 *
 * BENCH_ROUNDS (default 3) runs every contender that often in a rotated order; the table shows the
 * median and the best round of each (on a shared machine, other load only adds time). BENCH_KEEP=1 leaves the sandbox running; BENCH_SANDBOX / BENCH_PORT_BASE pick
 * another sandbox than `bench-validate` on 30250.
 */

import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ReadMode, SliceReader } from "../src/backfill/stream/reader.ts";
import { chooseSlices } from "../src/backfill/stream/runner.ts";
import { createCluster, type Requester } from "../src/cluster/index.ts";
import { table } from "../src/report/index.ts";
import { sandboxDown, sandboxUp } from "../src/sandbox/index.ts";
import { compareContent } from "../src/validate/index.ts";
import { CLI_FLAGS } from "./cli-flags.ts";
import { BENCH_MAPPINGS, bulkLoad } from "./data.ts";

const DOCS = Number(process.env.BENCH_DOCS ?? 100_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const KEEP = process.env.BENCH_KEEP === "1";
const NAME = process.env.BENCH_SANDBOX ?? "bench-validate";
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 30250);
const INDEX = "bench-validate";
const SHARDS = 2;

interface Measured {
  readonly ms: number;
  readonly docs: number;
  readonly bytes: number;
  readonly peakRss: number;
  /** Client CPU (user + system) of the child, ms: what the comparison adds on top of reading. */
  readonly cpuMs: number;
  readonly note?: string;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function cluster(url: string): ReturnType<typeof createCluster> {
  return createCluster({
    name: url,
    urls: [url],
    auth: { type: "none" },
    tls: { insecure: false },
    requestTimeoutMs: 120_000,
    retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5_000 },
  });
}

async function req(
  url: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return text === "" ? {} : (JSON.parse(text) as Record<string, unknown>);
}

const peakRss = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;

/** The copier's read of one index, as `IndexCopy` does it, minus the writing. */
async function readIndex(
  c: Requester,
  mode: ReadMode,
  signal: AbortSignal,
): Promise<{ docs: number; bytes: number }> {
  const slices = chooseSlices(SHARDS, 2, undefined);
  let next = 0;
  let docs = 0;
  let bytes = 0;
  const loop = async () => {
    while (next < slices) {
      const slice = next++;
      const reader = new SliceReader({
        source: c,
        index: INDEX,
        mode,
        slice,
        slices,
        keepAliveMs: 600_000,
        versions: false,
        signal,
      });
      await reader.open();
      for (let page = await reader.next(1_000); page !== undefined; page = await reader.next(1_000)) {
        docs += page.hits.length;
        for (const hit of page.hits) bytes += hit.source?.length ?? 0;
      }
      await reader.close();
    }
  };
  await Promise.all([loop(), loop()]);
  return { docs, bytes };
}

/** Runs in a child process: one contender, its result as JSON on stdout. */
async function child(kind: string, source: string, target: string): Promise<void> {
  const s = cluster(source);
  const t = cluster(target);
  const signal = new AbortController().signal;
  const started = performance.now();
  let result: Omit<Measured, "ms" | "peakRss" | "cpuMs">;
  if (kind === "read") {
    result = await readIndex(s, "pit", signal);
  } else if (kind === "read-both") {
    const [a, b] = await Promise.all([readIndex(s, "pit", signal), readIndex(t, "pit", signal)]);
    result = { docs: a.docs, bytes: a.bytes, note: `${b.docs} on the target` };
  } else {
    const dir = join(tmpdir(), `bench-validate-${process.pid}`);
    const r = await compareContent({
      source: s,
      target: t,
      sourceIndex: INDEX,
      targetIndex: INDEX,
      mode: { kind: "full" },
      workDir: join(dir, "work"),
      differencesFile: join(dir, "differences.ndjson"),
    });
    rmSync(dir, { recursive: true, force: true });
    if (r.differences !== 0) throw new Error(`the copy differs: ${JSON.stringify(r.first.slice(0, 3))}`);
    result = { docs: r.sourceDocs, bytes: 0, note: `${r.compared} compared, ${r.differences} differences` };
  }
  const ms = performance.now() - started;
  await Promise.all([s.close(), t.close()]);
  const cpu = process.cpuUsage();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ ...result, ms, peakRss: peakRss(), cpuMs })}\n`);
}

function spawnChild(kind: string, source: string, target: string): Promise<Measured> {
  const args = [...CLI_FLAGS, new URL(import.meta.url).pathname, "--child", kind, source, target];
  const proc = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "warn" },
  });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve, reject) => {
    proc.on("exit", (code) => {
      if (code !== 0) reject(new Error(`${kind} exited with ${code}`));
      else resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Measured);
    });
  });
}

async function load(source: string, target: string, repoPath: string): Promise<number> {
  const existing = await req(source, "GET", `/${INDEX}/_count`);
  const copied = await req(target, "GET", `/${INDEX}/_count`);
  if (existing.count !== DOCS || copied.count !== DOCS) {
    log(`loading ${DOCS} documents into the source`);
    await req(source, "DELETE", `/${INDEX}`);
    await req(source, "PUT", `/${INDEX}`, {
      settings: { number_of_shards: SHARDS, number_of_replicas: 0, refresh_interval: "-1" },
      mappings: BENCH_MAPPINGS,
    });
    await bulkLoad(source, INDEX, DOCS, 2);
    await req(source, "PUT", `/${INDEX}/_settings`, { index: { refresh_interval: "1s" } });
    await req(source, "POST", `/${INDEX}/_forcemerge?max_num_segments=5`);
    log("copying it to the target by snapshot/restore");
    const repo = `bench-validate-${Date.now()}`;
    const location = join(repoPath, repo);
    await req(source, "PUT", `/_snapshot/${repo}`, { type: "fs", settings: { location } });
    await req(source, "PUT", `/_snapshot/${repo}/s?wait_for_completion=true`, {
      indices: INDEX,
      include_global_state: false,
    });
    await req(target, "DELETE", `/${INDEX}`);
    await req(target, "PUT", `/_snapshot/${repo}`, { type: "fs", settings: { location, readonly: true } });
    await req(target, "POST", `/_snapshot/${repo}/s/_restore?wait_for_completion=true`, {
      indices: INDEX,
      include_global_state: false,
    });
    await req(target, "GET", `/_cluster/health/${INDEX}?wait_for_status=green&timeout=120s`);
    await req(target, "DELETE", `/_snapshot/${repo}`);
    await req(source, "DELETE", `/_snapshot/${repo}/s`);
    await req(source, "DELETE", `/_snapshot/${repo}`);
  }
  const stats = await req(source, "GET", `/${INDEX}/_stats/store`);
  return Number(
    (stats._all as { primaries?: { store?: { size_in_bytes?: number } } })?.primaries?.store?.size_in_bytes ??
      0,
  );
}

const mb = (b: number) => b / 1_048_576;

async function main(): Promise<void> {
  log(`sandbox ${NAME} on port base ${PORT_BASE}, ${DOCS} documents, ${ROUNDS} rounds`);
  const sandbox = await sandboxUp({ name: NAME, portBase: PORT_BASE, onProgress: log });
  const source = sandbox.source.url;
  const target = sandbox.target.url;
  try {
    const storeBytes = await load(source, target, sandbox.snapshotRepoPath);
    const contenders = ["read", "read-both", "compare"];
    const runs = new Map<string, Measured[]>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = [...contenders.slice(round % 3), ...contenders.slice(0, round % 3)];
      for (const kind of order) {
        const r = await spawnChild(kind, source, target);
        log(
          `round ${round + 1}: ${kind} ${(r.ms / 1000).toFixed(1)} s, ${r.docs} docs, peak RSS ${mb(r.peakRss).toFixed(0)} MB, CPU ${(r.cpuMs / 1000).toFixed(1)} s`,
        );
        runs.set(kind, [...(runs.get(kind) ?? []), r]);
      }
    }
    const sorted = (kind: string) => [...(runs.get(kind) ?? [])].sort((a, b) => a.ms - b.ms);
    const median = (kind: string) => sorted(kind)[Math.floor(ROUNDS / 2)] as Measured;
    const best = (kind: string) => sorted(kind)[0] as Measured;
    const sourceBytes = median("read").bytes;
    const rate = (r: Measured) => DOCS / (r.ms / 1000);
    const names: Record<string, string> = {
      read: "read (stream copier's reader)",
      "read-both": "read both sides (copier's reader ×2)",
      compare: "compareContent full",
    };
    process.stdout.write(
      `${DOCS} documents, ${mb(sourceBytes).toFixed(0)} MB of _source (${mb(storeBytes).toFixed(0)} MB on disk) per index; ` +
        `source ${sandbox.source.version}, target ${sandbox.target.version}; ${ROUNDS} rounds\n`,
    );
    process.stdout.write(
      `${table(
        [
          "contender",
          "median s",
          "docs/s",
          "MB/s",
          "best s",
          "docs/s (best)",
          "client CPU s",
          "peak RSS (max)",
          "note",
        ],
        contenders.map((kind) => {
          const m = median(kind);
          const b = best(kind);
          return [
            names[kind],
            (m.ms / 1000).toFixed(1),
            Math.round(rate(m)),
            (mb(sourceBytes) / (m.ms / 1000)).toFixed(1),
            (b.ms / 1000).toFixed(1),
            Math.round(rate(b)),
            (m.cpuMs / 1000).toFixed(1),
            `${mb(Math.max(...sorted(kind).map((r) => r.peakRss))).toFixed(0)} MB`,
            m.note ?? "",
          ];
        }),
      )}\n`,
    );
    // On a shared machine other load only ever adds time, so the best round is the cleaner estimate.
    for (const [label, other] of [
      ["read", "read"],
      ["read both sides", "read-both"],
    ] as const) {
      const ratio = (pick: (kind: string) => Measured) =>
        (rate(pick("compare")) / rate(pick(other))).toFixed(2);
      process.stdout.write(`compare / ${label}: ${ratio(median)}x median, ${ratio(best)}x best\n`);
    }
    process.stdout.write(`${JSON.stringify({ docs: DOCS, sourceBytes, runs: Object.fromEntries(runs) })}\n`);
  } finally {
    if (!KEEP) await sandboxDown({ name: NAME });
  }
}

if (process.argv[2] === "--child")
  await child(process.argv[3] ?? "", process.argv[4] ?? "", process.argv[5] ?? "");
else await main();
