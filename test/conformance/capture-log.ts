import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  advance,
  type CaptureLog,
  type CaptureLogOptions,
  type LogPosition,
  type LogRecord,
  lag,
  openCaptureLog,
  type StoredRecord,
} from "../../src/capture/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { crashWriter } from "./crash.ts";

export interface ConformanceOptions {
  /** Also kill -9 a writer process mid-stream and check every acknowledged record survived. */
  readonly crash?: boolean;
}

/**
 * The behaviour every capture-log backend must have, as node:test tests. `fresh` returns the options of a
 * new, empty log each time (its own directory, its own topic); the suite opens, closes and reopens it.
 * Tests never assume one partition: they read until `lag` says nothing is left.
 */
export function captureLogConformance(
  name: string,
  fresh: () => CaptureLogOptions | Promise<CaptureLogOptions>,
  options: ConformanceOptions = {},
): void {
  describe(`capture log conformance: ${name}`, () => {
    it("returns appended binary values, keys and timestamps unchanged", async () => {
      await withLog(fresh, async (log) => {
        const records: LogRecord[] = [
          { key: "i/1", value: new Uint8Array(0), timestampMs: 1 },
          {
            key: "i/2",
            value: Uint8Array.from({ length: 256 }, (_, i) => i),
            timestampMs: 1_700_000_000_123,
          },
          {
            key: "indéx/ünïcode/🙂",
            value: new TextEncoder().encode('{"a":"b"}\n'),
            timestampMs: Date.now(),
          },
          { key: "i/big", value: randomBytes(300_000), timestampMs: 2 },
        ];
        await log.append(records);
        const { records: read, position } = await readAll(log, {});
        assert.equal(read.length, records.length);
        for (const expected of records) {
          const got = read.find((r) => r.key === expected.key);
          assert.ok(got, `record ${expected.key} is missing`);
          assert.equal(got.timestampMs, expected.timestampMs);
          assert.ok(Buffer.from(got.value).equals(Buffer.from(expected.value)), `value of ${expected.key}`);
          assert.ok(got.value instanceof Uint8Array);
        }
        assert.deepEqual(await log.read(position, 10), [], "nothing after the last record");
      });
    });

    it("keeps one key's records in append order under concurrent appends", async () => {
      await withLog(fresh, async (log) => {
        const keys = 8;
        const perKey = 40;
        // Each key has one sequential writer (awaiting every append); the writers run concurrently, so
        // their appends interleave and are group-committed together.
        await Promise.all(
          Array.from({ length: keys }, async (_, k) => {
            for (let seq = 0; seq < perKey; seq += 2) {
              await log.append([record(`doc/${k}`, { k, seq }), record(`doc/${k}`, { k, seq: seq + 1 })]);
            }
          }),
        );
        const { records } = await readAll(log, {});
        assert.equal(records.length, keys * perKey);
        for (let k = 0; k < keys; k++) {
          const seqs = records.filter((r) => r.key === `doc/${k}`).map((r) => decode(r).seq);
          assert.deepEqual(
            seqs,
            Array.from({ length: perKey }, (_, i) => i),
            `order of doc/${k}`,
          );
        }
        assertOffsetsIncrease(records);
      });
    });

    // appendLazy and appendStaged are optional; a backend without them is held to the same promises
    // through the `append` the gateway then falls back to.
    it("lazy appends keep append order with the appends around them, and become durable on their own", async () => {
      await withLog(fresh, async (log) => {
        const lazy = (records: readonly LogRecord[]) => (log.appendLazy ?? log.append).call(log, records);
        const pending: Promise<void>[] = [];
        await Promise.all(
          Array.from({ length: 6 }, async (_, k) => {
            for (let seq = 0; seq < 30; seq += 2) {
              await log.append([record(`doc/${k}`, { k, seq })]);
              // Not awaited, as the gateway does with an outcome once its client has the answer.
              pending.push(lazy([record(`doc/${k}`, { k, seq: seq + 1 })]));
            }
          }),
        );
        await Promise.all(pending);
        // Nothing follows this one: it must still become durable and readable.
        await lazy([record("last", { seq: 0 })]);
        const { records } = await readAll(log, {});
        assert.equal(records.length, 6 * 30 + 1);
        for (let k = 0; k < 6; k++) {
          const seqs = records.filter((r) => r.key === `doc/${k}`).map((r) => decode(r).seq);
          assert.deepEqual(
            seqs,
            Array.from({ length: 30 }, (_, i) => i),
            `order of doc/${k}`,
          );
        }
        assertOffsetsIncrease(records);
      });
    });

    it("a staged append is written before it is durable, and readable once durable", async () => {
      await withLog(fresh, async (log) => {
        const staged =
          log.appendStaged?.([record("s", { seq: 0 })]) ??
          (() => {
            const done = log.append([record("s", { seq: 0 })]);
            return { written: done, durable: done };
          })();
        await staged.written;
        await staged.durable;
        const { records } = await readAll(log, {});
        assert.deepEqual(
          records.map((r) => decode(r).seq),
          [0],
        );
      });
    });

    it("keeps every acknowledged record across close and reopen, and appends after it", async () => {
      const logOptions = await fresh();
      const first = await openCaptureLog(logOptions);
      await first.append(Array.from({ length: 30 }, (_, i) => record(`k/${i % 3}`, { seq: i })));
      const before = await first.end();
      await first.close();
      const second = await openCaptureLog(logOptions);
      try {
        assert.deepEqual(await second.end(), before, "end() is the same after reopening");
        await second.append([record("k/0", { seq: 30 })]);
        const { records } = await readAll(second, {});
        assert.deepEqual(
          records.map((r) => decode(r).seq).sort((a, b) => a - b),
          Array.from({ length: 31 }, (_, i) => i),
        );
      } finally {
        await second.close();
      }
    });

    it("end() moves with appends and lag() counts what a consumer has not read", async () => {
      await withLog(fresh, async (log) => {
        const empty = await log.end();
        assert.equal(lag(empty, await log.end()), 0);
        await log.append(Array.from({ length: 12 }, (_, i) => record(`k/${i}`, { seq: i })));
        const end = await log.end();
        assert.equal(lag(empty, end), 12, "12 records behind the position taken before appending");
        const { records, position } = await readAll(log, empty);
        assert.equal(records.length, 12, "reading from the earlier end() returns exactly the new records");
        assert.equal(lag(position, end), 0);
        assert.deepEqual(position, advance(empty, records));
      });
    });

    it("resumes exactly from a stored position, across a reopen", async () => {
      const logOptions = await fresh();
      const total = 50;
      let log = await openCaptureLog(logOptions);
      try {
        await log.append(Array.from({ length: total }, (_, i) => record(`k/${i % 5}`, { seq: i })));
        const firstBatch = await readSome(log, {}, 17);
        assert.ok(firstBatch.length > 0 && firstBatch.length <= 17);
        // Stored as JSON in the state store between runs.
        const stored: LogPosition = JSON.parse(JSON.stringify(advance({}, firstBatch)));
        await log.close();
        log = await openCaptureLog(logOptions);
        const { records: rest } = await readAll(log, stored);
        const seqs = [...firstBatch, ...rest].map((r) => decode(r).seq).sort((a, b) => a - b);
        assert.deepEqual(
          seqs,
          Array.from({ length: total }, (_, i) => i),
          "no record twice, none missing",
        );
      } finally {
        await log.close();
      }
    });

    it("read() waits for the next append, and returns [] when nothing comes", async () => {
      await withLog(fresh, async (log) => {
        const end = await log.end();
        let started = Date.now();
        assert.deepEqual(await log.read(end, 10, 300), []);
        assert.ok(Date.now() - started >= 250, `waited only ${Date.now() - started} ms`);
        started = Date.now();
        const waiting = log.read(end, 10, 20_000);
        await sleep(200);
        await log.append([record("w/1", { seq: 1 })]);
        const got = await waiting;
        assert.equal(got.length, 1);
        assert.equal(decode(got[0] as StoredRecord).seq, 1);
        assert.ok(Date.now() - started < 15_000, "the wait ended when the record arrived");
      });
    });

    it("a tailing reader sees every record exactly once while writers append", async () => {
      await withLog(fresh, async (log) => {
        const writers = 6;
        const perWriter = 60;
        const total = writers * perWriter;
        const seen: StoredRecord[] = [];
        const start = await log.end();
        const tail = (async () => {
          let position = start;
          const deadline = Date.now() + 60_000;
          while (seen.length < total && Date.now() < deadline) {
            const batch = await log.read(position, 37, 500);
            seen.push(...batch);
            position = advance(position, batch);
          }
        })();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let seq = 0; seq < perWriter; seq++) {
              await log.append([record(`t/${w}`, { w, seq })]);
              if (seq % 7 === 0) await sleep(1);
            }
          }),
        );
        await tail;
        assert.equal(seen.length, total, "every record once");
        for (let w = 0; w < writers; w++)
          assert.deepEqual(
            seen.filter((r) => r.key === `t/${w}`).map((r) => decode(r).seq),
            Array.from({ length: perWriter }, (_, i) => i),
            `writer ${w} in order`,
          );
        assertOffsetsIncrease(seen);
      });
    });

    it("release() keeps everything at or after the position readable", async () => {
      await withLog(fresh, async (log) => {
        const total = 400;
        for (let i = 0; i < total; i += 50)
          await log.append(
            Array.from({ length: 50 }, (_, j) =>
              record(`r/${(i + j) % 4}`, { seq: i + j, pad: "x".repeat(200) }),
            ),
          );
        const half = await readSome(log, {}, total / 2);
        const mid = advance({}, half);
        await log.release(mid);
        const { records: after } = await readAll(log, mid);
        assert.equal(half.length + after.length, total);
        // From the beginning: a suffix of the log that may start later than before, never after `mid`.
        const { records: kept } = await readAll(log, {});
        const keptSeqs = new Set(kept.map((r) => decode(r).seq));
        for (const r of after)
          assert.ok(keptSeqs.has(decode(r).seq), `seq ${decode(r).seq} was released too early`);
      });
    });

    it("rejects use after close() and ends a pending wait", async () => {
      const log = await openCaptureLog(await fresh());
      const waiting = log.read(await log.end(), 10, 20_000);
      await sleep(100);
      await log.close();
      assert.deepEqual(await waiting, []);
      await log.close();
      await assert.rejects(log.append([record("c/1", {})]), (e) => isBluegreenError(e, "BG_CAPTURE_CLOSED"));
      await assert.rejects(log.read({}, 1), (e) => isBluegreenError(e, "BG_CAPTURE_CLOSED"));
    });

    if (options.crash === true) {
      it("loses no acknowledged record when the writer is killed with SIGKILL, across two crashes", async () => {
        const logOptions = await fresh();
        const acknowledged: string[] = [];
        for (const round of ["a", "b"]) acknowledged.push(...(await crashWriter(logOptions, round)));
        assert.ok(
          acknowledged.length > 50,
          `only ${acknowledged.length} acknowledged appends before the kill`,
        );
        await withOpen(logOptions, async (log) => {
          const { records } = await readAll(log, {});
          const stored = new Map<string, number[]>();
          for (const r of records) {
            const { writer, seq } = decode(r);
            assert.equal(
              r.key,
              `crash/${writer}`,
              "the key matches the writer inside the value: nothing torn",
            );
            stored.set(r.key, [...(stored.get(r.key) ?? []), seq]);
          }
          for (const [key, seqs] of stored)
            assert.deepEqual(
              seqs,
              seqs.map((_, i) => i),
              `${key}: contiguous from 0, in order`,
            );
          const lost = acknowledged.filter((ack) => {
            const [writer, seq] = ack.split(":");
            return !(stored.get(`crash/${writer}`) ?? []).includes(Number(seq));
          });
          assert.deepEqual(lost, [], "every acknowledged append is in the log");
        });
      });
    }
  });
}

export function record(key: string, body: Record<string, unknown>): LogRecord {
  return { key, value: new TextEncoder().encode(JSON.stringify(body)), timestampMs: Date.now() };
}

export function decode(r: StoredRecord): { seq: number; writer: string } & Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(r.value));
}

/** Reads until `lag` against end() is zero; waits a little per call since some backends fetch lazily. */
export async function readAll(
  log: CaptureLog,
  from: LogPosition,
): Promise<{ records: StoredRecord[]; position: LogPosition }> {
  const end = await log.end();
  const records: StoredRecord[] = [];
  let position = from;
  const deadline = Date.now() + 60_000;
  while (lag(position, end) > 0) {
    assert.ok(Date.now() < deadline, `still ${lag(position, end)} records behind after 60 s`);
    const batch = await log.read(position, 500, 1_000);
    records.push(...batch);
    position = advance(position, batch);
  }
  return { records, position };
}

/** One non-empty read (some backends need a moment before the first fetch returns). */
async function readSome(log: CaptureLog, from: LogPosition, max: number): Promise<readonly StoredRecord[]> {
  for (let i = 0; i < 20; i++) {
    const batch = await log.read(from, max, 1_000);
    if (batch.length > 0) return batch;
  }
  assert.fail("read() returned nothing for 20 s");
}

function assertOffsetsIncrease(records: readonly StoredRecord[]): void {
  const last = new Map<number, number>();
  for (const r of records) {
    assert.ok((last.get(r.partition) ?? -1) < r.offset, `offsets rise within partition ${r.partition}`);
    last.set(r.partition, r.offset);
  }
}

async function withLog(
  fresh: () => CaptureLogOptions | Promise<CaptureLogOptions>,
  body: (log: CaptureLog) => Promise<void>,
): Promise<void> {
  await withOpen(await fresh(), body);
}

async function withOpen(options: CaptureLogOptions, body: (log: CaptureLog) => Promise<void>): Promise<void> {
  const log = await openCaptureLog(options);
  try {
    await body(log);
  } finally {
    await log.close();
  }
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7919 + (i >> 8)) & 0xff;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
