/**
 * The `auto` planner over the real sandbox pairs: facts gathered from the clusters, the method each
 * pair gets and why, and the planned task run to an equal digest.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { gatherBackfillFacts, planBackfill, planBackfillFromClusters } from "../../src/backfill/planner.ts";
import { snapshotRunner } from "../../src/backfill/snapshot/index.ts";
import { assertSameContent } from "../support/digest.ts";
import { type TestPair, testSandbox } from "../support/sandbox.ts";
import {
  cleanupPrefix,
  type Harness,
  harness,
  removeRepositoryFolders,
  seedIndex,
} from "./backfill-fixtures-sr.ts";

const sandbox = testSandbox();

function suite(label: string, pair: TestPair, created: string): void {
  describe(`auto planner ${label}`, () => {
    const P = `sr-${randomBytes(4).toString("hex")}`;
    let h: Harness;

    before(async () => {
      h = harness(pair, P);
      await seedIndex(h.source, `${P}-logs`, 300);
    });

    after(async () => {
      await Promise.all([cleanupPrefix(h.source, P), cleanupPrefix(h.target, P)]);
      removeRepositoryFolders(pair, P);
      await h.close();
    });

    test("facts from the clusters: creation version, module, allowlist, shared path.repo", async () => {
      const ctx = h.context();
      const facts = await gatherBackfillFacts(ctx);
      assert.deepEqual(
        facts.indices.map((i) => [i.index, i.docs, i.sourceEnabled]),
        [[`${P}-logs`, 300, true]],
      );
      assert.equal(facts.indices[0]?.created?.distribution, "opensearch");
      assert.equal(
        `${facts.indices[0]?.created?.version.major}.${facts.indices[0]?.created?.version.minor}`,
        created,
      );
      assert.equal(facts.targetHasReindexModule, true);
      assert.equal(facts.allowlistProblem, undefined);
      assert.equal(facts.repository, `fs repository in the shared path.repo ${pair.snapshotRepoPath}`);

      // The same facts with snapshot and reindex ruled out explain both in the stream task's reason.
      const [task] = planBackfill({
        ...facts,
        order: ["snapshot", "reindex", "stream"],
        repository: undefined,
        allowlistProblem: "allowlist says no",
      });
      assert.equal(task?.method, "stream");
      assert.match(
        task?.reason ?? "",
        /not snapshot: no snapshot repository.*; not reindex: allowlist says no/,
      );
    });

    test("auto picks snapshot for a compatible index and the plan runs to an equal copy", async () => {
      const ctx = h.context();
      const [task] = await planBackfillFromClusters(ctx);
      assert.equal(task?.method, "snapshot");
      assert.match(
        task?.reason ?? "",
        new RegExp(`^snapshot: created by OpenSearch ${created.replace(".", "\\.")}\\.`),
      );
      assert.ok(task !== undefined);
      await snapshotRunner(ctx, task);
      await assertSameContent(h.source, `${P}-logs`, h.target);
    });

    test("an allowlist that refuses the source is in the plan's reason, with the line to add", async () => {
      const port = new URL(pair.source.url).port;
      const other = harness(
        pair,
        P,
        `  autoOrder: [reindex, stream]\n  reindex: { sourceUrl: 'http://127.0.0.2:${port}' }\n`,
      );
      try {
        const [task] = await planBackfillFromClusters(other.context());
        assert.equal(task?.method, "stream");
        assert.ok(task?.reason.includes(`"127.0.0.2:${port}"]`), task?.reason);
      } finally {
        await other.close();
      }
    });
  });
}

suite("2.11 → 2.19", sandbox, "2.11");
suite("1.3 → 2.19", sandbox.legacy, "1.3");

describe("an index whose _source keeps part of each document", () => {
  const P = `sr-${randomBytes(4).toString("hex")}`;
  let h: Harness;

  before(async () => {
    h = harness(sandbox, P);
    await h.source.request({
      method: "PUT",
      path: `/${P}-partial`,
      body: {
        settings: { number_of_replicas: 0 },
        mappings: { _source: { excludes: ["secret"] }, properties: { secret: { type: "keyword" } } },
      },
    });
    await h.source.request({
      method: "PUT",
      path: `/${P}-partial/_doc/1`,
      querystring: { refresh: "true" },
      body: { open: "yes", secret: "only indexed" },
    });
  });

  after(async () => {
    await Promise.all([cleanupPrefix(h.source, P), cleanupPrefix(h.target, P)]);
    removeRepositoryFolders(sandbox, P);
    await h.close();
  });

  test("is read as partial, and only a snapshot is planned for it: a document copy would drop `secret`", async () => {
    const facts = await gatherBackfillFacts(h.context());
    assert.deepEqual(
      facts.indices.map((i) => [i.index, i.sourceFilter]),
      [[`${P}-partial`, `its mapping's _source excludes ["secret"]`]],
    );
    const [task] = planBackfill({ ...facts, order: ["stream", "reindex", "snapshot"] });
    assert.equal(task?.method, "snapshot");
    assert.match(task?.reason ?? "", /not stream: _source keeps only part of each document/);
  });
});
