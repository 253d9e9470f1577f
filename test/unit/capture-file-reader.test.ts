import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { openFileLog, openFileLogReader } from "../../src/capture/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { decode, readAll, record } from "../conformance/capture-log.ts";

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), "cl-ro-")), "log");
}

describe("file capture log: read-only opener next to a live writer", () => {
  it("reads every record across segments while the writer holds the lock, and tails new ones", async () => {
    const dir = freshDir();
    const writer = await openFileLog({ dir, segmentBytes: 1024 });
    const reader = await openFileLogReader({ dir });
    try {
      for (let i = 0; i < 120; i += 6)
        await writer.append(Array.from({ length: 6 }, (_, j) => record(`k/${i + j}`, { seq: i + j })));
      assert.deepEqual(await reader.end(), await writer.end());
      const { records, position } = await readAll(reader, {});
      assert.deepEqual(
        records.map((r) => decode(r).seq),
        Array.from({ length: 120 }, (_, i) => i),
      );
      assert.ok(writer.stats().segments > 2, "the records span several segments");
      // A waiting read returns the next append as soon as it is durable.
      const waiting = reader.read(position, 10, 5_000);
      await writer.append([record("k/120", { seq: 120 })]);
      assert.deepEqual(
        (await waiting).map((r) => r.key),
        ["k/120"],
      );
      await assert.rejects(reader.append([record("x/1", {})]), (e) =>
        isBluegreenError(e, "BG_CAPTURE_OPTIONS"),
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it("never returns a record that is written but not yet durable", async () => {
    const dir = freshDir();
    const writer = await openFileLog({ dir });
    const reader = await openFileLogReader({ dir });
    try {
      await writer.append([record("k/0", { seq: 0 })]);
      // White-box: hold the next fsync, so its record sits in the file without being durable.
      const file = (writer as unknown as { file: { datasync(): Promise<void> } }).file;
      const real = file.datasync.bind(file);
      let release = (): void => undefined;
      file.datasync = () => new Promise<void>((r) => (release = r)).then(real);
      const pending = writer.append([record("k/1", { seq: 1 })]);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(await reader.end(), { "0": 1 });
      assert.deepEqual(
        (await reader.read({ "0": 1 }, 10, 100)).map((r) => r.key),
        [],
      );
      release();
      await pending;
      assert.deepEqual(
        (await reader.read({ "0": 1 }, 10, 2_000)).map((r) => r.key),
        ["k/1"],
      );
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  it("reads the log of another process, also after that process was killed with -9", async () => {
    const dir = freshDir();
    const module = new URL("../../src/capture/index.ts", import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { openFileLog } = await import(${JSON.stringify(module)});
         const log = await openFileLog({ dir: ${JSON.stringify(dir)} });
         for (let i = 0; i < 200; i++)
           await log.append([{ key: "k/" + i, value: new TextEncoder().encode(JSON.stringify({ seq: i })), timestampMs: Date.now() }]);
         console.log("appended");
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    await assert.rejects(openFileLog({ dir }), (e) => isBluegreenError(e, "BG_CAPTURE_LOCKED"));
    const reader = await openFileLogReader({ dir });
    try {
      assert.deepEqual(await reader.end(), { "0": 200 });
      child.kill("SIGKILL");
      await exited;
      const { records } = await readAll(reader, {});
      assert.deepEqual(
        records.map((r) => decode(r).seq),
        Array.from({ length: 200 }, (_, i) => i),
      );
    } finally {
      await reader.close();
    }
  });

  it("refuses a directory no writer of this version has opened", async () => {
    await assert.rejects(
      openFileLogReader({ dir: freshDir() }),
      (e) => isBluegreenError(e, "BG_CAPTURE_OPTIONS") && /no published end/.test(e.message),
    );
  });
});
