/**
 * One replayer per direction: a second one refuses to start while the first lives (two would apply
 * the same records interleaved, and a slow one could land an older version of a document last); a
 * dead owner is taken over; an owner on another host is judged by its beat.
 */
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { after, beforeEach, describe, it } from "node:test";
import { isBluegreenError } from "../../src/errors/index.ts";
import { liveReplayOwner, replayOwner } from "../../src/replay/index.ts";
import { claimReplay, OWNER_SILENCE_MS, ownerAlive } from "../../src/replay/owner.ts";
import type { StateStore } from "../../src/state/index.ts";
import { deadPid, freshState, offlineReplay } from "../support/state.ts";

let state: StateStore;

beforeEach(() => {
  state = freshState("owner");
});

function ownedBy(pid: number, host: string, beat: Date): void {
  state.putCheckpoint("replay", "owner:forward", {
    pid,
    host,
    since: "2025-01-01T00:00:00.000Z",
    beat: beat.toISOString(),
    token: "someone-else",
  });
}

const running = (e: unknown) => isBluegreenError(e, "BG_REPLAY_RUNNING");

describe("claimReplay", () => {
  it("a second claim while the first lives is refused, naming the owner; after release it is granted", () => {
    const first = claimReplay(state, "forward");
    assert.throws(
      () => claimReplay(state, "forward"),
      (e: unknown) =>
        running(e) &&
        /A forward replayer already runs \(this process, since .*\); two would apply the same records out of order\./.test(
          (e as Error).message,
        ),
    );
    // The other direction is independent (rollback replays back while nothing replays forward).
    claimReplay(state, "reverse").release();
    first.release();
    assert.equal(replayOwner(state, "forward"), undefined);
    claimReplay(state, "forward").release();
  });

  it("a dead owner on this host is taken over", async () => {
    ownedBy(await deadPid(), hostname(), new Date());
    assert.equal(liveReplayOwner(state, "forward"), undefined);
    const claim = claimReplay(state, "forward");
    assert.equal(replayOwner(state, "forward")?.pid, process.pid);
    claim.release();
  });

  const remote = [
    { name: "beat just now: alive", ageMs: 0, alive: true },
    { name: "beat within the silence: alive", ageMs: OWNER_SILENCE_MS - 5_000, alive: true },
    { name: "silent longer than OWNER_SILENCE_MS: dead", ageMs: OWNER_SILENCE_MS + 1_000, alive: false },
  ];
  for (const c of remote) {
    it(`an owner on another host, ${c.name}`, () => {
      ownedBy(1, "some-other-host", new Date(Date.now() - c.ageMs));
      const owner = replayOwner(state, "forward");
      assert.ok(owner !== undefined);
      assert.equal(ownerAlive(owner), c.alive);
      if (c.alive)
        assert.throws(
          () => claimReplay(state, "forward"),
          (e: unknown) => running(e) && /pid 1 on some-other-host/.test((e as Error).message),
        );
      else claimReplay(state, "forward").release();
    });
  }

  it("a release by a claim that lost the record (taken over meanwhile) leaves the new owner alone", async () => {
    const stale = claimReplay(state, "forward");
    ownedBy(await deadPid(), hostname(), new Date());
    const taker = claimReplay(state, "forward");
    stale.release();
    assert.equal(replayOwner(state, "forward")?.pid, process.pid);
    taker.release();
    assert.equal(replayOwner(state, "forward"), undefined);
  });
});

describe("replay() holds the claim while it runs", () => {
  // An empty log: nothing is read from either cluster.
  const offline = offlineReplay("owner");
  after(offline.close);
  const run = (signal: AbortSignal) => offline.run(state, { signal });

  it("a second replay() refuses with BG_REPLAY_RUNNING until the first one ends", async () => {
    const first = new AbortController();
    const following = run(first.signal);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(liveReplayOwner(state, "forward")?.pid, process.pid);
    await assert.rejects(run(new AbortController().signal), running);
    first.abort();
    await following;
    assert.equal(replayOwner(state, "forward"), undefined, "the claim outlived its replayer");
    const second = new AbortController();
    const again = run(second.signal);
    await new Promise((r) => setTimeout(r, 20));
    second.abort();
    await again;
  });
});
