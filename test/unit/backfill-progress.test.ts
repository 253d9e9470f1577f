import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ProgressEvent } from "../../src/backfill/index.ts";
import { createProgress, formatSeconds, ProgressTracker, renderSummary } from "../../src/backfill/index.ts";

const event = (over: Partial<ProgressEvent>): ProgressEvent => ({
  index: "a",
  method: "stream",
  phase: "copying",
  docsDone: 0,
  docsTotal: 1000,
  bytesDone: 0,
  ...over,
});

describe("progress", () => {
  it("rates count only what this run copied, and ETA follows the rate", () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    tracker.update(event({ phase: "starting", docsDone: 200, bytesDone: 2_000 })); // resumed from checkpoints
    now = 2_000;
    const p = tracker.update(event({ docsDone: 400, bytesDone: 4_000 }));
    assert.equal(p.docsPerSec, 100);
    assert.equal(p.bytesPerSec, 1_000);
    assert.equal(p.etaSec, 6);
    tracker.update(event({ index: "b", docsDone: 0, docsTotal: 500 }));
    const total = tracker.total();
    assert.equal(total.docsTotal, 1500);
    assert.equal(total.docsDone, 400);
    assert.equal(tracker.update(event({ phase: "done", docsDone: 1000 })).etaSec, 0);
  });

  it("emits JSON lines, throttled per index but never hiding a phase change", () => {
    const out: string[] = [];
    const sink = createProgress({
      json: true,
      tty: false,
      out: (l) => out.push(l),
      err: () => {},
      intervalMs: 60_000,
    });
    sink.onProgress(event({ phase: "starting" }));
    sink.onProgress(event({ docsDone: 10 }));
    sink.onProgress(event({ docsDone: 20 }));
    sink.onProgress(event({ docsDone: 30, detail: "took over slice 1 from w1 at 5 docs" }));
    sink.onProgress(event({ phase: "done", docsDone: 1000 }));
    const events = out.map((l) => JSON.parse(l));
    assert.deepEqual(
      events.map((e) => [e.phase, e.docsDone]),
      [
        ["starting", 0],
        ["copying", 10],
        ["copying", 30],
        ["done", 1000],
      ],
    );
    assert.ok(
      events.every((e) => e.event === "progress" && "docsPerSec" in e && "etaSec" in e && "mbPerSec" in e),
    );
  });

  it("prints a summary table with a total row", () => {
    const text = renderSummary({
      results: [
        { index: "a", targetIndex: "a2", method: "stream", docs: 2000, bytes: 2 * 1048576, durationMs: 2000 },
      ],
      docs: 2000,
      bytes: 2 * 1048576,
      durationMs: 2500,
    });
    assert.match(text, /a\s+│ a2\s+│ stream │ 2000 │ 2\.0 MB\s+│ 2s\s+│ 1000\s+│ 1\s+│/);
    assert.match(text, /total/);
    // The size column says what it measures, the same for every method.
    assert.match(text, /│ source size │/);
    assert.match(
      text,
      /source size: the source index's primary store size \(the same measure for every method\)/,
    );
  });

  it("formats durations for ETAs", () => {
    assert.deepEqual([formatSeconds(5), formatSeconds(65), formatSeconds(3_700)], ["5s", "1m05s", "1h01m"]);
  });
});
