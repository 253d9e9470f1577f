import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalText } from "../../src/json/index.ts";
import { compareDigests, documentHash, type IndexDigest } from "../../src/validate/index.ts";

test("canonicalText sorts keys at every depth, keeps array order and every literal as written", () => {
  assert.equal(canonicalText('{"b":1, "a":{"d":[2,1],"c":null}}'), '{"a":{"c":null,"d":[2,1]},"b":1}');
  assert.equal(
    canonicalText('{"n":[9007199254740993,1.0,-0,1e3,18446744073709551615],"s":"\\u00e9\\ud83d\\ude00"}'),
    '{"n":[9007199254740993,1.0,-0,1e3,18446744073709551615],"s":"\\u00e9\\ud83d\\ude00"}',
  );
});

test("documentHash depends on id, routing and source, not on key order or whitespace", () => {
  const base = documentHash("1", undefined, '{"a":1,"b":2}');
  assert.equal(documentHash("1", undefined, '{ "b": 2,\n "a": 1 }'), base);
  assert.notEqual(documentHash("2", undefined, '{"a":1,"b":2}'), base);
  assert.notEqual(documentHash("1", "r", '{"a":1,"b":2}'), base);
  assert.notEqual(documentHash("1", undefined, '{"a":1,"b":3}'), base);
});

test("documentHash sees what JSON.parse would hide: rounded longs, 1.0 as 1, changed escapes", () => {
  const pairs: [string, string][] = [
    ['{"big":9007199254740993}', '{"big":9007199254740992}'],
    ['{"u":18446744073709551615}', '{"u":18446744073709552000}'],
    ['{"f":1.0}', '{"f":1}'],
    ['{"e":1e3}', '{"e":1000}'],
    ['{"z":-0}', '{"z":0}'],
    ['{"s":"\\u00e9"}', '{"s":"é"}'],
  ];
  for (const [a, b] of pairs) {
    const parsed = (text: string) => JSON.stringify(JSON.parse(text));
    assert.equal(parsed(a), parsed(b), "equal once parsed: the trap this digest avoids");
    assert.notEqual(documentHash("1", undefined, a), documentHash("1", undefined, b), `${a} vs ${b}`);
  }
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
