/**
 * How `bluegreen replay` tells a user what it waits for: at once when a wait starts, then every few
 * seconds (TTY and --json) or every half minute (a log file); while applying, lag on a TTY and as
 * JSON only. Driven by a fake clock.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { REPORT_EVERY_MS, replayReporter } from "../../src/cli/commands/replay.ts";
import type { ReplayStatus } from "../../src/replay/index.ts";

const base = {
  applied: 0,
  skipped: 0,
  resolved: 0,
  deadLettered: 0,
  position: {},
  lagRecords: 7,
  lagSeconds: 1.5,
};
const held = (waitedSeconds: number): ReplayStatus => ({
  ...base,
  waiting: {
    for: "backfill",
    liftable: true,
    message: "waiting for the backfill (pid 42) to finish copying",
    holder: { pid: 42, host: "h" },
    heldSince: "2025-01-01T00:00:00.000Z",
    waitedSeconds,
  },
});
const applying = (applied: number): ReplayStatus => ({ ...base, applied, waiting: undefined });

/** Feeds `statuses` one per second of fake time; returns what was printed, tagged by stream. */
function printed(mode: { json: boolean; tty: boolean }, statuses: readonly ReplayStatus[]): string[] {
  let clock = 0;
  const lines: string[] = [];
  const report = replayReporter(
    { out: (t) => lines.push(`out ${t}`), progress: (t) => lines.push(`err ${t}`) },
    mode,
    undefined,
    () => clock,
  );
  for (const status of statuses) {
    report(status);
    clock += 1_000;
  }
  return lines;
}

describe("replayReporter", () => {
  const eleven = Array.from({ length: 11 }, (_, i) => held(i));

  it("on a TTY: the wait at once, then every 5 s, with how long and how far behind", () => {
    const lines = printed({ json: false, tty: true }, eleven);
    assert.deepEqual(lines, [
      "err replay: waiting for the backfill (pid 42) to finish copying; waited 0 s, 7 record(s) behind",
      "err replay: waiting for the backfill (pid 42) to finish copying; waited 5 s, 7 record(s) behind",
      "err replay: waiting for the backfill (pid 42) to finish copying; waited 10 s, 7 record(s) behind",
    ]);
  });

  it("with --json: one waiting event per 5 s on stdout", () => {
    const lines = printed({ json: true, tty: false }, eleven);
    assert.equal(lines.length, 3);
    assert.deepEqual(JSON.parse((lines[1] as string).slice(4)), {
      event: "waiting",
      for: "backfill",
      message: "waiting for the backfill (pid 42) to finish copying",
      waitedSeconds: 5,
      lagRecords: 7,
      heldSince: "2025-01-01T00:00:00.000Z",
      holder: { pid: 42, host: "h" },
    });
  });

  it("into a log file: the wait at once, then every 30 s", () => {
    assert.equal(REPORT_EVERY_MS.plain, 30_000);
    const lines = printed(
      { json: false, tty: false },
      Array.from({ length: 61 }, (_, i) => held(i)),
    );
    assert.equal(lines.length, 3);
    assert.match(lines[2] as string, /waited 60 s/);
  });

  it("while applying: lag every 5 s on a TTY and as JSON, nothing into a log file", () => {
    const run = Array.from({ length: 11 }, (_, i) => applying(i * 10));
    assert.deepEqual(printed({ json: false, tty: true }, run), [
      "err replay: applied 50; 7 record(s) behind (1.5 s)",
      "err replay: applied 100; 7 record(s) behind (1.5 s)",
    ]);
    const json = printed({ json: true, tty: false }, run).map((l) => JSON.parse(l.slice(4)));
    assert.deepEqual(
      json.map((e) => [e.event, e.applied]),
      [
        ["progress", 50],
        ["progress", 100],
      ],
    );
    assert.deepEqual(printed({ json: false, tty: false }, run), []);
  });

  it("a new wait is reported at once, even right after another report", () => {
    const lines = printed({ json: false, tty: true }, [applying(0), held(0), applying(1), held(0)]);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((l) => l.includes("waiting for the backfill")));
  });
});
