import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { beforeEach, describe, it } from "node:test";
import { Secret } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { openState, SCHEMA_VERSION } from "../../src/state/index.ts";

const OPTIONS = { migrationName: "orders-upgrade", fingerprint: "f1" };
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "bg-state-"));
  file = join(dir, "nested", "state.db");
});

function raw(path: string): DatabaseSync {
  return new DatabaseSync(path);
}

describe("opening", () => {
  it("creates the file, its directory and the schema, in WAL mode with synchronous=FULL", () => {
    const state = openState(file, OPTIONS);
    assert.equal(state.path, file);
    assert.equal(state.migration.name, "orders-upgrade");
    assert.equal(state.integrityCheck(), "ok");
    state.close();
    const db = raw(file);
    assert.equal(db.prepare("PRAGMA user_version").get()?.user_version, SCHEMA_VERSION);
    assert.equal(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "wal");
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    assert.deepEqual(
      tables.map((t) => t.name).filter((n) => n !== "sqlite_sequence"),
      ["checkpoints", "events", "migration", "steps"],
    );
    db.close();
  });

  it("keeps everything across a reopen and does not re-run migrations", () => {
    const first = openState(file, { ...OPTIONS, now: () => new Date("2025-01-01T00:00:00Z") });
    first.setStepStatus("backfill", "running");
    first.putCheckpoint("backfill", "cursor", { index: "orders", after: 42 });
    first.appendEvent({ step: "backfill", type: "progress", data: { docs: 10 } });
    first.close();
    const second = openState(file, OPTIONS);
    assert.equal(second.migration.createdAt, "2025-01-01T00:00:00.000Z");
    assert.equal(second.previousFingerprint, undefined);
    assert.equal(second.getStep("backfill")?.status, "running");
    assert.deepEqual(second.getCheckpoint("backfill", "cursor"), { index: "orders", after: 42 });
    assert.equal(second.readEvents().length, 1);
    second.close();
  });

  it("records a config change as an event", () => {
    openState(file, OPTIONS).close();
    const state = openState(file, { ...OPTIONS, fingerprint: "f2" });
    assert.equal(state.previousFingerprint, "f1");
    assert.equal(state.migration.fingerprint, "f2");
    assert.deepEqual(
      state.readEvents().map((e) => [e.type, e.data]),
      [["config.changed", { from: "f1", to: "f2" }]],
    );
    state.close();
  });

  it("refuses a file written by a newer schema", () => {
    openState(file, OPTIONS).close();
    const db = raw(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => openState(file, OPTIONS),
      (e) =>
        isBluegreenError(e, "BG_STATE_SCHEMA") && /schema version 2/.test(e.message) && e.fix !== undefined,
    );
  });

  it("refuses the state file of another migration", () => {
    openState(file, OPTIONS).close();
    assert.throws(
      () => openState(file, { ...OPTIONS, migrationName: "users-upgrade" }),
      (e) =>
        isBluegreenError(e, "BG_STATE_MISMATCH") &&
        /"orders-upgrade", not "users-upgrade"/.test(e.message) &&
        !!e.fix,
    );
  });

  it("refuses a file that is not a database, and a foreign database", () => {
    const garbage = join(dir, "garbage.db");
    writeFileSync(
      garbage,
      "this is not sqlite at all, just some text that is long enough to look like a header",
    );
    assert.throws(
      () => openState(garbage, OPTIONS),
      (e) => isBluegreenError(e, "BG_STATE_OPEN"),
    );
    const foreign = join(dir, "foreign.db");
    const db = raw(foreign);
    db.exec("CREATE TABLE things (x)");
    db.close();
    assert.throws(
      () => openState(foreign, OPTIONS),
      (e) => isBluegreenError(e, "BG_STATE_OPEN") && /not a bluegreen state file/.test(e.message),
    );
  });
});

describe("steps", () => {
  it("tracks attempts, timestamps, errors and summaries", () => {
    let clock = 0;
    const state = openState(file, { ...OPTIONS, now: () => new Date(Date.UTC(2025, 0, 1, 0, 0, clock++)) });
    assert.equal(state.getStep("prepare"), undefined);
    const running = state.setStepStatus("prepare", "running");
    assert.equal(running.attempt, 1);
    // Tick 0 went to the migration record's created_at.
    assert.equal(running.startedAt, "2025-01-01T00:00:01.000Z");
    const failed = state.setStepStatus("prepare", "failed", {
      error: { code: "BG_CLUSTER_AUTH", message: "no" },
    });
    assert.deepEqual(failed.error, { code: "BG_CLUSTER_AUTH", message: "no" });
    assert.equal(failed.startedAt, "2025-01-01T00:00:01.000Z");
    assert.equal(failed.finishedAt, "2025-01-01T00:00:02.000Z");
    const again = state.setStepStatus("prepare", "running");
    assert.equal(again.attempt, 2);
    assert.equal(again.error, undefined);
    assert.equal(again.finishedAt, undefined);
    const done = state.setStepStatus("prepare", "done", { summary: { indices: 3 } });
    assert.deepEqual(done.summary, { indices: 3 });
    state.setStepStatus("backfill", "skipped", { summary: { reason: "nothing to copy" } });
    assert.deepEqual(
      state.listSteps().map((s) => [s.id, s.status, s.attempt]),
      [
        ["prepare", "done", 2],
        ["backfill", "skipped", 0],
      ],
    );
    const reset = state.setStepStatus("prepare", "pending");
    assert.deepEqual(
      [reset.status, reset.attempt, reset.summary, reset.startedAt],
      ["pending", 2, undefined, undefined],
    );
    state.close();
  });
});

describe("checkpoints and events", () => {
  it("upserts checkpoints per step", () => {
    const state = openState(file, OPTIONS);
    state.putCheckpoint("backfill", "b", 1);
    state.putCheckpoint("backfill", "a", "x");
    state.putCheckpoint("backfill", "b", 2);
    state.putCheckpoint("sync", "b", 3);
    assert.deepEqual(
      state.listCheckpoints("backfill").map((c) => [c.key, c.value]),
      [
        ["a", "x"],
        ["b", 2],
      ],
    );
    assert.equal(state.getCheckpoint("backfill", "missing"), undefined);
    state.clearCheckpoints("backfill");
    assert.deepEqual(state.listCheckpoints("backfill"), []);
    assert.equal(state.getCheckpoint("sync", "b"), 3);
    state.close();
  });

  it("appends events with contiguous sequence numbers and filters them", () => {
    const state = openState(file, OPTIONS);
    const seqs = [
      state.appendEvent({ type: "a", step: "prepare" }),
      state.appendEvent({ type: "b", step: "backfill", data: { n: 1 } }),
      state.appendEvent({ type: "c", step: "prepare", data: [1, 2] }),
      state.appendEvent({ type: "d" }),
    ];
    assert.deepEqual(seqs, [1, 2, 3, 4]);
    assert.deepEqual(
      state.readEvents({ step: "prepare" }).map((e) => e.type),
      ["a", "c"],
    );
    assert.deepEqual(
      state.readEvents({ afterSeq: 2 }).map((e) => e.seq),
      [3, 4],
    );
    assert.deepEqual(
      state.readEvents({ limit: 1 }).map((e) => e.seq),
      [1],
    );
    assert.deepEqual(state.readEvents({ afterSeq: 3 })[0]?.step, undefined);
    state.close();
  });

  it("refuses to store a secret anywhere", () => {
    const state = openState(file, OPTIONS);
    const secret = new Secret("hunter2");
    const isLeakGuard = (e: unknown) => isBluegreenError(e, "BG_INTERNAL") && /secret/.test(e.message);
    assert.throws(() => state.appendEvent({ type: "x", data: { auth: { password: secret } } }), isLeakGuard);
    assert.throws(() => state.putCheckpoint("s", "k", [secret]), isLeakGuard);
    assert.throws(() => state.setStepStatus("s", "done", { summary: secret }), isLeakGuard);
    assert.equal(state.readEvents().length, 0);
    state.close();
    const db = raw(file);
    const everything = JSON.stringify(db.prepare("SELECT * FROM events").all());
    assert.ok(!everything.includes("hunter2"));
    db.close();
  });
});

describe("transactions", () => {
  it("commit together, roll back together, and nest", () => {
    const state = openState(file, OPTIONS);
    assert.throws(() =>
      state.transaction(() => {
        state.appendEvent({ type: "lost" });
        state.putCheckpoint("s", "k", 1);
        throw new Error("boom");
      }),
    );
    assert.equal(state.readEvents().length, 0);
    assert.equal(state.getCheckpoint("s", "k"), undefined);
    state.transaction(() => {
      state.appendEvent({ type: "kept" });
      assert.throws(() =>
        state.transaction(() => {
          state.appendEvent({ type: "inner-lost" });
          throw new Error("inner");
        }),
      );
    });
    assert.deepEqual(
      state.readEvents().map((e) => e.type),
      ["kept"],
    );
    assert.equal(
      state.transaction(() => 7),
      7,
    );
    state.close();
  });

  it("rejects an async function", () => {
    const state = openState(file, OPTIONS);
    assert.throws(
      () => state.transaction(async () => state.appendEvent({ type: "x" })),
      (e) => isBluegreenError(e, "BG_INTERNAL"),
    );
    assert.equal(state.readEvents().length, 0);
    state.close();
  });
});
