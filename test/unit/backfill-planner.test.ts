import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type BackfillFacts,
  type ClusterVersion,
  decodeVersionId,
  type IndexFacts,
  planBackfill,
  snapshotBlocker,
} from "../../src/backfill/planner.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const os = (major: number, minor: number, patch: number): ClusterVersion => ({
  distribution: "opensearch",
  version: { major, minor, patch },
});
const es = (major: number, minor: number, patch: number): ClusterVersion => ({
  distribution: "elasticsearch",
  version: { major, minor, patch },
});

describe("decodeVersionId", () => {
  // Real `index.version.created` values read from the sandboxes, plus Elasticsearch ids.
  const cases: [number, ClusterVersion | undefined][] = [
    [136327927, os(2, 11, 1)],
    [135249227, os(1, 3, 14)],
    [136408227, os(2, 19, 4)],
    [7100299, es(7, 10, 2)],
    [6080099, es(6, 8, 0)],
    [0, undefined],
    [Number.NaN, undefined],
  ];
  for (const [id, expected] of cases) {
    test(`${id}`, () => assert.deepEqual(decodeVersionId(id), expected));
  }
});

describe("snapshotBlocker: a cluster restores indices of its own major and the one before", () => {
  const cases: [ClusterVersion, ClusterVersion, RegExp | undefined][] = [
    [os(2, 11, 1), os(2, 19, 4), undefined],
    [os(1, 3, 14), os(2, 19, 4), undefined],
    [es(7, 10, 2), os(2, 19, 4), undefined],
    [es(7, 0, 0), os(2, 0, 0), undefined],
    [es(6, 8, 0), os(1, 3, 14), undefined],
    [os(2, 19, 4), os(3, 0, 0), undefined],
    [
      es(6, 8, 4),
      os(2, 19, 4),
      /Elasticsearch 6\.8\.4; OpenSearch 2\.19\.4 restores only indices created by the previous major/,
    ],
    [os(1, 3, 14), os(3, 0, 0), /previous major/],
    [es(7, 10, 2), os(3, 1, 0), /previous major/],
    [es(5, 6, 16), os(1, 3, 14), /previous major/],
    [es(7, 17, 0), os(2, 19, 4), /newer than Elasticsearch 7\.10\.2/],
    [es(8, 11, 0), os(2, 19, 4), /newer than Elasticsearch 7\.10\.2/],
    [os(2, 19, 4), os(2, 11, 1), /newer than the target's OpenSearch 2\.11\.1/],
    [os(3, 0, 0), os(2, 19, 4), /newer than the target/],
    [os(1, 3, 14), es(7, 10, 2), /Elasticsearch cannot read/],
  ];
  for (const [created, target, expected] of cases) {
    const name = `${created.distribution} ${Object.values(created.version).join(".")} → ${target.distribution} ${Object.values(target.version).join(".")}`;
    test(name, () => {
      const result = snapshotBlocker(created, target);
      if (expected === undefined) assert.equal(result, undefined);
      else assert.match(result ?? "", expected);
    });
  }
  test("an unknown creation version blocks", () => {
    assert.match(snapshotBlocker(undefined, os(2, 19, 4)) ?? "", /unknown/);
  });
});

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
      name: "forced snapshot onto a target index that holds documents names the real options",
      facts: { method: "snapshot", indices: [index("logs", { targetDocs: 30000 })] },
      message: /can copy logs \(not snapshot: the target index logs already holds 30000 document\(s\)/,
      fix: /^For a target index that already holds documents: delete it on the target \(DELETE \/<index>\) and run again, or copy over it by _id with --method stream/,
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
