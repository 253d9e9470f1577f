import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openState } from "../../src/state/index.ts";

/**
 * This file is also the crashing child: run with BLUEGREEN_STATE_CRASH_CHILD=<db path>, it writes
 * events and checkpoints as fast as it can and prints each committed seq, until it is SIGKILLed.
 */
const CHILD = "BLUEGREEN_STATE_CRASH_CHILD";
const OPTIONS = { migrationName: "crash-test", fingerprint: "f" };

const childPath = process.env[CHILD];
if (childPath !== undefined) {
  const state = openState(childPath, OPTIONS);
  for (let i = 0; ; i++) {
    const seq = state.transaction(() => {
      const seq = state.appendEvent({ step: "backfill", type: "batch", data: { i, pad: "x".repeat(200) } });
      state.putCheckpoint("backfill", "cursor", { seq });
      return seq;
    });
    // Printed only after COMMIT returned: every seq the parent reads was acknowledged as durable.
    // writeSync so nothing sits in a userland buffer, and one line is below PIPE_BUF so it is atomic.
    writeSync(1, `${seq}\n`);
  }
} else {
  describe("state file under kill -9", () => {
    it("loses no acknowledged write and stays consistent, across two crashes", async () => {
      const file = join(mkdtempSync(join(tmpdir(), "bg-crash-")), "state.db");
      const acknowledged: number[] = [];
      for (let round = 0; round < 2; round++) acknowledged.push(...(await crashOnce(file)));
      assert.ok(acknowledged.length > 20, `only ${acknowledged.length} writes before the kill`);

      const state = openState(file, OPTIONS);
      try {
        assert.equal(state.integrityCheck(), "ok");
        const seqs = state.readEvents({ limit: Number.MAX_SAFE_INTEGER }).map((e) => e.seq);
        assert.deepEqual(
          seqs,
          seqs.map((_, i) => i + 1),
          "seqs are contiguous from 1",
        );
        const stored = new Set(seqs);
        const lost = acknowledged.filter((seq) => !stored.has(seq));
        assert.deepEqual(lost, [], "every acknowledged seq is present");
        // Event and checkpoint were written in one transaction: the checkpoint names the last event.
        assert.deepEqual(state.getCheckpoint("backfill", "cursor"), { seq: seqs.at(-1) });
      } finally {
        state.close();
      }
    });
  });
}

async function crashOnce(file: string): Promise<number[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, [CHILD]: file };
  // The child must not think it is a test-runner worker reporting to us over stdout.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [import.meta.filename], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, "exit");
  // Start the clock once the child is writing, not while Node is still booting.
  const started = await Promise.race([
    once(child.stdout, "data").then(() => true),
    exited.then(() => false),
    sleep(15_000, undefined, { ref: false }).then(() => false),
  ]);
  assert.ok(started, `child never started writing: ${stderr}`);
  await sleep(300);
  child.kill("SIGKILL");
  const [code, signal] = await exited;
  assert.equal(signal, "SIGKILL", `child exited by itself (code ${code}): ${stderr}`);
  // Only complete lines: a seq is acknowledged when its newline made it out.
  return stdout.split("\n").slice(0, -1).map(Number);
}
