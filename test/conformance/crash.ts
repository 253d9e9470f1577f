import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CaptureLogOptions } from "../../src/capture/index.ts";

const ACKS_BEFORE_KILL = 300;

/**
 * Runs crash-child.ts against the log until it has acknowledged a few hundred appends, kills it with
 * SIGKILL mid-stream, and returns the acknowledged `writer:seq` lines.
 */
export async function crashWriter(options: CaptureLogOptions, round: string): Promise<string[]> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BLUEGREEN_CAPTURE_CHILD: JSON.stringify(options),
    BLUEGREEN_CAPTURE_ROUND: round,
  };
  // The child must not think it is a test-runner worker reporting to us over stdout.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [join(import.meta.dirname, "crash-child.ts")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, "exit");
  const deadline = Date.now() + 60_000;
  while (stdout.split("\n").length <= ACKS_BEFORE_KILL && child.exitCode === null) {
    assert.ok(Date.now() < deadline, `child acknowledged too little in 60 s: ${stderr}`);
    await sleep(20);
  }
  assert.equal(child.exitCode, null, `child exited early: ${stderr}`);
  child.kill("SIGKILL");
  await exited;
  // Only whole lines: a line cut by the kill was never fully printed, so it is not an acknowledgement.
  return stdout.split("\n").slice(0, -1);
}
