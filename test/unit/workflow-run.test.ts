import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { BluegreenError } from "../../src/errors/index.ts";
import {
  calls,
  eventTypes,
  reopenState,
  resetHarness,
  run,
  state,
  statuses,
  step,
} from "../support/workflow-harness.ts";

beforeEach(resetHarness);

describe("runWorkflow", () => {
  it("runs steps in order, applying then verifying each, and records it all", async () => {
    const outcome = await run([step("preflight"), step("prepare"), step("backfill")]);
    assert.equal(outcome.status, "completed");
    assert.deepEqual(calls, [
      "apply preflight#1",
      "verify preflight",
      "apply prepare#1",
      "verify prepare",
      "apply backfill#1",
      "verify backfill",
    ]);
    assert.deepEqual(statuses(), { preflight: "done", prepare: "done", backfill: "done" });
    assert.deepEqual(eventTypes("prepare"), ["step.started", "step.finished"]);
    assert.deepEqual(state.getStep("prepare")?.summary, { id: "prepare" });
  });

  it("does not re-apply steps that are done", async () => {
    await run([step("preflight"), step("prepare")]);
    calls.length = 0;
    const outcome = await run([step("preflight"), step("prepare"), step("backfill")]);
    assert.deepEqual(calls, ["apply backfill#1", "verify backfill"]);
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome]),
      [
        ["preflight", "already-done"],
        ["prepare", "already-done"],
        ["backfill", "done"],
      ],
    );
  });

  it("resumes a step interrupted by a crash, from its checkpoint", async () => {
    // First process: backfill copies 3 batches, then the process dies (the apply never settles).
    let reached!: () => void;
    const crashed = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const dying = step("backfill", {
      apply: async (ctx) => {
        ctx.checkpoint.put("batches", 3);
        reached();
        return new Promise<never>(() => {});
      },
    });
    void run([step("prepare"), dying]);
    await crashed;
    state.close();

    // Second process: the step is still `running`; it is re-applied and sees the checkpoint.
    reopenState();
    assert.equal(state.getStep("backfill")?.status, "running");
    let resumedFrom: unknown;
    const resuming = step("backfill", {
      apply: async (ctx) => {
        resumedFrom = ctx.checkpoint.get("batches");
        ctx.checkpoint.put("batches", 5);
        return { kind: "done" };
      },
    });
    calls.length = 0;
    const outcome = await run([step("prepare"), resuming]);
    assert.equal(outcome.status, "completed");
    assert.equal(resumedFrom, 3);
    assert.deepEqual(calls, ["apply backfill#2", "verify backfill"]);
    assert.deepEqual(eventTypes("backfill"), [
      "step.started",
      "step.interrupted",
      "step.started",
      "step.finished",
    ]);
    assert.equal(state.getCheckpoint("backfill", "batches"), 5);
  });

  it("retries a retryable failure with backoff and then succeeds", async () => {
    let failures = 2;
    const flaky = step("backfill", {
      apply: async () => {
        if (failures-- > 0) throw new BluegreenError("BG_CLUSTER_TIMEOUT", "timed out");
        return { kind: "done" };
      },
    });
    const outcome = await run([flaky]);
    assert.equal(outcome.status, "completed");
    assert.equal(outcome.steps[0]?.attempts, 3);
    assert.equal(state.getStep("backfill")?.attempt, 3);
    const retries = state.readEvents().filter((e) => e.type === "step.retry");
    assert.deepEqual(
      retries.map((e) => (e.data as { code: string; delayMs: number }).delayMs),
      [1, 2],
    );
  });

  it("gives up on a retryable failure after maxAttempts and stops the run", async () => {
    const outcome = await run([
      step("prepare", {
        apply: async () => {
          throw new BluegreenError("BG_CLUSTER_THROTTLED", "429 again");
        },
      }),
      step("backfill"),
    ]);
    assert.equal(outcome.status, "failed");
    assert.ok(outcome.status === "failed" && outcome.error.code === "BG_CLUSTER_THROTTLED");
    assert.deepEqual(
      outcome.steps.map((s) => [s.id, s.outcome, s.attempts]),
      [
        ["prepare", "failed", 3],
        ["backfill", "not-run", 0],
      ],
    );
    assert.deepEqual(state.getStep("prepare")?.error, { code: "BG_CLUSTER_THROTTLED", message: "429 again" });
    assert.equal(state.getStep("backfill"), undefined);
  });

  it("stops at once on a non-retryable failure, and retries the step on the next run", async () => {
    let broken = true;
    const auth = step("prepare", {
      apply: async () => {
        if (broken) throw new BluegreenError("BG_CLUSTER_AUTH", "401", { fix: "check the password" });
        return { kind: "done" };
      },
    });
    const first = await run([auth, step("backfill")]);
    assert.ok(
      first.status === "failed" && first.failedStep === "prepare" && first.error.code === "BG_CLUSTER_AUTH",
    );
    assert.deepEqual(calls, ["apply prepare#1"]);
    const failed = state.readEvents().find((e) => e.type === "step.failed");
    assert.deepEqual(failed?.data, {
      attempt: 1,
      code: "BG_CLUSTER_AUTH",
      message: "401",
      retryable: false,
      fix: "check the password",
    });
    assert.equal(statuses().prepare, "failed");

    broken = false;
    const second = await run([auth, step("backfill")]);
    assert.equal(second.status, "completed");
    assert.equal(state.getStep("prepare")?.attempt, 2);
  });

  it("treats an unexpected exception as a non-retryable internal error", async () => {
    const outcome = await run([
      step("prepare", {
        apply: async () => {
          throw new TypeError("undefined is not a function");
        },
      }),
    ]);
    assert.ok(outcome.status === "failed" && outcome.error.code === "BG_INTERNAL");
    assert.equal(outcome.steps[0]?.attempts, 1);
  });

  it("fails the step when verify fails, retrying only a retryable verdict", async () => {
    let lagging = 1;
    const sync = step("sync", {
      verify: async () => (lagging-- > 0 ? { ok: false, reason: "lag 40s", retryable: true } : { ok: true }),
    });
    const validate = step("validate", {
      verify: async () => ({ ok: false, reason: "3 documents differ", retryable: false }),
    });
    const outcome = await run([sync, validate]);
    assert.equal(statuses().sync, "done");
    assert.ok(outcome.status === "failed" && outcome.failedStep === "validate");
    assert.equal(outcome.error.code, "BG_STEP_FAILED");
    assert.match(outcome.error.message, /The validate step: verification failed: 3 documents differ/);
    assert.equal(outcome.steps[1]?.attempts, 1);
  });

  it("records a skipped step without verifying it, and re-evaluates it next run", async () => {
    const sync = step("sync", { apply: async () => ({ kind: "skipped", reason: "sync.method is none" }) });
    const outcome = await run([sync, step("validate")]);
    assert.equal(outcome.status, "completed");
    assert.deepEqual(outcome.steps[0], {
      id: "sync",
      outcome: "skipped",
      attempts: 1,
      reason: "sync.method is none",
    });
    assert.deepEqual(calls, ["apply sync#1", "apply validate#1", "verify validate"]);
    assert.equal(statuses().sync, "skipped");
    assert.deepEqual(eventTypes("sync"), ["step.started", "step.skipped"]);
    calls.length = 0;
    await run([sync, step("validate")]);
    assert.deepEqual(calls, ["apply sync#2"]);
  });

  it("keeps checkpoints across runs after a failure", async () => {
    let runNumber = 0;
    const seen: unknown[] = [];
    const backfill = step("backfill", {
      apply: async (ctx) => {
        runNumber++;
        seen.push(ctx.checkpoint.get("copied"));
        ctx.checkpoint.put("copied", (ctx.checkpoint.get<number>("copied") ?? 0) + 10);
        if (runNumber === 1) throw new BluegreenError("BG_CLUSTER_RESPONSE", "mapping conflict");
        return { kind: "done" };
      },
    });
    await run([backfill]);
    state.close();
    reopenState();
    await run([backfill]);
    assert.deepEqual(seen, [undefined, 10]);
    assert.deepEqual(
      state.listCheckpoints("backfill").map((c) => [c.key, c.value]),
      [["copied", 20]],
    );
  });

  it("lets a step append its own events", async () => {
    await run([
      step("backfill", {
        apply: async (ctx) => {
          ctx.event("backfill.index", { index: "a" });
          return { kind: "done" };
        },
      }),
    ]);
    const event = state.readEvents().find((e) => e.type === "backfill.index");
    assert.deepEqual([event?.step, event?.data], ["backfill", { index: "a" }]);
  });
});
