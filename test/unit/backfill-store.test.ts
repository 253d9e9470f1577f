import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { streamDone } from "../../src/backfill/index.ts";
import { LocalSliceStore, type SlicePlan } from "../../src/backfill/stream/store.ts";
import { openState } from "../../src/state/index.ts";

function state() {
  const file = join(mkdtempSync(join(tmpdir(), "bg-store-")), "state.db");
  return openState(file, { migrationName: "m", fingerprint: "f" });
}

const PLAN: SlicePlan = {
  mode: "pit",
  slices: 3,
  shards: 3,
  tuning: { refreshInterval: null, replicas: "1" },
};

test("the plan is fixed on first use and survives a restart; slices resume from their checkpoints", async () => {
  const db = state();
  const first = new LocalSliceStore(db);
  let made = 0;
  const make = async () => {
    made++;
    return PLAN;
  };
  assert.deepEqual(await first.plan("idx", make), PLAN);
  const a = await first.claim("idx", 3);
  const b = await first.claim("idx", 3);
  assert.deepEqual([a?.slice, b?.slice], [0, 1]);
  await first.save("idx", 0, { done: false, docs: 10, bytes: 100, pit: "p", after: [41] });
  await first.save("idx", 1, { done: true, docs: 5, bytes: 50 });

  // A new process: same plan (not made again), slice 1 done, slice 0 resumes at its position.
  const second = new LocalSliceStore(db);
  assert.deepEqual(await second.plan("idx", make), PLAN);
  assert.equal(made, 1);
  const resumed = await second.claim("idx", 3);
  assert.deepEqual(resumed, {
    slice: 0,
    state: { done: false, docs: 10, bytes: 100, pit: "p", after: [41] },
  });
  assert.equal((await second.claim("idx", 3))?.slice, 2);
  assert.equal(await second.claim("idx", 3), undefined);
  assert.equal(streamDone({ get: (k) => db.getCheckpoint("backfill", k) }, "idx"), false);
  await second.save("idx", 0, { done: true, docs: 20, bytes: 200 });
  await second.save("idx", 2, { done: true, docs: 1, bytes: 10 });
  assert.equal(streamDone({ get: (k) => db.getCheckpoint("backfill", k) }, "idx"), true);
  assert.deepEqual(
    (await second.states("idx", 3)).map((s) => s.docs),
    [20, 5, 1],
  );
  db.close();
});

test("a released claim can be claimed again", async () => {
  const db = state();
  const store = new LocalSliceStore(db);
  assert.equal((await store.claim("i", 1))?.slice, 0);
  assert.equal(await store.claim("i", 1), undefined);
  await store.release("i", 0);
  assert.equal((await store.claim("i", 1))?.slice, 0);
  db.close();
});
