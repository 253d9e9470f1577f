/**
 * Remote-reindex backfill against both real sandbox pairs (2.11 → 2.19 and 1.3 → 2.19): fan-out over
 * query ranges, content digest equal, the allowlist preflight, rethrottle, and resume after an abort.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  type RangeCheckpoint,
  type ReindexPlanCheckpoint,
  reindexRunner,
  rethrottleReindex,
} from "../../src/backfill/reindex/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { type TestPair, testSandbox } from "../support/sandbox.ts";
import { cleanupPrefix, type Harness, harness, seedIndex, taskFor } from "./backfill-fixtures-sr.ts";

const sandbox = testSandbox();
const DOCS = 1500;

function suite(label: string, pair: TestPair): void {
  describe(`reindex backfill ${label}`, () => {
    const P = `sr-${randomBytes(4).toString("hex")}`;
    let h: Harness;

    before(async () => {
      h = harness(pair, P, "  batchSize: 200\n  reindex: { rangeDocs: 400, maxTasks: 2 }\n");
      await seedIndex(h.source, `${P}-r`, DOCS);
    });

    after(async () => {
      await Promise.all([cleanupPrefix(h.source, P), cleanupPrefix(h.target, P)]);
      await h.close();
    });

    test("ranges over a date field, two tasks at a time: the target equals the source", async () => {
      const task = await taskFor(h.source, `${P}-r`, "reindex");
      const started = Date.now();
      const result = await reindexRunner(h.context(), task);
      const seconds = (Date.now() - started) / 1000;
      process.stderr.write(
        `[timing] reindex ${label}: ${DOCS} docs in ${seconds.toFixed(2)}s = ${(DOCS / seconds).toFixed(0)} docs/s\n`,
      );
      assert.equal(result.docs, DOCS);
      await assertSameContent(h.source, `${P}-r`, h.target);
      const plan = h.context().state.getCheckpoint<ReindexPlanCheckpoint>("backfill", `reindex:${P}-r`);
      assert.equal(plan?.field, "at");
      // 1500 docs / 400 per range → 4 ranges over the field, plus one for documents without it.
      assert.equal(plan?.ranges.length, 5);
      assert.match(plan?.ranges.at(-1)?.label ?? "", /at missing/);
      const done = h.events.filter((e) => e.index === `${P}-r` && e.phase === "done");
      assert.equal(done.at(-1)?.docsDone, DOCS);
      // The target index was created from the source's definition, not by dynamic mapping.
      const mapping = await h.target.request<
        Record<string, { mappings: { properties: Record<string, unknown> } }>
      >({ method: "GET", path: `/${P}-r/_mapping` });
      assert.deepEqual(mapping.body[`${P}-r`]?.mappings.properties.tag, { type: "keyword" });

      const again = await reindexRunner(h.context(), task);
      assert.deepEqual(again, result);
    });

    test("abort mid-way cancels the tasks; a re-run resumes per range and ends equal", async () => {
      h.resetState();
      const task = await taskFor(h.source, `${P}-r`, "reindex", `${P}-r-resumed`);
      const crash = new AbortController();
      let rethrottled: Promise<number> | undefined;
      const ctx = h.context({
        signal: crash.signal,
        onProgress: (e) => {
          if (e.phase !== "copying") return;
          // Slow the running tasks down so the abort lands mid-copy, through the public rethrottle.
          rethrottled ??= rethrottleReindex(ctx, task.index, 300);
          if (e.docsDone > 0) crash.abort(new Error("simulated crash"));
        },
      });
      const crashed = await reindexRunner(ctx, task).catch((e: unknown) => e);
      assert.ok(crashed instanceof Error && crashed.message === "simulated crash", String(crashed));
      assert.ok(((await rethrottled) ?? 0) >= 1, "at least one running task was rethrottled");
      const ranges = h
        .context()
        .state.listCheckpoints("backfill")
        .filter((c) => c.key.startsWith(`reindex:${P}-r#`) && c.key !== `reindex:${P}-r#rps`)
        .map((c) => c.value as RangeCheckpoint);
      assert.ok(ranges.length >= 1 && ranges.some((r) => r.state === "running"), JSON.stringify(ranges));

      // The abort cancelled the server-side tasks too: nothing keeps writing into the target.
      const stillRunning = async () => {
        const tasks = await h.target.request<{
          nodes?: Record<string, { tasks: Record<string, { description?: string }> }>;
        }>({
          method: "GET",
          path: "/_tasks",
          querystring: { actions: "indices:data/write/reindex", detailed: true },
        });
        return Object.values(tasks.body.nodes ?? {})
          .flatMap((n) => Object.values(n.tasks))
          .filter((t) => t.description?.includes(`${P}-r-resumed`) === true).length;
      };
      for (let i = 0; i < 50 && (await stillRunning()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(await stillRunning(), 0);

      // Unthrottled again for the re-run.
      await rethrottleReindex(h.context(), task.index, -1);
      const result = await reindexRunner(h.context(), task);
      assert.equal(result.docs, DOCS);
      await assertSameContent(h.source, `${P}-r`, h.target, `${P}-r-resumed`);
    });

    test("a target index whose mapping conflicts is refused before any task starts", async () => {
      await h.target.request({
        method: "PUT",
        path: `/${P}-r-clash`,
        body: { settings: { number_of_replicas: 0 }, mappings: { properties: { n: { type: "keyword" } } } },
      });
      const task = await taskFor(h.source, `${P}-r`, "reindex", `${P}-r-clash`);
      await assert.rejects(reindexRunner(h.context(), task), (error) => {
        assert.ok(isBluegreenError(error, "BG_REINDEX_FAILED"), String(error));
        assert.match(
          error.message,
          new RegExp(`Target index ${P}-r-clash cannot take documents from ${P}-r: .*field n`),
        );
        assert.match(error.fix ?? "", /reindex|delete/);
        return true;
      });
      const count = await h.target.request<{ count: number }>({
        method: "GET",
        path: `/${P}-r-clash/_count`,
      });
      assert.equal(count.body.count, 0);
    });

    test("a source address outside the target's allowlist: a clear error with the line to add", async () => {
      const port = new URL(pair.source.url).port;
      // 127.0.0.2 reaches the same loopback node, but the sandbox allowlists only 127.0.0.1 and localhost.
      const outside = harness(pair, `${P}x`, `  reindex: { sourceUrl: 'http://127.0.0.2:${port}' }\n`);
      try {
        const task = await taskFor(h.source, `${P}-r`, "reindex", `${P}-r-never`);
        await assert.rejects(reindexRunner(outside.context(), task), (error) => {
          assert.ok(isBluegreenError(error, "BG_REINDEX_ALLOWLIST"), String(error));
          assert.match(
            error.message,
            new RegExp(`allow remote reindex from the source at 127\\.0\\.0\\.2:${port}`),
          );
          assert.match(error.message, /\[127\.0\.0\.1:\*, localhost:\*\], which does not match/);
          assert.ok(
            error.fix?.includes(
              `reindex.remote.allowlist: ["127.0.0.1:*", "localhost:*", "127.0.0.2:${port}"]`,
            ),
            error.fix,
          );
          return true;
        });
        // The preflight refused before creating anything on the target.
        const head = await h.target.request({ method: "HEAD", path: `/${P}-r-never` });
        assert.equal(head.status, 404);
        // And the server agrees with the preflight.
        const direct = await h.target.request<{ error?: { reason?: string } }>({
          method: "POST",
          path: "/_reindex",
          body: {
            source: { remote: { host: `http://127.0.0.2:${port}` }, index: `${P}-r` },
            dest: { index: `${P}-r-never` },
          },
          allowStatus: [400],
        });
        assert.match(direct.body.error?.reason ?? "", /not allowlisted in reindex\.remote\.allowlist/);
      } finally {
        await outside.close();
      }
    });
  });
}

suite("2.11 → 2.19", sandbox);
suite("1.3 → 2.19", sandbox.legacy);
