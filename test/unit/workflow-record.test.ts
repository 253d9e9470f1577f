/**
 * Step commands run by hand (`prepare --apply`, `backfill`, `clusters check`) record their outcome in
 * the same state the workflow uses: `status` and `run` then agree with what was done by hand.
 */
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { BluegreenError } from "../../src/errors/index.ts";
import { recordStepRun, workflowStatus } from "../../src/workflow/index.ts";
import {
  calls,
  eventTypes,
  logger,
  resetHarness,
  run,
  state,
  statuses,
  step,
} from "../support/workflow-harness.ts";

beforeEach(resetHarness);

const byHand = (signal = new AbortController().signal) => ({ state, logger, signal, via: "prepare --apply" });

describe("recordStepRun", () => {
  it("records a command's success as the step done, with the command named, and `run` then skips it", async () => {
    const value = await recordStepRun(step("prepare"), byHand(), async (ctx) => {
      ctx.checkpoint.put("tuning", { a: 1 });
      return { value: 42, result: { kind: "done", summary: { applied: 3 } } };
    });
    assert.equal(value, 42);
    assert.deepEqual(statuses(), { prepare: "done" });
    assert.deepEqual(state.getStep("prepare")?.summary, { applied: 3, via: "prepare --apply" });
    assert.deepEqual(eventTypes("prepare"), ["step.started", "step.finished"]);
    assert.deepEqual(
      state.readEvents({ step: "prepare" }).map((e) => (e.data as { via?: string }).via),
      ["prepare --apply", "prepare --apply"],
    );
    assert.deepEqual(state.getCheckpoint("prepare", "tuning"), { a: 1 });

    const status = workflowStatus(state, [step("preflight"), step("prepare"), step("backfill")]);
    assert.deepEqual(
      status.steps.map((s) => [s.id, s.status]),
      [
        ["preflight", "pending"],
        ["prepare", "done"],
        ["backfill", "pending"],
      ],
    );
    const outcome = await run([step("preflight"), step("prepare"), step("backfill")]);
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["preflight", "done"],
        ["prepare", "already-done"],
        ["backfill", "done"],
      ],
    );
    assert.ok(!calls.includes("apply prepare#2"), calls.join(", "));
  });

  it("records a failure with its code and message, and rethrows it", async () => {
    const error = new BluegreenError("BG_PREPARE_BLOCKED", "two blockers");
    await assert.rejects(
      recordStepRun(step("prepare"), byHand(), async () => {
        throw error;
      }),
      (thrown) => thrown === error,
    );
    assert.equal(state.getStep("prepare")?.status, "failed");
    assert.deepEqual(state.getStep("prepare")?.error, {
      code: "BG_PREPARE_BLOCKED",
      message: "two blockers",
    });
    assert.deepEqual(workflowStatus(state, [step("prepare")]).next, "prepare");
  });

  it("puts an interrupted command's step back to pending, as Ctrl-C under `run` does", async () => {
    const controller = new AbortController();
    await assert.rejects(
      recordStepRun(step("backfill"), byHand(controller.signal), async () => {
        controller.abort();
        throw new Error("interrupted");
      }),
    );
    assert.equal(state.getStep("backfill")?.status, "pending");
    assert.deepEqual(eventTypes("backfill"), ["step.started", "step.cancelled"]);
  });

  it("a partial run (backfill --index) does not mark the step done, nor undo an earlier done", async () => {
    const partial = async () => ({ value: undefined, result: undefined });
    await recordStepRun(step("backfill"), byHand(), partial);
    assert.equal(state.getStep("backfill")?.status, "pending");
    await recordStepRun(step("backfill"), byHand(), async () => ({
      value: undefined,
      result: { kind: "done", summary: { docs: 10 } },
    }));
    await recordStepRun(step("backfill"), byHand(), partial);
    assert.equal(state.getStep("backfill")?.status, "done");
    assert.deepEqual(state.getStep("backfill")?.summary, { docs: 10, via: "prepare --apply" });
    assert.deepEqual(eventTypes("backfill"), [
      "step.started",
      "step.partial",
      "step.started",
      "step.finished",
      "step.started",
      "step.partial",
    ]);
  });
});
