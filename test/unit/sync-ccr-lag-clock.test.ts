/**
 * Seconds behind for CCR from sightings of the leader's checkpoints: each row is a sequence of
 * readings (time, leader checkpoint, follower checkpoint) on one shard and the bounds after the last.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type ShardBehind, type Sighting, sight, worst } from "../../src/sync/ccr/lag-clock.ts";

type Reading = [at: number, leader: number, follower: number];

function replay(readings: readonly Reading[]): { history: Sighting[]; behind: ShardBehind } {
  let history: Sighting[] = [];
  let behind: ShardBehind = { atMostMs: 0, atLeastMs: 0 };
  for (const [at, leader, follower] of readings) ({ history, behind } = sight(history, leader, follower, at));
  return { history, behind };
}

const rows: [string, Reading[], ShardBehind][] = [
  ["caught up", [[1_000, 10, 10]], { atMostMs: 0, atLeastMs: 0 }],
  ["first reading behind: no upper bound yet", [[1_000, 10, 4]], { atMostMs: undefined, atLeastMs: 0 }],
  [
    "behind since the leader left the follower's checkpoint",
    [
      [1_000, 4, 4],
      [2_000, 4, 4],
      [3_000, 9, 4],
      [5_000, 12, 4],
    ],
    { atMostMs: 3_000, atLeastMs: 2_000 },
  ],
  [
    "the follower moved: bounded by the sighting it passed",
    [
      [1_000, 4, 4],
      [3_000, 9, 4],
      [5_000, 12, 4],
      [6_000, 14, 9],
    ],
    { atMostMs: 3_000, atLeastMs: 1_000 },
  ],
  [
    "never caught up while writes go on: bounded by the readings, not growing",
    [
      [1_000, 10, 0],
      [2_000, 20, 10],
      [3_000, 30, 20],
      [4_000, 40, 30],
    ],
    { atMostMs: 1_000, atLeastMs: 0 },
  ],
  [
    "a new leader index (checkpoint went down) forgets the old sightings",
    [
      [1_000, 50, 50],
      [2_000, 3, 1],
    ],
    { atMostMs: undefined, atLeastMs: 0 },
  ],
];

for (const [name, readings, expected] of rows) {
  test(`lag clock: ${name}`, () => {
    assert.deepEqual(replay(readings).behind, expected);
  });
}

test("lag clock: sightings stay bounded however long a follower stays behind", () => {
  const readings: Reading[] = [[0, 0, 0]];
  for (let i = 1; i <= 1_000; i++) readings.push([i * 500, i, 0]);
  const { history, behind } = replay(readings);
  assert.equal(history.length, 64);
  // The sighting the follower sits at is kept, so the upper bound stays true.
  assert.deepEqual(history[0], { cp: 0, from: 0, to: 0 });
  assert.deepEqual(behind, { atMostMs: 500_000, atLeastMs: 499_500 });
});

test("lag clock: the worst of several shards; one unknown upper bound makes it unknown", () => {
  assert.deepEqual(
    worst([
      { atMostMs: 2_000, atLeastMs: 500 },
      { atMostMs: 3_000, atLeastMs: 100 },
    ]),
    { atMostMs: 3_000, atLeastMs: 500 },
  );
  assert.deepEqual(
    worst([
      { atMostMs: 2_000, atLeastMs: 500 },
      { atMostMs: undefined, atLeastMs: 0 },
    ]),
    { atMostMs: undefined, atLeastMs: 500 },
  );
});
