import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { BluegreenError } from "../../src/errors/index.ts";
import {
  calls,
  eventTypes,
  FAST_RETRY,
  resetHarness,
  run,
  state,
  statuses,
  step,
} from "../support/workflow-harness.ts";

beforeEach(resetHarness);

describe("selection", () => {
  it("`only` runs just the named steps", async () => {
    const outcome = await run([step("prepare"), step("backfill"), step("cutover")], { only: ["cutover"] });
    assert.deepEqual(
      outcome.steps.map((s) => s.id),
      ["cutover"],
    );
    assert.deepEqual(statuses(), { cutover: "done" });
  });

  it("`from` redoes that step and the later ones, with fresh checkpoints", async () => {
    const backfill = step("backfill", {
      apply: async (ctx) => {
        calls.push(`checkpoint ${String(ctx.checkpoint.get("n"))}`);
        ctx.checkpoint.put("n", 1);
        return { kind: "done" };
      },
    });
    const steps = [step("prepare"), backfill, step("validate")];
    await run(steps);
    calls.length = 0;
    const outcome = await run(steps, { from: "backfill" });
    assert.equal(outcome.status, "completed");
    assert.deepEqual(calls, [
      "apply backfill#2",
      "checkpoint undefined",
      "verify backfill",
      "apply validate#2",
      "verify validate",
    ]);
    assert.deepEqual(
      state.readEvents({ step: "backfill" }).map((e) => e.type),
      ["step.started", "step.finished", "step.reset", "step.started", "step.finished"],
    );
  });

  it("rejects unknown step names as usage errors and miswired workflows as bugs", async () => {
    await assert.rejects(
      run([step("prepare")], { only: ["cutover"] }),
      (e) => e instanceof BluegreenError && e.code === "BG_USAGE",
    );
    await assert.rejects(
      run([step("prepare")], { from: "cutover" }),
      (e) => e instanceof BluegreenError && e.code === "BG_USAGE",
    );
    await assert.rejects(
      run([step("backfill"), step("prepare")]),
      (e) => e instanceof BluegreenError && e.code === "BG_INTERNAL",
    );
    await assert.rejects(
      run([step("prepare"), step("prepare")]),
      (e) => e instanceof BluegreenError && e.code === "BG_INTERNAL",
    );
  });
});

describe("cancellation", () => {
  it("puts the interrupted step back to pending and reports the run as cancelled", async () => {
    const controller = new AbortController();
    const slow = step("backfill", {
      apply: async (ctx) => {
        ctx.checkpoint.put("n", 1);
        controller.abort();
        ctx.signal.throwIfAborted();
        return { kind: "done" };
      },
    });
    const outcome = await run([slow, step("validate")], { signal: controller.signal });
    assert.ok(outcome.status === "cancelled" && outcome.cancelledStep === "backfill");
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["backfill", "cancelled"],
        ["validate", "not-run"],
      ],
    );
    assert.equal(statuses().backfill, "pending");
    assert.equal(state.getCheckpoint("backfill", "n"), 1);
    assert.deepEqual(eventTypes("backfill"), ["step.started", "step.cancelled"]);
  });

  it("cancels during a retry backoff", async () => {
    const controller = new AbortController();
    const flaky = step("prepare", {
      apply: async () => {
        setTimeout(() => controller.abort(), 5);
        throw new BluegreenError("BG_CLUSTER_UNREACHABLE", "connection refused");
      },
    });
    const outcome = await run([flaky], {
      signal: controller.signal,
      retry: { ...FAST_RETRY, initialDelayMs: 60_000 },
    });
    assert.equal(outcome.status, "cancelled");
    assert.equal(statuses().prepare, "pending");
  });
});
