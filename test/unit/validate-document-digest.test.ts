/**
 * The full comparison's per-document digest is SHA-1 over the key and the raw `_source` as UTF-8,
 * however it is computed: through the reused buffer for ordinary documents, piece by piece for
 * large ones. Each row pins it to that definition, so a faster way of hashing cannot change it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import type { RawHit } from "../../src/json/index.ts";
import { documentDigest } from "../../src/validate/content-store.ts";

function reference(hit: RawHit): string {
  const key = hit._routing === undefined ? `\u0000${hit._id}\u0000` : `${hit._routing}\u0001${hit._id}\u0000`;
  return createHash("sha1")
    .update(key)
    .update(hit.source ?? "")
    .digest()
    .subarray(0, 8)
    .toString("hex");
}

const rows: readonly [string, RawHit][] = [
  ["ascii", { _id: "d1", source: '{"a":1,"b":"text"}' }],
  ["with routing", { _id: "d1", _routing: "r1", source: '{"a":1,"b":"text"}' }],
  ["no _source", { _id: "d2" }],
  ["empty id", { _id: "", source: "{}" }],
  ["non-ASCII id and text", { _id: "größe-ü", source: '{"name":"Zoë Ångström","city":"Köln"}' }],
  ["astral characters and an escape", { _id: "e", source: '{"emoji":"🦊🚀","esc":"\\u00e9\\n"}' }],
  ["a lone surrogate", { _id: "s", source: `{"bad":"\ud800x"}` }],
  ["just below the buffer", { _id: "big", source: `{"t":"${"x".repeat((256 * 1024) / 3 - 40)}"}` }],
  ["far above the buffer (hashed piece by piece)", { _id: "huge", source: `{"t":"${"é".repeat(400_000)}"}` }],
  ["a small one after the huge one", { _id: "d1", source: '{"a":1,"b":"text"}' }],
];

for (const [name, hit] of rows) {
  test(`documentDigest: ${name}`, () => {
    assert.equal(documentDigest(hit).toString("hex"), reference(hit));
  });
}

test("documentDigest: the key is in it (two documents swapping contents change both digests)", () => {
  const a = documentDigest({ _id: "a", source: '{"v":1}' }).toString("hex");
  const b = documentDigest({ _id: "b", source: '{"v":1}' }).toString("hex");
  assert.notEqual(a, b);
});
