import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, compareDigests, documentHash, type IndexDigest } from "../../src/validate/index.ts";

test("canonicalJson sorts keys at every depth and keeps array order", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
});

test("documentHash depends on id, routing and source, not on key order", () => {
  const base = documentHash("1", undefined, { a: 1, b: 2 });
  assert.equal(documentHash("1", undefined, { b: 2, a: 1 }), base);
  assert.notEqual(documentHash("2", undefined, { a: 1, b: 2 }), base);
  assert.notEqual(documentHash("1", "r", { a: 1, b: 2 }), base);
  assert.notEqual(documentHash("1", undefined, { a: 1, b: 3 }), base);
});

test("compareDigests names missing, extra and different documents", () => {
  const digest = (docs: Record<string, string>, sum: string): IndexDigest => ({
    index: "i",
    count: Object.keys(docs).length,
    digest: sum,
    documents: new Map(Object.entries(docs)),
  });
  const result = compareDigests(
    digest({ a: "1", b: "2", c: "3" }, "x"),
    digest({ a: "1", b: "9", d: "4" }, "y"),
  );
  assert.equal(result.equal, false);
  assert.deepEqual(result.missingOnTarget, ["c"]);
  assert.deepEqual(result.extraOnTarget, ["d"]);
  assert.deepEqual(result.different, ["b"]);
  assert.equal(compareDigests(digest({ a: "1" }, "x"), digest({ a: "1" }, "x")).equal, true);
});
