/**
 * `npm run bench:cutover`: repeated cutovers and rollbacks under a steady write load through the
 * gateway. A client sends BENCH_RATE single-document writes a second (open loop: each on its own
 * schedule, so a pause shows as latency rather than as fewer writes) for the whole run; after
 * BENCH_STEADY seconds of steady state, BENCH_ROUNDS rounds each run `bluegreen cutover`, hold
 * BENCH_HOLD seconds in target mode, run `bluegreen rollback`, and hold again in capture mode.
 *
 * Reported, from the gateway's own mode switches (the state file's `gateway.mode` events) and the
 * client's answers:
 * - the write pause: fence → first write the target accepted (the issue's measure; goal ≤ 2 s), and
 *   fence → switch as cutover records it; the same for rollback (fence → capture);
 * - client write latency p50/p99 in steady state (capture, target) and for writes sent during a
 *   switch (from 1 s before the fence to 1 s after the switch), with the ratios;
 * - every answer's status (with the default fenceHold of 10 s, a pause shorter than that is only
 *   latency, never a 503), and the machine's load average before and after.
 *
 * Uses the `bench-cutover` sandbox on BENCH_PORT_BASE (default 30600): started if needed and then
 * stopped at the end unless BENCH_KEEP=1; a pair already running is attached to and left running
 * (BENCH_SANDBOX / BENCH_PORT_BASE name another one).
 * BENCH_DOCS (default 5000) documents are seeded and backfilled first.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { loadConfig } from "../src/config/index.ts";
import { createLogger } from "../src/log/index.ts";
import { table } from "../src/report/index.ts";
import { sandboxDown, sandboxStatus, sandboxUp } from "../src/sandbox/index.ts";
import { openMigrationState } from "../src/state/index.ts";
import { syncLag } from "../src/validate/index.ts";
import { BENCH_MAPPINGS, benchDoc, bulkLoad } from "./data.ts";
import { startGateway } from "./gateway-procs.ts";

const RATE = Number(process.env.BENCH_RATE ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEADY_S = Number(process.env.BENCH_STEADY ?? 10);
const HOLD_S = Number(process.env.BENCH_HOLD ?? 5);
const DOCS = Number(process.env.BENCH_DOCS ?? 5000);
const NAME = process.env.BENCH_SANDBOX ?? "bench-cutover";
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 30600);
const KEEP = process.env.BENCH_KEEP === "1";
const GOAL_MS = 2000;
const INDEX = `bench-cutover-${randomBytes(3).toString("hex")}`;
const ROOT = join(import.meta.dirname, "..");

interface Write {
  /** Wall-clock ms (comparable with the state file's event times). */
  readonly sent: number;
  done: number;
  latencyMs: number;
  status: number;
}

interface Switch {
  readonly kind: "cutover" | "rollback";
  readonly fenceAt: number;
  readonly switchAt: number;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function cli(args: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [join(ROOT, "src", "cli", "main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.on("close", r));
  if (code !== 0) throw new Error(`bluegreen ${args.join(" ")} exited ${code}:\n${out}`);
  return out;
}

/** One write every 1000/RATE ms, each on its own schedule, until `stop`. */
function steadyWriter(url: string) {
  const writes: Write[] = [];
  const pending = new Set<Promise<void>>();
  let n = 0;
  let running = true;
  const one = async (w: Write, id: number) => {
    const started = performance.now();
    try {
      const res = await fetch(`${url}/${INDEX}/_doc/w${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(benchDoc(DOCS + id)),
      });
      await res.arrayBuffer();
      w.status = res.status;
    } catch {
      w.status = 0;
    }
    w.latencyMs = performance.now() - started;
    w.done = Date.now();
  };
  const loop = (async () => {
    const interval = 1000 / RATE;
    const start = performance.now();
    while (running) {
      const w: Write = { sent: Date.now(), done: 0, latencyMs: 0, status: -1 };
      writes.push(w);
      const p = one(w, n++).finally(() => pending.delete(p));
      pending.add(p);
      // Scheduled from the start, not from the last send: a slow event loop does not lower the rate.
      const next = start + n * interval - performance.now();
      if (next > 0) await delay(next);
    }
  })();
  return {
    writes,
    async stop() {
      running = false;
      await loop;
      await Promise.all([...pending]);
    },
  };
}

/** Each fence and the switch that ended it, from the gateway's recorded mode changes. */
function switches(config: Awaited<ReturnType<typeof loadConfig>>): Switch[] {
  const state = openMigrationState(config);
  try {
    const modes = state
      .readEvents({ step: "gateway", limit: 100_000 })
      .filter((e) => e.type === "gateway.mode")
      .map((e) => ({ at: Date.parse(e.at), to: (e.data as { to: string }).to }));
    const out: Switch[] = [];
    for (let i = 0; i + 1 < modes.length; i++) {
      const [fence, next] = [modes[i], modes[i + 1]];
      if (fence?.to !== "fenced" || next === undefined) continue;
      out.push({
        kind: next.to === "target" ? "cutover" : "rollback",
        fenceAt: fence.at,
        switchAt: next.at,
      });
    }
    return out;
  } finally {
    state.close();
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(0)} ms` : "n/a");
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : "n/a");

function report(
  writes: readonly Write[],
  all: readonly Switch[],
  load: { before: number[]; after: number[] },
) {
  const ok = writes.filter((w) => w.status >= 200 && w.status < 300);
  const lines: string[] = [];
  const pauseRows = (["cutover", "rollback"] as const).map((kind) => {
    const of = all.filter((s) => s.kind === kind);
    // The first write answered 2xx after the switch was held by the fence and released to the new side.
    const firstAccepted = of.map(
      (s) => (ok.find((w) => w.done >= s.switchAt)?.done ?? Number.NaN) - s.fenceAt,
    );
    const recorded = of.map((s) => s.switchAt - s.fenceAt);
    const p50 = percentile(firstAccepted, 50);
    const max = Math.max(...firstAccepted);
    return [
      kind,
      of.length,
      ms(p50),
      ms(max),
      ms(percentile(recorded, 50)),
      ms(Math.max(...recorded)),
      `${ratio(p50, GOAL_MS)} / ${ratio(max, GOAL_MS)}`,
    ];
  });
  lines.push(
    table(
      [
        "switch",
        "n",
        "fence→first accepted p50",
        "max",
        "fence→switch p50",
        "max",
        `p50 / max vs goal ${GOAL_MS} ms`,
      ],
      pauseRows,
    ),
  );
  const during = (w: Write) => all.some((s) => w.sent >= s.fenceAt - 1000 && w.sent <= s.switchAt + 1000);
  const modeAt = (t: number) => {
    const last = all.filter((s) => s.switchAt <= t).at(-1);
    return last?.kind === "cutover" ? "target" : "capture";
  };
  const groups: [string, Write[]][] = [
    ["steady, capture", ok.filter((w) => !during(w) && modeAt(w.sent) === "capture")],
    ["steady, target", ok.filter((w) => !during(w) && modeAt(w.sent) === "target")],
    ["during a switch", ok.filter(during)],
  ];
  const base = percentile(groups[0]?.[1].map((w) => w.latencyMs) ?? [], 50);
  const base99 = percentile(groups[0]?.[1].map((w) => w.latencyMs) ?? [], 99);
  lines.push(
    table(
      ["writes", "n", "p50", "p99", "p50 vs steady capture", "p99 vs steady capture"],
      groups.map(([name, ws]) => {
        const lat = ws.map((w) => w.latencyMs);
        const [p50, p99] = [percentile(lat, 50), percentile(lat, 99)];
        return [
          name,
          ws.length,
          `${p50.toFixed(1)} ms`,
          `${p99.toFixed(1)} ms`,
          ratio(p50, base),
          ratio(p99, base99),
        ];
      }),
    ),
  );
  const statuses = new Map<number, number>();
  for (const w of writes) statuses.set(w.status, (statuses.get(w.status) ?? 0) + 1);
  lines.push(
    `answers: ${[...statuses].map(([s, c]) => `${s === 0 ? "no answer" : s}: ${c}`).join(", ")} (${RATE} writes/s)`,
  );
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  lines.push(
    `machine: ${cpus().length} CPU(s), load average (1/5/15 min) ${fmtLoad(load.before)} before, ${fmtLoad(load.after)} after`,
  );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const before = loadavg();
  log(`sandbox ${NAME} on port base ${PORT_BASE}`);
  // A pair that was running already (attached to) is left running.
  const attached = await sandboxStatus(NAME)
    .then((s) => s.source.healthy && s.target.healthy)
    .catch(() => false);
  const sandbox = await sandboxUp({ name: NAME, portBase: PORT_BASE, onProgress: log });
  const dir = mkdtempSync(join(tmpdir(), "bench-cutover-"));
  const file = join(dir, "bluegreen.yaml");
  writeFileSync(
    file,
    `version: 1
name: ${INDEX}
source: { url: '${sandbox.source.url}' }
target: { url: '${sandbox.target.url}' }
state: { path: '${join(dir, "state.db")}' }
indices: { include: ['${INDEX}'] }
sync: { method: gateway }
backfill: { method: stream }
gateway: { adminToken: '${randomBytes(12).toString("hex")}', captureInTargetMode: true, log: { dir: '${join(dir, "log")}' } }
replay: { deadLetterPath: '${join(dir, "dead.ndjson")}' }
`,
  );
  const config = await loadConfig(file);
  let gateway: ReturnType<typeof startGateway> | undefined;
  try {
    await fetch(`${sandbox.source.url}/${INDEX}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: BENCH_MAPPINGS,
      }),
    });
    await bulkLoad(sandbox.source.url, INDEX, DOCS, 2);
    gateway = startGateway(file, "127.0.0.1:0", true);
    const g = gateway;
    const url = await (async () => {
      for (;;) {
        const m = /gateway listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(g.output());
        if (m?.[1] !== undefined) return m[1];
        if (g.child.exitCode !== null) throw new Error(`the gateway exited:\n${g.output()}`);
        await delay(50);
      }
    })();
    log(`gateway at ${url}; backfill and validate`);
    await cli(["backfill", "-c", file]);
    const state = openMigrationState(config);
    while ((await syncLag(config, state, createLogger({ level: "silent" })))?.lagRecords !== 0)
      await delay(200);
    state.close();
    await cli(["validate", "-c", file]);

    const writer = steadyWriter(url);
    log(
      `${RATE} writes/s; ${STEADY_S} s steady, then ${ROUNDS} rounds of cutover, ${HOLD_S} s, rollback, ${HOLD_S} s`,
    );
    await delay(STEADY_S * 1000);
    for (let round = 1; round <= ROUNDS; round++) {
      const cut = JSON.parse(await cli(["cutover", "-c", file, "--yes", "--json"])) as { pauseMs: number };
      log(`round ${round}: cut over (fence→switch ${cut.pauseMs} ms)`);
      await delay(HOLD_S * 1000);
      await cli(["rollback", "-c", file, "--yes", "--json"]);
      log(`round ${round}: rolled back`);
      await delay(HOLD_S * 1000);
    }
    await writer.stop();
    process.stdout.write(`${report(writer.writes, switches(config), { before, after: loadavg() })}\n`);
  } finally {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
    await fetch(`${sandbox.source.url}/${INDEX}`, { method: "DELETE" }).catch(() => undefined);
    await fetch(`${sandbox.target.url}/${INDEX}`, { method: "DELETE" }).catch(() => undefined);
    if (!KEEP && !attached) await sandboxDown({ name: NAME, purge: true });
  }
}

await main();
