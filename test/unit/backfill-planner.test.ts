import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type BackfillFacts, type IndexFacts, planBackfill } from "../../src/backfill/planner.ts";
import { isBluegreenError } from "../../src/errors/index.ts";
import { es, os } from "../support/versions.ts";

const index = (name: string, extra: Partial<IndexFacts> = {}): IndexFacts => ({
  index: name,
  docs: 100,
  bytes: 1000,
  created: os(2, 11, 1),
  sourceEnabled: true,
  ...extra,
});

const base: BackfillFacts = {
  method: "auto",
  order: ["snapshot", "reindex", "stream"],
  source: os(2, 11, 1),
  target: os(2, 19, 4),
  targetHasReindexModule: true,
  allowlistProblem: undefined,
  sourceAuth: "basic",
  repository: 'repository "migration"',
  rename: undefined,
  indices: [index("logs")],
};

describe("planBackfill", () => {
  const cases: { name: string; facts: Partial<BackfillFacts>; method: string; reason: RegExp }[] = [
    {
      name: "compatible index and a repository: snapshot",
      facts: {},
      method: "snapshot",
      reason:
        /^snapshot: created by OpenSearch 2\.11\.1, restorable on OpenSearch 2\.19\.4; repository "migration"$/,
    },
    {
      name: "1.3-created index into 2.19 still restores",
      facts: { indices: [index("logs", { created: os(1, 3, 14) })] },
      method: "snapshot",
      reason: /created by OpenSearch 1\.3\.14/,
    },
    {
      name: "no repository: reindex, saying why not snapshot",
      facts: { repository: undefined },
      method: "reindex",
      reason: /^reindex: the target pulls .*; not snapshot: no snapshot repository is configured or shared$/,
    },
    {
      name: "too old for the target and the allowlist refuses: stream, with both reasons",
      facts: {
        target: os(3, 0, 0),
        indices: [index("logs", { created: os(1, 3, 14) })],
        allowlistProblem: "allowlist lacks old:9200",
      },
      method: "stream",
      reason: /^stream: .*; not snapshot: .*previous major.*; not reindex: allowlist lacks old:9200$/,
    },
    {
      name: "no reindex module",
      facts: { repository: undefined, targetHasReindexModule: false },
      method: "stream",
      reason: /not reindex: the target has no reindex module/,
    },
    {
      name: "SigV4 source cannot be reindexed remotely",
      facts: { repository: undefined, sourceAuth: "sigv4" },
      method: "stream",
      reason: /not reindex: remote reindex cannot sign SigV4/,
    },
    {
      name: "_source disabled: only a snapshot can copy it",
      facts: { indices: [index("logs", { sourceEnabled: false })] },
      method: "snapshot",
      reason: /^snapshot/,
    },
    {
      name: "_source keeps part of each document: only a snapshot copies the index whole",
      facts: {
        order: ["stream", "reindex", "snapshot"],
        indices: [index("logs", { sourceFilter: 'its mapping\'s _source excludes ["secret"]' })],
      },
      method: "snapshot",
      reason:
        /^snapshot: .*; not stream: _source keeps only part of each document \(its mapping's _source excludes \["secret"\]\), so a copy of the documents would leave the rest out; a snapshot keeps it; not reindex: _source keeps only part/,
    },
    {
      name: "autoOrder puts stream first",
      facts: { order: ["stream", "snapshot"] },
      method: "stream",
      reason: /^stream: bluegreen copies the documents itself$/,
    },
    {
      name: "target index already holds documents: not snapshot (which cannot), stream copies over it by _id",
      facts: { order: ["snapshot", "stream", "reindex"], indices: [index("logs", { targetDocs: 30000 })] },
      method: "stream",
      reason:
        /^stream: bluegreen copies the documents itself, over the 30000 document\(s\) logs already holds \(by _id: each source document replaces its copy; documents only the target has stay\); not snapshot: the target index logs already holds 30000 document\(s\), and a restore never writes into an index that holds documents \(delete it on the target, or copy over it by _id with --method stream\)$/,
    },
    {
      name: "target holds documents, reindex next in the order: reindex, also over it by _id",
      facts: { indices: [index("logs", { targetDocs: 5 })] },
      method: "reindex",
      reason: /^reindex: the target pulls .*, over the 5 document\(s\) logs already holds \(by _id/,
    },
    {
      name: "the documents are an earlier run's restore: snapshot again (it resumes or skips)",
      facts: { indices: [index("logs", { targetDocs: 30000, restoreStarted: true })] },
      method: "snapshot",
      reason: /^snapshot: created by OpenSearch 2\.11\.1/,
    },
    {
      name: "a renamed target is the one named",
      facts: {
        order: ["snapshot", "stream"],
        rename: { pattern: "^(.*)$", replacement: "$1-v2" },
        indices: [index("logs", { targetDocs: 1 })],
      },
      method: "stream",
      reason: /logs-v2 already holds 1 document/,
    },
    {
      name: "a forced method says it was forced",
      facts: { method: "reindex" },
      method: "reindex",
      reason: /^reindex \(backfill\.method\): /,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const [task] = planBackfill({ ...base, ...c.facts });
      assert.equal(task?.method, c.method);
      assert.match(task?.reason ?? "", c.reason);
    });
  }

  test("docs, bytes and the renamed target name come through", () => {
    const tasks = planBackfill({
      ...base,
      rename: { pattern: "^(.*)-2024$", replacement: "$1-v2" },
      indices: [index("logs-2024"), index("other")],
    });
    assert.deepEqual(
      tasks.map((t) => [t.index, t.targetIndex, t.docs, t.bytes]),
      [
        ["logs-2024", "logs-v2", 100, 1000],
        ["other", "other", 100, 1000],
      ],
    );
  });

  const errors: { name: string; facts: Partial<BackfillFacts>; message: RegExp; fix: RegExp }[] = [
    {
      name: "a rename that maps two indices to one name",
      facts: {
        rename: { pattern: "^logs-.*$", replacement: "logs" },
        indices: [index("logs-a"), index("logs-b"), index("other")],
      },
      message: /^backfill\.rename maps several indices to one target name: logs ← logs-a, logs-b\.$/,
      fix: /\$1 group/,
    },
    {
      name: "forced snapshot of an index the target cannot restore names the index and why",
      facts: {
        method: "snapshot",
        indices: [index("ok"), index("old", { created: es(6, 8, 0) })],
      },
      message:
        /^No backfill method \(snapshot\) can copy old \(not snapshot: the index was created by Elasticsearch 6\.8\.0;/,
      fix: /Use method: auto/,
    },
    {
      name: "auto with every method blocked",
      facts: {
        target: os(3, 0, 0),
        indices: [index("nosrc", { sourceEnabled: false, created: os(1, 3, 14) })],
      },
      message:
        /can copy nosrc \(not snapshot: .*; not reindex: _source is disabled.*; not stream: _source is disabled/,
      fix: /backfill\.autoOrder/,
    },
    {
      name: "forced stream onto an index whose _source keeps part of each document",
      facts: {
        method: "stream",
        indices: [index("logs", { sourceFilter: 'its mapping\'s _source includes ["a.*"]' })],
      },
      message:
        /^No backfill method \(stream\) can copy logs \(not stream: _source keeps only part of each document \(its mapping's _source includes \["a\.\*"\]\), so a copy of the documents would leave the rest out; a snapshot keeps it\)/,
      fix: /Use method: auto/,
    },
    {
      name: "forced snapshot onto a target index that holds documents names the real options",
      facts: { method: "snapshot", indices: [index("logs", { targetDocs: 30000 })] },
      message: /can copy logs \(not snapshot: the target index logs already holds 30000 document\(s\)/,
      fix: /^For a target index that already holds documents: delete it on the target \(DELETE \/<index>\) and run again, or copy over it by _id with --method stream/,
    },
    {
      name: "a target older than the source: no method, the path's reason and what to do",
      facts: {
        source: os(2, 19, 4),
        target: os(2, 11, 1),
        indices: [index("logs", { created: os(2, 19, 4) })],
      },
      message:
        /^No backfill method can take this path: the target runs OpenSearch 2\.11\.1, older than the source's OpenSearch 2\.19\.4: indices cannot move to an older version\.$/,
      fix: /^Point target at a cluster of the same or a newer version than the source\.$/,
    },
    {
      name: "forced snapshot of a 1.x-created index onto 3.x: the matrix's reason and alternative",
      facts: {
        method: "snapshot",
        source: os(1, 3, 14),
        target: os(3, 4, 0),
        indices: [index("old", { created: os(1, 3, 14) })],
      },
      message:
        /can copy old \(not snapshot: the index was created by OpenSearch 1\.3\.14; OpenSearch 3\.4\.0 restores only indices created by the previous major or later \(instead: copy it with reindex or stream/,
      fix: /Use method: auto/,
    },
    {
      name: "forced reindex from a SigV4 source",
      facts: { method: "reindex", sourceAuth: "sigv4" },
      message: /\(reindex\) can copy logs \(not reindex: remote reindex cannot sign SigV4/,
      fix: /method: auto/,
    },
  ];
  for (const c of errors) {
    test(c.name, () => {
      assert.throws(
        () => planBackfill({ ...base, ...c.facts }),
        (error) => {
          assert.ok(isBluegreenError(error, "BG_BACKFILL_PLAN"), String(error));
          assert.match(error.message, c.message);
          assert.match(error.fix ?? "", c.fix);
          return true;
        },
      );
    });
  }
});
