import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs `bluegreen ARGS` as a child process (so the test can kill -9 it), capturing its output. */
export function bluegreen(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [join(ROOT, "src", "cli", "main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    text += d.toString();
  });
  return { child, output: () => text };
}

/** Waits until the child printed `pattern`; fails (with its output) if it exits first. */
export async function waitForOutput(
  run: ReturnType<typeof bluegreen>,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (run.child.exitCode !== null)
      throw new Error(`bluegreen exited ${run.child.exitCode}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function exitOf(run: ReturnType<typeof bluegreen>): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  const [code] = await once(run.child, "exit");
  return code as number | null;
}

/** The report line of `bluegreen replay --json` (NDJSON: waiting/progress events, then the report). */
export function replayReport<T>(run: ReturnType<typeof bluegreen>): T {
  const line = run
    .output()
    .split("\n")
    .find((l) => l.startsWith('{"event":"report"'));
  if (line === undefined) throw new Error(`no replay report in:\n${run.output()}`);
  return JSON.parse(line) as T;
}
