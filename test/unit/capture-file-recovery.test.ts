import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  type CaptureLogOptions,
  type FileLogOptions,
  openCaptureLog,
  openFileLog,
} from "../../src/capture/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { decode, readAll, record } from "../conformance/capture-log.ts";

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), "cl-rec-")), "log");
}

function segments(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()
    .map((f) => join(dir, f));
}

async function logWith(count: number, options: Partial<FileLogOptions> = {}): Promise<string> {
  const dir = freshDir();
  const log = await openFileLog({ dir, ...options });
  for (let i = 0; i < count; i += 10)
    await log.append(
      Array.from({ length: Math.min(10, count - i) }, (_, j) => record(`k/${i + j}`, { seq: i + j })),
    );
  await log.close();
  return dir;
}

describe("file capture log: torn tails from a crash mid-write", () => {
  const frame = (): Buffer => {
    // A real frame, taken from a log of one record, to cut pieces from.
    return readFileSync(segments(oneRecordDir)[0] as string).subarray(8);
  };
  let oneRecordDir = "";
  const cases: { name: string; tail: () => Buffer }[] = [
    { name: "a partial frame header", tail: () => frame().subarray(0, 3) },
    { name: "a header with half its body", tail: () => frame().subarray(0, 20) },
    {
      name: "a whole frame whose checksum does not match",
      tail: () => {
        const bad = Buffer.from(frame());
        bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
        return bad;
      },
    },
    { name: "zeros (the file grew but the data never reached the disk)", tail: () => Buffer.alloc(4096) },
  ];
  for (const { name, tail } of cases) {
    it(`cuts off ${name}, returns only whole records, and appends after them`, async () => {
      oneRecordDir ||= await logWith(1);
      const dir = await logWith(25);
      const garbage = tail();
      appendFileSync(segments(dir).at(-1) as string, garbage);
      const log = await openFileLog({ dir });
      try {
        assert.equal(log.stats().recoveredBytes, garbage.length);
        assert.deepEqual(await log.end(), { "0": 25 });
        await log.append([record("k/after", { seq: 25 })]);
        const { records } = await readAll(log, {});
        assert.deepEqual(
          records.map((r) => decode(r).seq),
          Array.from({ length: 26 }, (_, i) => i),
        );
      } finally {
        await log.close();
      }
    });
  }

  it("recovers a segment torn while its header was being written", async () => {
    const dir = await logWith(5);
    writeFileSync(join(dir, `${"5".padStart(20, "0")}.log`), "BGC");
    const log = await openFileLog({ dir });
    try {
      assert.deepEqual(await log.end(), { "0": 5 });
      await log.append([record("k/5", { seq: 5 })]);
      assert.equal((await readAll(log, {})).records.length, 6);
    } finally {
      await log.close();
    }
  });

  it("refuses to return a damaged record from a sealed segment", async () => {
    const dir = await logWith(60, { segmentBytes: 1024 });
    const first = segments(dir)[0] as string;
    const bytes = readFileSync(first);
    bytes[40] = (bytes[40] ?? 0) ^ 0x01;
    writeFileSync(first, bytes);
    const log = await openFileLog({ dir });
    try {
      await assert.rejects(
        log.read({}, 100),
        (e) => isBluegreenError(e, "BG_CAPTURE_CORRUPT") && /checksum mismatch/.test(e.message),
      );
    } finally {
      await log.close();
    }
  });
});

describe("file capture log: one writer per directory", () => {
  it("refuses a second open in the same process until the first closes", async () => {
    const dir = freshDir();
    const first = await openFileLog({ dir });
    await assert.rejects(
      openFileLog({ dir }),
      (e) =>
        isBluegreenError(e, "BG_CAPTURE_LOCKED") &&
        e.message.includes(dir) &&
        e.message.includes(`pid ${process.pid}`) &&
        e.fix !== undefined,
    );
    await first.close();
    await (await openFileLog({ dir })).close();
  });

  it("refuses another process's log, and the lock dies with that process on kill -9", async () => {
    const dir = freshDir();
    const module = new URL("../../src/capture/index.ts", import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { openFileLog } = await import(${JSON.stringify(module)});
         await openFileLog({ dir: ${JSON.stringify(dir)} });
         console.log("open");
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(child, "exit");
    await once(child.stdout, "data");
    await assert.rejects(
      openFileLog({ dir }),
      (e) => isBluegreenError(e, "BG_CAPTURE_LOCKED") && e.message.includes(`pid ${child.pid}`),
    );
    child.kill("SIGKILL");
    await exited;
    await (await openFileLog({ dir })).close();
  });
});

describe("file capture log: positions, retention, limits, group commit", () => {
  it("refuses positions outside the stored records", async () => {
    const dir = await logWith(300, { segmentBytes: 2048 });
    const log = await openFileLog({ dir });
    try {
      await assert.rejects(log.read({ "0": 301 }, 1), (e) => isBluegreenError(e, "BG_CAPTURE_POSITION"));
      await assert.rejects(log.read({ "0": -1 }, 1), (e) => isBluegreenError(e, "BG_CAPTURE_POSITION"));
      await log.release({ "0": 200 });
      const start = log.stats().startOffset;
      assert.ok(start > 0 && start <= 200, `start ${start}`);
      await assert.rejects(
        log.read({ "0": 0 }, 1),
        (e) => isBluegreenError(e, "BG_CAPTURE_POSITION") && /released/.test(e.message),
      );
      assert.equal((await log.read({}, 1))[0]?.offset, start, "a missing partition reads from the start");
    } finally {
      await log.close();
    }
  });

  it("deletes whole released segments only, keeping retention.releasedBytes of them", async () => {
    const dir = await logWith(300, { segmentBytes: 2048 });
    const before = segments(dir).length;
    const log = await openFileLog({ dir, retention: { releasedBytes: 4096 } });
    try {
      await log.release(await log.end());
      const after = segments(dir).length;
      assert.ok(after < before, `${before} → ${after} segments`);
      assert.ok(after >= 3, "the active segment and about 4 KiB of released ones stay");
      assert.equal((await log.read({}, 1000)).at(-1)?.offset, 299);
    } finally {
      await log.close();
    }
  });

  it("rejects an oversized record and writes nothing of its append", async () => {
    const log = await openFileLog({ dir: freshDir(), maxRecordBytes: 1024 });
    try {
      await assert.rejects(
        log.append([record("ok", {}), { key: "big", value: new Uint8Array(2000), timestampMs: 0 }]),
        (e) => isBluegreenError(e, "BG_CAPTURE_RECORD") && e.message.includes("big"),
      );
      assert.deepEqual(await log.end(), { "0": 0 });
    } finally {
      await log.close();
    }
  });

  it("shares one fsync between concurrent appends, and each append still resolves after it", async () => {
    const commits: number[] = [];
    const log = await openFileLog({
      dir: freshDir(),
      onCommit: (c) => {
        assert.ok(c.seconds >= c.fsyncSeconds && c.fsyncSeconds > 0);
        commits.push(c.appends);
      },
    });
    try {
      await Promise.all(Array.from({ length: 200 }, (_, i) => log.append([record(`g/${i}`, { seq: i })])));
      const stats = log.stats();
      assert.equal(stats.appendedRecords, 200);
      assert.equal(stats.fsyncs, stats.commits);
      assert.ok(stats.commits < 200, `${stats.commits} commits for 200 concurrent appends`);
      assert.equal(
        commits.reduce((a, b) => a + b, 0),
        200,
      );
    } finally {
      await log.close();
    }
  });

  it("refuses every later append after a failed write, and a reopen recovers", async () => {
    const dir = await logWith(3);
    const log = await openFileLog({ dir });
    // White-box: pull the segment's descriptor away so the next write fails the way a dying disk would.
    await (log as unknown as { file: { close(): Promise<void> } }).file.close();
    await assert.rejects(
      log.append([record("k/3", {})]),
      (e) => isBluegreenError(e, "BG_CAPTURE_WRITE") && e.message.includes(dir) && e.retryable,
    );
    await assert.rejects(log.append([record("k/4", {})]), (e) => isBluegreenError(e, "BG_CAPTURE_WRITE"));
    assert.deepEqual(await log.end(), { "0": 3 }, "nothing of the failed appends is visible");
    await log.close().catch(() => undefined);
    const reopened = await openFileLog({ dir });
    try {
      await reopened.append([record("k/3", { seq: 3 })]);
      assert.deepEqual(await reopened.end(), { "0": 4 });
    } finally {
      await reopened.close();
    }
  });

  it("a failed fsync refuses its append and every one written behind it; nothing of them is visible", async () => {
    const dir = await logWith(3);
    const log = await openFileLog({ dir });
    // White-box: the disk takes the write but the fsync fails (EIO), while more appends pipeline behind.
    const file = (log as unknown as { file: { datasync(): Promise<void> } }).file;
    let syncs = 0;
    file.datasync = async () => {
      syncs += 1;
      await new Promise((r) => setTimeout(r, 20));
      throw Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" });
    };
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => log.append([record(`k/${3 + i}`, { seq: 3 + i })])),
    );
    assert.ok(syncs >= 1);
    assert.ok(
      results.every((r) => r.status === "rejected" && isBluegreenError(r.reason, "BG_CAPTURE_WRITE")),
      JSON.stringify(results.map((r) => r.status)),
    );
    assert.deepEqual(await log.end(), { "0": 3 }, "nothing of the refused appends is visible");
    await log.close();
    const reopened = await openFileLog({ dir });
    try {
      assert.deepEqual(await reopened.end(), { "0": 3 }, "the refused appends were cut off the file");
      assert.deepEqual(
        (await readAll(reopened, {})).records.map((r) => r.key),
        ["k/0", "k/1", "k/2"],
      );
    } finally {
      await reopened.close();
    }
  });

  const invalid: { options: unknown; message: RegExp }[] = [
    { options: { kind: "file", dir: "" }, message: /option dir is : a directory path/ },
    {
      options: { kind: "file", dir: "/tmp/x", segmentBytes: 10 },
      message: /segmentBytes is 10: an integer of at least 1024/,
    },
    { options: { kind: "file", dir: "/tmp/x", maxRecordBytes: 1.5 }, message: /maxRecordBytes is 1.5/ },
    {
      options: { kind: "file", dir: "/tmp/x", retention: { releasedBytes: -1 } },
      message: /retention.releasedBytes is -1/,
    },
    { options: { kind: "s3", dir: "/tmp/x" }, message: /Unknown capture log kind "s3"/ },
  ];
  for (const { options, message } of invalid) {
    it(`refuses options ${JSON.stringify(options)}`, async () => {
      await assert.rejects(
        openCaptureLog(options as CaptureLogOptions),
        (e) => isBluegreenError(e, "BG_CAPTURE_OPTIONS") && message.test(e.message),
      );
    });
  }
});
