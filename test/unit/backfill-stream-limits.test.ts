import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chooseSlices } from "../../src/backfill/index.ts";
import { Adaptive, ByteBudget, Gate, Throttle } from "../../src/backfill/stream/limits.ts";
import { PAGE_BYTES, pageDocs, STREAM_BATCH } from "../../src/backfill/stream/runner.ts";
import { actionLine, actionPrefix, isRetryableItem } from "../../src/backfill/stream/writer.ts";

describe("slices", () => {
  it("one per shard unless asked for more, and always a multiple of the shard count", () => {
    const cases: [number, number | undefined, number, number][] = [
      // shards, configured, workers → slices
      [1, undefined, 1, 1],
      [5, undefined, 1, 5],
      [12, undefined, 1, 12],
      // Several workers on one index: at least one slice each.
      [1, undefined, 4, 4],
      [3, undefined, 4, 6],
      [4, undefined, 2, 4],
      // Asked for: rounded up to a multiple of the shards.
      [1, 4, 1, 4],
      [4, 6, 1, 8],
      [5, 2, 1, 5],
    ];
    for (const [shards, configured, workers, expected] of cases) {
      assert.equal(
        chooseSlices(shards, configured, workers),
        expected,
        JSON.stringify({ shards, configured, workers }),
      );
    }
  });
});

describe("adaptive bulk size and concurrency", () => {
  it("grows additively on fast clean answers and halves on back-pressure", () => {
    const a = new Adaptive(1_000_000, { minBytes: 250_000, maxBytes: 4_000_000, maxConcurrency: 8 });
    assert.equal(a.concurrency, 2);
    for (let i = 0; i < 20; i++) a.success(100);
    assert.ok(a.concurrency > 2 && a.concurrency <= 8);
    assert.equal(a.bytes, 4_000_000);
    const before = a.concurrency;
    a.pressure();
    assert.equal(a.concurrency, Math.max(1, Math.floor(before / 2)));
    assert.equal(a.bytes, 2_000_000);
    for (let i = 0; i < 10; i++) a.pressure();
    assert.equal(a.concurrency, 1);
    assert.equal(a.bytes, 250_000);
  });

  it("shrinks requests that answer slowly without touching concurrency", () => {
    const a = new Adaptive(1_000_000, { minBytes: 100_000, maxBytes: 4_000_000, maxConcurrency: 4 });
    a.success(8_000);
    assert.equal(a.bytes, 750_000);
    assert.equal(a.concurrency, 2);
  });
});

describe("throttle", () => {
  it("paces docs and bytes on a virtual clock, the stricter limit winning", () => {
    let now = 0;
    const t = new Throttle(100, 1_000, () => now);
    assert.equal(t.reserve(50, 100), 0); // 0.5 s of docs, 0.1 s of bytes
    assert.equal(t.reserve(10, 2_000), 500);
    now = 3_000;
    assert.equal(t.reserve(1, 1), 0);
  });

  it("does nothing without limits", () => {
    assert.equal(new Throttle(undefined, undefined).reserve(1e9, 1e12), 0);
  });
});

describe("byte budget", () => {
  it("holds readers back until writers release, and lets an oversized page through alone", async () => {
    const budget = new ByteBudget(100);
    await budget.acquire(60);
    let second = false;
    const pending = budget.acquire(60).then(() => {
      second = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(second, false);
    budget.release(60);
    await pending;
    assert.equal(budget.used, 60);
    budget.release(60);
    await budget.acquire(500);
    assert.equal(budget.used, 500);
  });

  it("rejects a waiting acquire when aborted", async () => {
    const budget = new ByteBudget(10);
    await budget.acquire(10);
    const controller = new AbortController();
    const pending = budget.acquire(5, controller.signal);
    controller.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
  });
});

describe("gate", () => {
  it("never runs more than its width at once", async () => {
    const gate = new Gate(() => 2);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 6 }, () =>
        gate.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    assert.equal(peak, 2);
  });
});

describe("bulk items", () => {
  it("retries overload and unavailability, not mapping errors", () => {
    const table: [number, string | undefined, boolean][] = [
      [429, "es_rejected_execution_exception", true],
      [429, undefined, true],
      [503, "unavailable_shards_exception", true],
      [500, "circuit_breaking_exception", true],
      [400, "mapper_parsing_exception", false],
      [400, "illegal_argument_exception", false],
      [409, "version_conflict_engine_exception", false],
    ];
    for (const [status, type, retry] of table) {
      assert.equal(
        isRetryableItem({ status, ...(type === undefined ? {} : { error: { type } }) }),
        retry,
        `${status} ${type}`,
      );
    }
  });

  it("keeps _id and routing, and writes external versions as external_gte so a resume never conflicts", () => {
    const t = actionPrefix("t");
    assert.equal(actionLine(t, { id: "a", source: "{}" }, false), '{"index":{"_index":"t","_id":"a"}}');
    assert.equal(
      actionLine(t, { id: "a", routing: "r1", version: "9007199254740993", source: "{}" }, true),
      '{"index":{"_index":"t","_id":"a","routing":"r1","version":9007199254740993,"version_type":"external_gte"}}',
    );
    assert.equal(
      actionLine(t, { id: "a", version: "7", source: "{}" }, false),
      '{"index":{"_index":"t","_id":"a"}}',
    );
  });

  it("writes action lines as the UTF-8 bytes of the action's JSON, whatever the names hold", () => {
    const table = [
      { index: "t", id: 'quote " backslash \\ tab \t', routing: undefined },
      { index: "índice-東京", id: "ïd-𝄞", routing: "röute" },
      { index: "t", id: "\u2028\u0000", routing: "" },
    ];
    for (const { index, id, routing } of table) {
      const line = actionLine(
        actionPrefix(index),
        { id, ...(routing === undefined ? {} : { routing }), source: "{}" },
        false,
      );
      const expected = JSON.stringify({
        index: { _index: index, _id: id, ...(routing === undefined ? {} : { routing }) },
      });
      assert.ok(Buffer.from(line, "latin1").equals(Buffer.from(expected)), `${index} ${id}`);
    }
  });
});

describe("pageDocs: pages of about PAGE_BYTES of _source, never above batchSize", () => {
  const cases = [
    { name: "1 KB documents keep a batchSize of 1,000", avg: 1_060, batch: 1_000, docs: 1_000 },
    {
      name: "1 KB documents, batchSize unset: a page of PAGE_BYTES",
      avg: 1_060,
      batch: STREAM_BATCH,
      docs: 1_978,
    },
    { name: "10 KB documents: about 200 a page", avg: 10_240, batch: 1_000, docs: 204 },
    { name: "1 MB documents: 2 a page", avg: 1_048_576, batch: 1_000, docs: 2 },
    { name: "a document above PAGE_BYTES: 1 a page, never 0", avg: 50_000_000, batch: 1_000, docs: 1 },
    { name: "nothing known yet (empty index, no stats): batchSize", avg: 0, batch: 500, docs: 500 },
    { name: "a smaller batchSize still bounds it", avg: 100, batch: 50, docs: 50 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(pageDocs(c.avg, c.batch), c.docs);
    });
  }
  it("PAGE_BYTES is 2 MiB", () => assert.equal(PAGE_BYTES, 2 * 1024 * 1024));
});
