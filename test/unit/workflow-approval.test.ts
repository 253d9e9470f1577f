import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { isBluegreenError } from "../../src/errors/index.ts";
import type { Approval, Step, StepId } from "../../src/workflow/index.ts";
import { calls, eventTypes, resetHarness, run, statuses, step } from "../support/workflow-harness.ts";

beforeEach(resetHarness);

function guarded(id: StepId): Step {
  return { ...step(id), approval: `${id} changes both clusters` };
}

const steps = () => [step("validate"), guarded("cutover"), guarded("decommission")];

describe("approvals and --until", () => {
  it("stops before a step that needs approval when nothing approves it; nothing of it runs", async () => {
    const outcome = await run(steps());
    assert.equal(outcome.status, "stopped");
    assert.ok(outcome.status === "stopped");
    assert.equal(outcome.stoppedBefore, "cutover");
    assert.equal(outcome.reason, "approval");
    assert.deepEqual(calls, ["apply validate#1", "verify validate"]);
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["validate", "done"],
        ["cutover", "not-run"],
        ["decommission", "not-run"],
      ],
    );
    assert.deepEqual(eventTypes("cutover"), ["step.not-approved"]);
    assert.equal(statuses().cutover, undefined, "the step was never started");
  });

  it("asks once per guarded step that is not done, and records who approved", async () => {
    const asked: string[] = [];
    const approve = async (s: Step): Promise<Approval> => {
      asked.push(s.id);
      return { approved: true, by: "--yes" };
    };
    const outcome = await run(steps(), { approve });
    assert.equal(outcome.status, "completed");
    assert.deepEqual(asked, ["cutover", "decommission"]);
    assert.deepEqual(eventTypes("cutover"), ["step.approved", "step.started", "step.finished"]);
    asked.length = 0;
    await run(steps(), { approve });
    assert.deepEqual(asked, [], "done steps need no approval");
  });

  it("a declined approval stops there with the reason; the next run asks again", async () => {
    const declined = await run(steps(), {
      approve: async (s) =>
        s.id === "decommission"
          ? { approved: false, reason: "declined" }
          : { approved: true, by: "terminal" },
    });
    assert.ok(declined.status === "stopped");
    assert.equal(declined.stoppedBefore, "decommission");
    assert.equal(declined.detail, "declined");
    assert.deepEqual(statuses(), { validate: "done", cutover: "done" });
    const again = await run(steps(), { approve: async () => ({ approved: true, by: "terminal" }) });
    assert.equal(again.status, "completed");
  });

  it("--until stops before the step, even one that is done, and asks nothing", async () => {
    let asked = 0;
    const approve = async (): Promise<Approval> => {
      asked++;
      return { approved: true, by: "--yes" };
    };
    const outcome = await run(steps(), { until: "cutover", approve });
    assert.ok(outcome.status === "stopped");
    assert.equal(outcome.reason, "until");
    assert.equal(outcome.stoppedBefore, "cutover");
    assert.equal(asked, 0);
    assert.deepEqual(statuses(), { validate: "done" });
  });

  it("bad input: --until names a step the workflow does not have", async () => {
    await assert.rejects(
      run(steps(), { until: "backfill" }),
      (e) =>
        isBluegreenError(e, "BG_USAGE") &&
        e.message === 'There is no step "backfill" in this workflow.' &&
        e.fix === "Use one of: validate, cutover, decommission.",
    );
  });
});
