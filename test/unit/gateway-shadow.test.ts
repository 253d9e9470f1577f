/**
 * Which reads a shadow read mirrors, and how the two answers compare: tables over the request shapes
 * and answers, with validate's search comparison plugged in as the gateway gets it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareShadow, type ShadowKind, shadowKind } from "../../src/gateway/shadow-compare.ts";
import { compareShadowSearch } from "../../src/validate/index.ts";

describe("shadowKind", () => {
  const CASES: readonly [string, string, ShadowKind | undefined, boolean?][] = [
    ["GET", "/logs/_search", "search"],
    ["POST", "/_search", "search"],
    ["POST", "/logs,metrics/_search", "search"],
    ["GET", "/logs/_search?scroll=1m", undefined],
    ["POST", "/_search/scroll", undefined],
    ["POST", "/logs/_search/template", undefined],
    ["POST", "/logs/_search/point_in_time", undefined],
    ["GET", "/logs/_count", "count"],
    ["POST", "/_count", "count"],
    ["POST", "/_msearch", "msearch"],
    ["POST", "/_msearch", undefined, true],
    ["GET", "/logs/_mget", "mget"],
    ["GET", "/logs/_mget", undefined, true],
    ["GET", "/logs/_doc/1", "get"],
    ["GET", "/logs/_doc/1", "get", true],
    ["HEAD", "/logs/_doc/1", undefined],
    ["PUT", "/logs/_doc/1", undefined],
    ["GET", "/logs/_source/1", undefined],
    ["GET", "/_cat/indices", undefined],
    ["GET", "/", undefined],
    ["DELETE", "/logs/_search", undefined],
  ];
  for (const [method, url, kind, renames] of CASES) {
    it(`${method} ${url}${renames === true ? " (with renames)" : ""} → ${kind ?? "not mirrored"}`, () => {
      const q = url.indexOf("?");
      const pathname = q === -1 ? url : url.slice(0, q);
      const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
      assert.equal(shadowKind(method, pathname, query, renames === true), kind);
    });
  }
});

function hits(total: number, ids: readonly string[], relation = "eq"): string {
  return JSON.stringify({
    took: 3,
    hits: { total: { value: total, relation }, hits: ids.map((id) => ({ _id: id, _score: 1 })) },
  });
}

const ok = (text: string) => ({ status: 200, text });

describe("compareShadow", () => {
  const CASES: readonly {
    name: string;
    kind: ShadowKind;
    source: { status: number; text: string };
    target: { status: number; text: string };
    parts: readonly string[];
    detail?: string;
  }[] = [
    {
      name: "search: same total and ids",
      kind: "search",
      source: ok(hits(2, ["a", "b"])),
      target: ok(hits(2, ["a", "b"])),
      parts: [],
    },
    {
      name: "search: took differs only",
      kind: "search",
      source: ok(hits(1, ["a"])),
      target: ok(hits(1, ["a"]).replace('"took":3', '"took":9')),
      parts: [],
    },
    {
      name: "search: total differs",
      kind: "search",
      source: ok(hits(3, ["a"])),
      target: ok(hits(2, ["a"])),
      parts: ["total"],
      detail: "total 3 ≠ 2",
    },
    {
      name: "search: an id differs",
      kind: "search",
      source: ok(hits(1, ["a"])),
      target: ok(hits(1, ["z"])),
      parts: ["ids"],
      detail: "a ≠ z",
    },
    {
      name: "status differs",
      kind: "search",
      source: ok(hits(1, ["a"])),
      target: { status: 404, text: "{}" },
      parts: ["status"],
      detail: "status 200 ≠ 404",
    },
    {
      name: "both refused alike",
      kind: "count",
      source: { status: 400, text: '{"error":1}' },
      target: { status: 400, text: '{"error":2}' },
      parts: [],
    },
    {
      name: "count differs",
      kind: "count",
      source: ok('{"count":10}'),
      target: ok('{"count":9}'),
      parts: ["count"],
      detail: "count 10 ≠ 9",
    },
    {
      name: "count: a long above 2^53 compared exactly",
      kind: "count",
      source: ok('{"count":9007199254740993}'),
      target: ok('{"count":9007199254740992}'),
      parts: ["count"],
    },
    {
      name: "get: same _source bytes",
      kind: "get",
      source: ok('{"_id":"1","found":true,"_source":{"n":1.0}}'),
      target: ok('{"_id":"1","found":true,"_source":{"n":1.0}}'),
      parts: [],
    },
    {
      name: "get: _source bytes differ (1.0 vs 1)",
      kind: "get",
      source: ok('{"_id":"1","found":true,"_source":{"n":1.0}}'),
      target: ok('{"_id":"1","found":true,"_source":{"n":1}}'),
      parts: ["source"],
      detail: "_source differs",
    },
    {
      name: "get: found on the source only (404 on the target)",
      kind: "get",
      source: ok('{"_id":"1","found":true,"_source":{}}'),
      target: { status: 404, text: '{"_id":"1","found":false}' },
      parts: ["found"],
      detail: "found on the source only",
    },
    {
      name: "get: refused alike in plain text (401 on both)",
      kind: "get",
      source: { status: 401, text: "Unauthorized" },
      target: { status: 401, text: "Unauthorized" },
      parts: [],
    },
    {
      name: "get: the target refuses what the source served",
      kind: "get",
      source: ok('{"_id":"1","found":true,"_source":{}}'),
      target: { status: 401, text: "Unauthorized" },
      parts: ["status"],
      detail: "status 200 ≠ 401",
    },
    {
      name: "get: missing on both",
      kind: "get",
      source: { status: 404, text: '{"found":false}' },
      target: { status: 404, text: '{"found":false}' },
      parts: [],
    },
    {
      name: "mget: one doc's _source differs, named by id",
      kind: "mget",
      source: ok('{"docs":[{"_id":"a","found":true,"_source":{"x":1}},{"_id":"b","found":false}]}'),
      target: ok('{"docs":[{"_id":"a","found":true,"_source":{"x":2}},{"_id":"b","found":false}]}'),
      parts: ["source"],
      detail: "a: _source differs",
    },
    {
      name: "msearch: the second response's total differs",
      kind: "msearch",
      source: ok(
        `{"responses":[${hits(1, ["a"]).slice(0, -1)},"status":200},${hits(2, ["b"]).slice(0, -1)},"status":200}]}`,
      ),
      target: ok(
        `{"responses":[${hits(1, ["a"]).slice(0, -1)},"status":200},${hits(1, ["b"]).slice(0, -1)},"status":200}]}`,
      ),
      parts: ["total"],
      detail: "[1] total 2 ≠ 1",
    },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      const differences = compareShadow(c.kind, c.source, c.target, compareShadowSearch);
      assert.deepEqual(
        differences.map((d) => d.part),
        c.parts,
        JSON.stringify(differences),
      );
      if (c.detail !== undefined)
        assert.ok(
          differences.some((d) => d.detail.includes(c.detail as string)),
          JSON.stringify(differences),
        );
    });
  }

  it("names no sort value (a field of the document) when sorted pages differ", () => {
    const page = (v: string) =>
      JSON.stringify({ hits: { total: { value: 1, relation: "eq" }, hits: [{ _id: "a", sort: [v] }] } });
    const differences = compareShadow(
      "search",
      ok(page("alice@example.com")),
      ok(page("bob@example.com")),
      compareShadowSearch,
    );
    assert.equal(differences.length, 1);
    assert.doesNotMatch(differences[0]?.detail ?? "", /example\.com/);
  });
});
