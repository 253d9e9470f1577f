import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GroupCommit } from "../../src/capture/group-commit.ts";

describe("group commit", () => {
  it("commits back-to-back submissions even when a commit settles without yielding", async () => {
    const groups: number[][] = [];
    const commits = new GroupCommit<number>(async (group) => {
      groups.push([...group]);
    });
    // Each submit is made in the continuation of the previous one: the moment a naive drain loop has
    // already decided it is done but has not yet marked itself idle.
    for (let i = 0; i < 50; i++) await commits.submit(i);
    assert.deepEqual(
      groups.flat(),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it("carries concurrent submissions in few commits, honouring take, and rejects a failed group", async () => {
    const groups: number[][] = [];
    const commits = new GroupCommit<number>(
      async (group) => {
        groups.push([...group]);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (group.includes(13)) throw new Error("disk full");
      },
      (queued) => Math.min(queued.length, 8),
    );
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => commits.submit(i)));
    assert.ok(groups.length < 40 && groups.every((g) => g.length <= 8), JSON.stringify(groups));
    const failedGroup = groups.find((g) => g.includes(13)) ?? [];
    assert.deepEqual(
      results.map((r) => r.status),
      results.map((_, i) => (failedGroup.includes(i) ? "rejected" : "fulfilled")),
    );
    await commits.idle();
  });
});
