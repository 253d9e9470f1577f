/**
 * Snapshot/restore backfill against both real sandbox pairs (2.11 → 2.19 and 1.3 → 2.19), which
 * share a path.repo folder per pair. Proves no loss by content digest, cleanup of what bluegreen
 * registered, resumption after a crash, and the refusal to restore over an index holding data.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  runSnapshotBatch,
  type SnapshotCheckpoint,
  snapshotRunner,
} from "../../src/backfill/snapshot/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { type TestPair, testSandbox } from "../support/sandbox.ts";
import {
  cleanupPrefix,
  type Harness,
  harness,
  removeRepositoryFolders,
  repositoriesWithPrefix,
  seedIndex,
  taskFor,
} from "./backfill-fixtures-sr.ts";

const sandbox = testSandbox();

function suite(label: string, pair: TestPair): void {
  describe(`snapshot backfill ${label}`, () => {
    const P = `sr-${randomBytes(4).toString("hex")}`;
    let h: Harness;

    before(async () => {
      h = harness(pair, P, "  snapshot: { indexSettings: { index.refresh_interval: 7s } }\n");
      await seedIndex(h.source, `${P}-a`, 600);
      await seedIndex(h.source, `${P}-b`, 250, { shards: 1 });
    });

    after(async () => {
      await Promise.all([cleanupPrefix(h.source, P), cleanupPrefix(h.target, P)]);
      removeRepositoryFolders(pair, P);
      await h.close();
    });

    test("a batch of two indices: one snapshot, both restored equal, repositories cleaned up", async () => {
      const tasks = [
        await taskFor(h.source, `${P}-a`, "snapshot"),
        await taskFor(h.source, `${P}-b`, "snapshot"),
      ];
      const started = Date.now();
      const results = await runSnapshotBatch(h.context(), tasks);
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(`[timing] snapshot ${label}: 850 docs in ${seconds.toFixed(2)}s\n`);
      assert.deepEqual(
        results.map((r) => [r.index, r.targetIndex, r.docs]),
        [
          [`${P}-a`, `${P}-a`, 600],
          [`${P}-b`, `${P}-b`, 250],
        ],
      );
      await assertSameContent(h.source, `${P}-a`, h.target);
      await assertSameContent(h.source, `${P}-b`, h.target);
      assert.deepEqual(await repositoriesWithPrefix(h.source, P), []);
      assert.deepEqual(await repositoriesWithPrefix(h.target, P), []);
      const phases = new Set(h.events.filter((e) => e.index === `${P}-a`).map((e) => e.phase));
      assert.deepEqual([...phases].sort(), ["copying", "done", "finishing", "starting"]);
      // The source's replica count (0) is back on the target.
      const settings = await h.target.request<Record<string, { settings: Record<string, string> }>>({
        method: "GET",
        path: `/${P}-a/_settings/index.number_of_replicas`,
        querystring: { flat_settings: true },
      });
      assert.equal(settings.body[`${P}-a`]?.settings["index.number_of_replicas"], "0");
      // backfill.snapshot.indexSettings went into the restore.
      const refresh = await h.target.request<Record<string, { settings: Record<string, string> }>>({
        method: "GET",
        path: `/${P}-a/_settings/index.refresh_interval`,
        querystring: { flat_settings: true },
      });
      assert.equal(refresh.body[`${P}-a`]?.settings["index.refresh_interval"], "7s");

      // A re-run finds every index done in its checkpoints and touches nothing.
      const again = await runSnapshotBatch(h.context(), tasks);
      assert.deepEqual(again, results);
    });

    test("rename: the restored copy gets the target name and leaves the source name alone", async () => {
      h.resetState();
      const task = await taskFor(h.source, `${P}-b`, "snapshot", `${P}-b-v2`);
      const result = await snapshotRunner(h.context(), task);
      assert.equal(result.targetIndex, `${P}-b-v2`);
      await assertSameContent(h.source, `${P}-b`, h.target, `${P}-b-v2`);
    });

    test("a crash after the snapshot resumes from it and restores over the empty index prepare made", async () => {
      h.resetState();
      await seedIndex(h.source, `${P}-c`, 400);
      // What prepare leaves behind: the index exists on the target, empty, with the source's shards.
      await h.target.request({
        method: "PUT",
        path: `/${P}-c`,
        body: { settings: { number_of_shards: 2, number_of_replicas: 0 } },
      });
      const task = await taskFor(h.source, `${P}-c`, "snapshot");
      const crash = new AbortController();
      const crashed = await snapshotRunner(
        h.context({
          signal: crash.signal,
          onProgress: (e) => {
            if (e.phase === "copying" && e.docsDone > e.docsTotal / 2)
              crash.abort(new Error("simulated crash"));
          },
        }),
        task,
      ).catch((e: unknown) => e);
      assert.ok(crashed instanceof Error && crashed.message === "simulated crash", String(crashed));
      const saved = h.context().state.getCheckpoint<SnapshotCheckpoint>("backfill", `snapshot:${P}-c`);
      assert.ok(
        saved !== undefined && saved.phase !== "snapshotting" && saved.phase !== "done",
        JSON.stringify(saved),
      );

      const result = await snapshotRunner(h.context(), task);
      assert.equal(result.docs, 400);
      assert.equal(
        h.context().state.getCheckpoint<SnapshotCheckpoint>("backfill", `snapshot:${P}-c`)?.snapshot,
        saved.snapshot,
      );
      await assertSameContent(h.source, `${P}-c`, h.target);
      assert.deepEqual(await repositoriesWithPrefix(h.source, P), []);
    });

    test("a crash while snapshotting: the re-run takes no second snapshot and ends equal", async () => {
      h.resetState();
      const task = await taskFor(h.source, `${P}-b`, "snapshot", `${P}-b-early`);
      const crash = new AbortController();
      const crashed = await snapshotRunner(
        h.context({
          signal: crash.signal,
          onProgress: (e) => {
            if (e.phase === "copying") crash.abort(new Error("simulated crash"));
          },
        }),
        task,
      ).catch((e: unknown) => e);
      assert.ok(crashed instanceof Error && crashed.message === "simulated crash", String(crashed));
      const saved = h.context().state.getCheckpoint<SnapshotCheckpoint>("backfill", `snapshot:${P}-b`);
      assert.equal(saved?.phase, "snapshotting");
      const taken = await h.source.request<{ snapshots: { snapshot: string }[] }>({
        method: "GET",
        path: `/_snapshot/${saved?.repository}/_all`,
      });
      assert.deepEqual(
        taken.body.snapshots.map((x) => x.snapshot),
        [saved?.snapshot],
      );

      const result = await snapshotRunner(h.context(), task);
      assert.equal(result.docs, 250);
      assert.equal(
        h.context().state.getCheckpoint<SnapshotCheckpoint>("backfill", `snapshot:${P}-b`)?.snapshot,
        saved?.snapshot,
      );
      await assertSameContent(h.source, `${P}-b`, h.target, `${P}-b-early`);
    });

    test("a target index that already holds documents is never overwritten; the rest of the batch is", async () => {
      h.resetState();
      const busy = async (name: string) =>
        h.target.request({
          method: "PUT",
          path: `/${name}/_doc/1`,
          querystring: { refresh: "true" },
          body: { keep: "me" },
        });
      await busy(`${P}-a-busy`);
      const blocked = await taskFor(h.source, `${P}-a`, "snapshot", `${P}-a-busy`);
      const fine = await taskFor(h.source, `${P}-b`, "snapshot", `${P}-b-fine`);
      await assert.rejects(runSnapshotBatch(h.context(), [blocked, fine]), (error) => {
        assert.ok(isBluegreenError(error, "BG_SNAPSHOT_FAILED"), String(error));
        assert.match(error.message, new RegExp(`${P}-a-busy.*already exists and holds 1 documents`));
        // The real options, not "fix the cause": delete it, or copy over it by _id.
        assert.match(
          error.fix ?? "",
          new RegExp(
            `^Delete ${P}-a-busy on the target \\(DELETE /${P}-a-busy\\) and run again, or copy over it by _id with \`bluegreen backfill --method stream\``,
          ),
        );
        return true;
      });
      const count = await h.target.request<{ count: number }>({ method: "GET", path: `/${P}-a-busy/_count` });
      assert.equal(count.body.count, 1);
      // Per index: the other index of the batch was restored all the same.
      await assertSameContent(h.source, `${P}-b`, h.target, `${P}-b-fine`);

      // Two refusals in one batch: one error that names both.
      h.resetState();
      await busy(`${P}-b-busy`);
      const both = [blocked, await taskFor(h.source, `${P}-b`, "snapshot", `${P}-b-busy`)];
      await assert.rejects(runSnapshotBatch(h.context(), both), (error) => {
        assert.ok(isBluegreenError(error, "BG_SNAPSHOT_FAILED"), String(error));
        assert.match(error.message, /^Restoring 2 of 2 indices failed: /);
        assert.deepEqual(error.details.indices, [`${P}-a`, `${P}-b`]);
        // Each cause's own fix, so the combined error still names the options per index.
        assert.match(
          error.fix ?? "",
          new RegExp(`Delete ${P}-a-busy on the target .*Delete ${P}-b-busy on the target`),
        );
        return true;
      });
    });
  });
}

suite("2.11 → 2.19", sandbox);
suite("1.3 → 2.19", sandbox.legacy);
