import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, it } from "node:test";
import { BluegreenError } from "../../src/errors/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import {
  planWorkflow,
  runWorkflow,
  STEP_IDS,
  type Step,
  type StepId,
  workflowStatus,
} from "../../src/workflow/index.ts";

const logger = createLogger({ level: "silent" });
let state: StateStore;
let planned: string[];

beforeEach(() => {
  state = openState(join(mkdtempSync(join(tmpdir(), "bg-plan-")), "state.db"), {
    migrationName: "p",
    fingerprint: "f",
  });
  planned = [];
});

function step(id: StepId, options: { fail?: boolean } = {}): Step {
  return {
    id,
    title: `Step ${id}`,
    plan: async (ctx) => {
      planned.push(id);
      const cursor = ctx.checkpoint.get<number>("cursor");
      if (id === "sync") return { kind: "skip", reason: "sync.method is none" };
      return {
        kind: "apply",
        summary: cursor === undefined ? `${id} from scratch` : `${id} from ${cursor}`,
        actions: [{ description: `do ${id}`, ...(id === "decommission" ? { destructive: true } : {}) }],
      };
    },
    apply: async (ctx) => {
      ctx.checkpoint.put("cursor", 7);
      if (options.fail === true) throw new BluegreenError("BG_CLUSTER_RESPONSE", `${id} broke`);
      return { kind: "done", summary: { id } };
    },
    verify: async () => ({ ok: true }),
  };
}

describe("planWorkflow", () => {
  it("plans every step without touching the state", async () => {
    const steps = [step("prepare"), step("sync"), step("decommission")];
    const plans = await planWorkflow(steps, { state, logger });
    assert.deepEqual(
      plans.map((p) => [p.id, p.status, p.plan.kind]),
      [
        ["prepare", "pending", "apply"],
        ["sync", "pending", "skip"],
        ["decommission", "pending", "apply"],
      ],
    );
    assert.ok(plans[2]?.plan.kind === "apply" && plans[2].plan.actions[0]?.destructive === true);
    assert.deepEqual(state.listSteps(), []);
    assert.deepEqual(state.readEvents(), []);
  });

  it("reports done steps as skips without asking them, and plans resumes from checkpoints", async () => {
    await runWorkflow([step("prepare"), step("backfill", { fail: true })], { state, logger });
    const plans = await planWorkflow([step("prepare"), step("backfill")], { state, logger });
    assert.deepEqual(planned, ["backfill"]);
    assert.ok(plans[0]?.plan.kind === "skip" && /^already done \(finished /.test(plans[0].plan.reason));
    assert.deepEqual(plans[1], {
      id: "backfill",
      title: "Step backfill",
      status: "failed",
      plan: { kind: "apply", summary: "backfill from 7", actions: [{ description: "do backfill" }] },
    });
  });

  it("plans `from` steps as a fresh start", async () => {
    await runWorkflow([step("prepare"), step("backfill")], { state, logger });
    const plans = await planWorkflow([step("prepare"), step("backfill")], {
      state,
      logger,
      from: "backfill",
    });
    assert.deepEqual(
      plans.map((p) => [p.id, p.plan.kind === "apply" ? p.plan.summary : p.plan.reason]),
      [["backfill", "backfill from scratch"]],
    );
    assert.equal(state.getStep("backfill")?.status, "done", "planning did not reset anything");
  });
});

describe("workflowStatus", () => {
  it("lists every step with its persisted status and where the next run starts", async () => {
    const empty = workflowStatus(state);
    assert.deepEqual(
      empty.steps.map((s) => s.id),
      [...STEP_IDS],
    );
    assert.ok(empty.steps.every((s) => s.status === "pending" && s.attempt === 0));
    assert.equal(empty.next, "preflight");
    assert.equal(empty.migration.name, "p");

    await runWorkflow([step("preflight"), step("prepare"), step("backfill", { fail: true })], {
      state,
      logger,
    });
    const after = workflowStatus(state);
    const byId = Object.fromEntries(after.steps.map((s) => [s.id, s]));
    assert.equal(byId.preflight?.status, "done");
    assert.deepEqual(byId.prepare?.summary, { id: "prepare" });
    assert.equal(byId.backfill?.status, "failed");
    assert.deepEqual(byId.backfill?.error, { code: "BG_CLUSTER_RESPONSE", message: "backfill broke" });
    assert.equal(byId.backfill?.attempt, 1);
    assert.equal(after.next, "backfill");
  });

  it("uses the titles of the given steps", () => {
    const status = workflowStatus(state, [step("prepare"), step("cutover")]);
    assert.deepEqual(
      status.steps.map((s) => [s.id, s.title]),
      [
        ["prepare", "Step prepare"],
        ["cutover", "Step cutover"],
      ],
    );
  });
});
