import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ClusterRequest, ClusterResponse, Requester } from "../../src/cluster/index.ts";
import { BluegreenError } from "../../src/errors/index.ts";
import { losslessParse } from "../../src/json/index.ts";
import { compareQueries, type UserQuery } from "../../src/validate/index.ts";
import { compareAnswers, type PlannedQuery, sameNumber } from "../../src/validate/queries-compare.ts";

function planned(compare: PlannedQuery["compare"], aggTolerance = 0, totalTolerance = 0): PlannedQuery {
  return { name: "q", body: {}, compare, aggTolerance, totalTolerance, generated: false };
}
const ALL = new Set(["total", "ids", "aggregations"] as const);
const hits = (total: number, list: readonly [string, unknown][], relation = "eq") =>
  JSON.stringify({
    hits: {
      total: { value: total, relation },
      hits: list.map(([id, sort]) => (Array.isArray(sort) ? { _id: id, sort } : { _id: id, _score: sort })),
    },
  });
const aggs = (a: string) => `{"hits":{"total":{"value":0,"relation":"eq"},"hits":[]},"aggregations":${a}}`;
const terms = (buckets: string) =>
  aggs(`{"by_tag":{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":[${buckets}]}}`);

describe("compareAnswers", () => {
  const cases: readonly [string, PlannedQuery, string, string, string[]][] = [
    [
      "equal: total, ids and a terms aggregation with a sub-aggregation",
      planned(ALL),
      aggs(`{"t":{"buckets":[{"key":"a","doc_count":3,"avg":{"value":1.5}}]}}`).replace(
        '"value":0',
        '"value":3',
      ),
      aggs(`{"t":{"buckets":[{"key":"a","doc_count":3,"avg":{"value":1.5}}]}}`).replace(
        '"value":0',
        '"value":3',
      ),
      [],
    ],
    ["total differs", planned(ALL), hits(400, []), hits(399, []), ["total 400 ≠ 399"]],
    ["total within its tolerance", planned(ALL, 0, 0.01), hits(400, []), hits(397, []), []],
    [
      "a capped total against an exact one",
      planned(ALL),
      hits(10000, [], "gte"),
      hits(9999, []),
      ["total ≥10000 ≠ 9999"],
    ],
    [
      "a bucket differs beyond the tolerance",
      planned(ALL, 0.01),
      terms(`{"key":"t3","doc_count":1000},{"key":"t4","doc_count":10}`),
      terms(`{"key":"t3","doc_count":980},{"key":"t4","doc_count":10}`),
      ["by_tag bucket t3 1000 ≠ 980"],
    ],
    [
      "a bucket within the tolerance",
      planned(ALL, 0.01),
      terms(`{"key":"t3","doc_count":1000}`),
      terms(`{"key":"t3","doc_count":995}`),
      [],
    ],
    [
      "a bucket missing and one extra",
      planned(ALL),
      terms(`{"key":"t3","doc_count":2},{"key":"t4","doc_count":1}`),
      terms(`{"key":"t3","doc_count":2},{"key":"t9","doc_count":1}`),
      ["by_tag bucket t4 missing on target (1 doc)", "by_tag bucket t9 extra on target (1 doc)"],
    ],
    [
      "a nested sub-aggregation's metric differs",
      planned(ALL),
      terms(`{"key":"t3","doc_count":2,"price":{"value":10.5}}`),
      terms(`{"key":"t3","doc_count":2,"price":{"value":10.25}}`),
      ["by_tag bucket t3 > price value 10.5 ≠ 10.25"],
    ],
    [
      "a long above 2^53 in a max is not compared as a rounded double",
      planned(ALL),
      aggs(`{"m":{"value":9007199254740993}}`),
      aggs(`{"m":{"value":9007199254740992}}`),
      ["m value 9007199254740993 ≠ 9007199254740992"],
    ],
    [
      "terms keys above 2^53 stay apart",
      planned(ALL),
      terms(`{"key":9007199254740993,"doc_count":1}`),
      terms(`{"key":9007199254740992,"doc_count":1}`),
      [
        "by_tag bucket 9007199254740993 missing on target (1 doc)",
        "by_tag bucket 9007199254740992 extra on target (1 doc)",
      ],
    ],
    [
      "one double written by two JDKs, and 2 written as 2.0",
      planned(ALL),
      aggs(`{"s":{"count":2,"sum":1.9999999999999998E23,"min":2}}`),
      aggs(`{"s":{"count":2,"sum":2.0E23,"min":2.0}}`),
      [],
    ],
    [
      "tie order within the page does not matter",
      planned(ALL),
      hits(3, [
        ["a", [5]],
        ["b", [5]],
        ["c", [4]],
      ]),
      hits(3, [
        ["b", [5]],
        ["a", [5]],
        ["c", [4]],
      ]),
      [],
    ],
    [
      "a tie that goes on past a full page: its ids are not compared",
      planned(ALL),
      hits(9, [
        ["a", [9]],
        ["b", [8]],
        ["c", [8]],
      ]),
      hits(9, [
        ["a", [9]],
        ["b", [8]],
        ["x", [8]],
      ]),
      [],
    ],
    [
      "a tie inside the page holds other ids",
      planned(ALL),
      hits(3, [
        ["a", [5]],
        ["b", [5]],
        ["c", [4]],
      ]),
      hits(3, [
        ["a", [5]],
        ["x", [5]],
        ["c", [4]],
      ]),
      ["ids at ranks 1–2: a, b ≠ a, x"],
    ],
    [
      "a unique sort value with another id",
      planned(ALL),
      hits(3, [
        ["a", [5]],
        ["b", [4]],
        ["c", [3]],
      ]),
      hits(3, [
        ["a", [5]],
        ["x", [4]],
        ["c", [3]],
      ]),
      ["ids at rank 2: b ≠ x"],
    ],
    [
      "sort values that differ are named by rank",
      planned(ALL),
      hits(3, [
        ["a", [5]],
        ["b", ["9007199254740993"]],
      ]).replace('"9007199254740993"', "9007199254740993"),
      hits(3, [
        ["a", [5]],
        ["b", ["9007199254740992"]],
      ]).replace('"9007199254740992"', "9007199254740992"),
      ["sort values at rank 2: [9007199254740993] ≠ [9007199254740992]"],
    ],
    [
      "relevance order: equal scores group ids, scores themselves are not compared",
      planned(ALL),
      hits(3, [
        ["a", 2.5],
        ["b", 2.5],
        ["c", 1],
      ]),
      hits(3, [
        ["b", 2.4],
        ["a", 2.4],
        ["c", 0.9],
      ]),
      [],
    ],
    [
      "only what `compare` lists",
      planned(new Set(["aggregations"])),
      terms(`{"key":"t3","doc_count":1}`).replace('"value":0', '"value":5'),
      terms(`{"key":"t3","doc_count":1}`),
      [],
    ],
  ];
  for (const [name, q, source, target, expected] of cases) {
    it(name, () =>
      assert.deepEqual(compareAnswers(q, losslessParse(source), losslessParse(target)), expected),
    );
  }

  it("sameNumber: exact integers, doubles by value, relative tolerance", () => {
    assert.equal(sameNumber("10", "1e1", 0), true);
    assert.equal(sameNumber("-0", "0", 0), true);
    assert.equal(sameNumber("9007199254740993", "9.007199254740993E15", 0), true);
    assert.equal(sameNumber("9007199254740993", "9.007199254740992E15", 0), false);
    assert.equal(sameNumber("100", "104", 0.05), true);
    assert.equal(sameNumber("100", "106", 0.05), false);
  });
});

type Answer = { status: number; body: unknown } | BluegreenError;

/** A cluster that answers `_search` from a script and everything else with what the check needs. */
function fakeCluster(search: (body: Record<string, unknown>) => Answer): Requester {
  return {
    async request<T>(req: ClusterRequest): Promise<ClusterResponse<T>> {
      const reply = (status: number, body: unknown) =>
        ({ status, body, headers: {}, attempts: 1 }) as ClusterResponse<T>;
      if (req.path.endsWith("/_refresh")) return reply(200, {});
      if (req.path.endsWith("/_mapping")) return reply(200, { idx: { mappings: { properties: {} } } });
      const answer = search(JSON.parse(req.body as string) as Record<string, unknown>);
      if (answer instanceof BluegreenError) throw answer;
      if (answer.status >= 300 && !req.allowStatus?.includes(answer.status))
        throw new Error(`HTTP ${answer.status}`);
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      return reply(answer.status, answer.status < 300 ? text : answer.body);
    },
  };
}

const ok = (body: string): Answer => ({ status: 200, body });
const refused = (type: string, reason: string): Answer => ({
  status: 400,
  body: {
    error: {
      root_cause: [{ type, reason }],
      type: "search_phase_execution_exception",
      reason: "all shards failed",
    },
    status: 400,
  },
});
const user = (name: string, body: Record<string, unknown>): UserQuery => ({ index: "idx", name, body });

describe("compareQueries", () => {
  const total = hits(3, []);
  const run = (
    source: Requester,
    target: Requester,
    queries: UserQuery[] = [],
    settle?: () => Promise<void>,
  ) => compareQueries({ source, target, index: "idx", targetIndex: "idx-new", queries, settle });

  it("all equal: one line a person reads", async () => {
    const side = fakeCluster(() => ok(total));
    const check = await run(side, side, [user("mine", { query: { match_all: {} } })]);
    assert.equal(check.passed, true);
    assert.equal(check.kind, "queries");
    assert.equal(check.summary, "2 queries: 2 equal");
    assert.deepEqual(check.queries?.[0], { name: "match_all", passed: true, detail: "equal (3 hits)" });
  });

  it("a query the target refuses fails, naming OpenSearch's error type and reason", async () => {
    const source = fakeCluster(() => ok(total));
    const target = fakeCluster((b) =>
      b.aggs === undefined
        ? ok(total)
        : refused("illegal_argument_exception", "Text fields are not optimised"),
    );
    const check = await run(source, target, [
      user("by code", { size: 0, aggs: { c: { terms: { field: "code" } } } }),
    ]);
    assert.equal(check.passed, false);
    const q = check.queries?.find((x) => x.name === "by code");
    assert.equal(
      q?.detail,
      "fails on the target only: illegal_argument_exception: Text fields are not optimised",
    );
    assert.match(
      check.summary,
      /^1 of 2 queries differ: by code fails on the target only: illegal_argument_exception/,
    );
  });

  it("a query only the source refuses fails too", async () => {
    const source = fakeCluster((b) =>
      b.aggs === undefined ? ok(total) : refused("parsing_exception", "unknown"),
    );
    const check = await run(
      source,
      fakeCluster(() => ok(total)),
      [user("x", { aggs: {} })],
    );
    assert.equal(check.queries?.[1]?.detail, "fails on the source only: parsing_exception: unknown");
  });

  it("both sides refuse: the user's query fails, a generated one is skipped", async () => {
    const side = fakeCluster(() => refused("parsing_exception", "unknown query [bogus]"));
    const check = await run(side, side, [user("bogus", { query: { bogus: {} } })]);
    assert.equal(check.passed, false);
    assert.deepEqual(
      check.queries?.map((q) => [q.name, q.passed, q.detail]),
      [
        ["match_all", true, "skipped: fails on both sides (parsing_exception: unknown query [bogus])"],
        ["bogus", false, "fails on both sides (parsing_exception: unknown query [bogus]): fix the query"],
      ],
    );
  });

  it("a failed shard makes a partial answer: an error, not a result", async () => {
    const partial = JSON.stringify({
      _shards: {
        total: 2,
        successful: 1,
        failed: 1,
        failures: [{ reason: { type: "x_exception", reason: "broke" } }],
      },
      hits: { total: { value: 1, relation: "eq" }, hits: [] },
    });
    const check = await run(
      fakeCluster(() => ok(total)),
      fakeCluster(() => ok(partial)),
    );
    assert.equal(
      check.queries?.[0]?.detail,
      "fails on the target only: x_exception: 1 of 2 shards failed: broke",
    );
  });

  it("while sync runs, a difference that goes away once it caught up settles", async () => {
    let caughtUp = false;
    const target = fakeCluster(() => ok(caughtUp ? total : hits(2, [])));
    const check = await run(
      fakeCluster(() => ok(total)),
      target,
      [],
      async () => {
        caughtUp = true;
      },
    );
    assert.equal(check.passed, true);
    assert.equal(check.summary, "1 query: 1 equal; 1 settled once sync caught up");
  });

  it("a difference that stays is named in the summary", async () => {
    const check = await run(
      fakeCluster(() => ok(total)),
      fakeCluster(() => ok(hits(2, []))),
      [],
      async () => {},
    );
    assert.equal(check.summary, "1 of 1 queries differ: match_all total 3 ≠ 2");
  });

  it("a query that times out fails by itself; a cluster that is gone ends the check", async () => {
    const slow = fakeCluster(() => new BluegreenError("BG_CLUSTER_TIMEOUT", "no answer within 30000 ms"));
    const check = await run(
      fakeCluster(() => ok(total)),
      slow,
    );
    assert.equal(check.queries?.[0]?.detail, "fails on the target only: timeout: no answer within 30000 ms");
    const gone = fakeCluster(() => new BluegreenError("BG_CLUSTER_UNREACHABLE", "connection refused"));
    await assert.rejects(
      run(
        fakeCluster(() => ok(total)),
        gone,
      ),
      /connection refused/,
    );
  });
});
