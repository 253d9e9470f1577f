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

  it("pipelines staged commits: the next group's first stage overlaps this group's second", async () => {
    const events: string[] = [];
    const gates: (() => void)[] = [];
    const commits = new GroupCommit<number>(async (group) => {
      const name = group.join(",");
      events.push(`write ${name}`);
      const durable = new Promise<void>((resolve, reject) => {
        gates.push(() => (group.includes(3) ? reject(new Error("EIO")) : resolve()));
      }).then(() => {
        events.push(`durable ${name}`);
      });
      return { durable };
    });
    const first = commits.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = commits.submit(2);
    await new Promise((r) => setImmediate(r));
    // The second group was written while the first one's second stage is still open.
    assert.deepEqual(events, ["write 1", "write 2"]);
    const third = commits.submit(3);
    await new Promise((r) => setImmediate(r));
    // At most two groups in flight: the third waits for the first to settle.
    assert.deepEqual(events, ["write 1", "write 2"]);
    gates[0]?.();
    await first;
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ["write 1", "write 2", "durable 1", "write 3"]);
    gates[1]?.();
    gates[2]?.();
    await second;
    await assert.rejects(third, /EIO/);
    await commits.idle();
  });
});

describe("group commit: submitStaged", () => {
  it("settles written after the first stage and durable after the second; a failed second rejects only durable", async () => {
    const events: string[] = [];
    let finish: ((ok: boolean) => void) | undefined;
    const commits = new GroupCommit<string>(async (group) => {
      events.push(`write ${group.join(",")}`);
      const durable = new Promise<void>((resolve, reject) => {
        finish = (ok) => (ok ? resolve() : reject(new Error("fsync: I/O error")));
      });
      return { durable };
    });
    const staged = commits.submitStaged("a");
    await staged.written;
    events.push("written");
    let durableSettled = false;
    staged.durable.then(
      () => (durableSettled = true),
      () => (durableSettled = true),
    );
    await new Promise((r) => setImmediate(r));
    assert.equal(durableSettled, false, "durable must wait for the second stage");
    finish?.(false);
    await assert.rejects(staged.durable, /fsync: I\/O error/);
    assert.deepEqual(events, ["write a", "written"]);
  });

  it("a failed first stage rejects both", async () => {
    const commits = new GroupCommit<string>(async () => {
      throw new Error("disk full");
    });
    const staged = commits.submitStaged("a");
    await assert.rejects(staged.written, /disk full/);
    await assert.rejects(staged.durable, /disk full/);
  });

  it("a commit without stages settles written and durable together", async () => {
    const commits = new GroupCommit<string>(async () => undefined);
    const staged = commits.submitStaged("a");
    await Promise.all([staged.written, staged.durable]);
  });
});
