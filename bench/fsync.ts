/**
 * `npm run bench:fsync`: what one capture-log commit costs this machine's disk, the way the file log
 * makes it (a small write, then `fdatasync`), two ways in the same run: appending to a growing file
 * (what the log does), and writing into a file filled with zeros beforehand (so `fdatasync` has no
 * size or block allocation to journal). BENCH_FSYNC_ROUNDS (default 3000) writes of BENCH_FSYNC_BYTES
 * (default 600, a single-document intent); BENCH_FSYNC_NOISE (default 0) other processes appending
 * 4 KB + fdatasync to their own files meanwhile, as the clusters' translogs do. Prints per write: wall
 * time, this process's CPU (the thread pool's included), and the whole machine's busy time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, open, rm } from "node:fs/promises";
import { join } from "node:path";

const ROUNDS = Number(process.env.BENCH_FSYNC_ROUNDS ?? 3000);
const BYTES = Number(process.env.BENCH_FSYNC_BYTES ?? 600);
const NOISE = Number(process.env.BENCH_FSYNC_NOISE ?? 0);
// The log lives next to the project (the same disk as the sandboxes), not in a tmpfs.
const dir = await mkdtemp(
  join(process.env.BENCH_FSYNC_DIR ?? join(import.meta.dirname, ".."), ".bench-fsync-"),
);

/** Busy clock ticks of the whole machine (user, nice, system, irq, softirq, steal; not idle or iowait). */
function machineTicks(): number {
  const f = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (f[i] ?? 0), 0);
}

async function round(mode: "append" | "zeroed"): Promise<string> {
  const path = join(dir, `${mode}.log`);
  const file = await open(path, "w+");
  try {
    if (mode === "zeroed") {
      const zeros = Buffer.alloc(1 << 20);
      for (let at = 0; at < ROUNDS * BYTES + zeros.length; at += zeros.length)
        await file.write(zeros, 0, zeros.length, at);
      await file.sync();
    }
    const record = Buffer.alloc(BYTES, 0x61);
    const ticks = machineTicks();
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      await file.write(record, 0, BYTES, i * BYTES);
      await file.datasync();
    }
    const wallUs = ((performance.now() - started) * 1000) / ROUNDS;
    const used = process.cpuUsage(cpu);
    const busyUs = ((machineTicks() - ticks) * 10_000) / ROUNDS;
    return `| ${mode} | ${wallUs.toFixed(0)} | ${((used.user + used.system) / ROUNDS).toFixed(0)} | ${busyUs.toFixed(0)} |`;
  } finally {
    await file.close();
    await rm(path, { force: true });
  }
}

const noise: ChildProcess[] = [];
const writer = `const fs=require("fs");const f=fs.openSync(process.argv[1],"w");const b=Buffer.alloc(4096,1);let p=0;for(;;){fs.writeSync(f,b,0,b.length,p);p+=b.length;fs.fdatasyncSync(f);}`;
try {
  for (let i = 0; i < NOISE; i++)
    noise.push(spawn(process.execPath, ["-e", writer, join(dir, `noise-${i}`)], { stdio: "ignore" }));
  const lines = [
    `${ROUNDS} writes of ${BYTES} bytes, each followed by fdatasync, in ${dir}; ${NOISE} other fsyncing writers`,
    "",
    "| file | wall µs/write | process CPU µs/write | machine busy µs/write |",
    "|---|---:|---:|---:|",
  ];
  for (const mode of ["append", "zeroed", "append", "zeroed"] as const) lines.push(await round(mode));
  process.stdout.write(`${lines.join("\n")}\n`);
} finally {
  for (const child of noise) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
}
