/**
 * What a held replay says it waits for, and when it gives up: `--until-caught-up` with a hold that
 * only a command nobody runs can lift ends at once (BG_REPLAY_HELD, exit 3) naming that command; a
 * hold whose backfill runs is waited out, reported every round.
 */
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { after, beforeEach, describe, it } from "node:test";
import { isBluegreenError } from "../../src/errors/index.ts";
import {
  holdReplay,
  markBackfillStart,
  type ReplayStatus,
  releaseReplay,
  replayWait,
} from "../../src/replay/index.ts";
import type { StateStore } from "../../src/state/index.ts";
import { deadPid, freshState, offlineReplay } from "../support/state.ts";

const LIFT = "bluegreen backfill -c my.yaml";
let state: StateStore;

beforeEach(() => {
  state = freshState("hold");
});

function holdBy(pid: number, host = hostname()): void {
  state.putCheckpoint("replay", "hold", {
    reason: "backfill",
    since: "2025-01-01T00:00:00.000Z",
    holder: { pid, host },
  });
}

describe("replayWait", () => {
  it("no backfill mark and none running: nothing running will lift it, and the message names the command", () => {
    const wait = replayWait(state, false, LIFT);
    assert.equal(wait?.for, "backfill-mark");
    assert.equal(wait?.liftable, false);
    assert.match(wait?.message ?? "", /no backfill is running; run `bluegreen backfill -c my\.yaml`/);
  });

  it("a backfill that runs (here: this process) is waited for, before and after it marks the log", async () => {
    holdReplay(state, "backfill");
    const before = replayWait(state, false, LIFT);
    assert.deepEqual([before?.for, before?.liftable], ["backfill-mark", true]);
    assert.match(
      before?.message ?? "",
      new RegExp(`waiting for the backfill \\(pid ${process.pid}\\) to mark`),
    );
    await markBackfillStart({ end: async () => ({ "0": 5 }) }, state);
    const during = replayWait(state, true, LIFT);
    assert.deepEqual([during?.for, during?.liftable], ["backfill", true]);
    assert.match(during?.message ?? "", /to finish copying; it lifts the hold \(held since /);
    releaseReplay(state);
    assert.equal(replayWait(state, true, LIFT), undefined);
  });

  it("a hold left by a backfill that stopped cannot be waited out", async () => {
    holdBy(await deadPid());
    const wait = replayWait(state, true, LIFT);
    assert.deepEqual([wait?.for, wait?.liftable], ["backfill", false]);
    assert.match(
      wait?.message ?? "",
      /which stopped before it finished .*; run `bluegreen backfill -c my\.yaml` to finish the copy/,
    );
  });

  it("a holder on another host cannot be checked from here: wait, do not fail", () => {
    holdBy(1, "some-other-host");
    const wait = replayWait(state, true, LIFT);
    assert.equal(wait?.liftable, undefined);
    assert.match(wait?.message ?? "", /pid 1 on some-other-host/);
  });
});

describe("replay --until-caught-up while held", () => {
  // Never called: a held replay reads no cluster.
  const offline = offlineReplay("hold");
  after(offline.close);
  const run = (statuses: ReplayStatus[], signal?: AbortSignal) =>
    offline.run(state, {
      untilCaughtUp: true,
      awaitMark: true,
      liftCommand: LIFT,
      onStatus: (s) => statuses.push(s),
      ...(signal === undefined ? {} : { signal }),
    });

  const cases: { name: string; arrange: () => Promise<void>; message: RegExp; fix: RegExp }[] = [
    {
      name: "no backfill has marked the log",
      arrange: async () => {},
      message: /applies nothing until a backfill marks the capture log, and no backfill is running/,
      fix: /^Run `bluegreen backfill -c my\.yaml` \(it marks the log, copies the indices, then lifts the hold\)/,
    },
    {
      name: "the backfill that holds replay stopped",
      arrange: async () => {
        await markBackfillStart({ end: async () => ({ "0": 0 }) }, state);
        holdBy(await deadPid());
      },
      message: /held by a backfill that stopped before it finished \(pid \d+\), held since 2025-01-01/,
      fix: /^Run `bluegreen backfill -c my\.yaml` again: it resumes the copy/,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: fails at once with BG_REPLAY_HELD (exit 3)`, async () => {
      await c.arrange();
      const started = performance.now();
      await assert.rejects(run([]), (error) => {
        assert.ok(isBluegreenError(error, "BG_REPLAY_HELD"), String(error));
        assert.equal(error.exitCode, 3);
        assert.match(error.message, c.message);
        assert.match(error.fix ?? "", c.fix);
        return true;
      });
      assert.ok(performance.now() - started < 1_000, "not at once");
    });
  }

  it("a running backfill's hold is waited for, and every round says so", async () => {
    await markBackfillStart({ end: async () => ({ "0": 0 }) }, state);
    holdReplay(state, "backfill");
    const statuses: ReplayStatus[] = [];
    const stop = new AbortController();
    const running = run(statuses, stop.signal);
    await new Promise((r) => setTimeout(r, 100));
    releaseReplay(state);
    const report = await running;
    assert.equal(report.applied, 0);
    const waits = statuses.filter((s) => s.waiting !== undefined);
    assert.ok(waits.length > 3, `${waits.length} waiting report(s)`);
    assert.ok(waits.every((s) => s.waiting?.for === "backfill" && s.waiting.liftable === true));
    assert.ok((waits.at(-1)?.waiting?.waitedSeconds ?? 0) >= 0.05, "the waited time grows");
    assert.equal(statuses.at(-1)?.waiting, undefined);
  });
});
