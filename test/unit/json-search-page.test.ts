import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSearchPage } from "../../src/json/index.ts";

describe("raw search page", () => {
  it("keeps each _source as its exact JSON text and parses only the metadata", () => {
    const sources = [
      { a: 1, b: "x", nested: { sort: [1, 2], _id: "not me" } },
      { unused: true },
      { empty: {}, list: [], u: "\u00e9\u2028", n: null, t: true },
    ];
    const text = [
      '{"pit_id":"p\\"1","hits":{"hits":[',
      `{"_id":"a\\\\1","_routing":"r","_version":3,"_source":${JSON.stringify(sources[0])},"sort":[5]},`,
      '{"_id":"b","_source":{"s":"quote \\" backslash \\\\ brace } bracket ] \\\\\\"","big":12345678901234567890,"f":1.0},"sort":[6]},',
      `{"_id":"c","_source":${JSON.stringify(sources[2])},"sort":[7]}`,
      "]}}",
    ].join("");
    const page = parseSearchPage(text);
    assert.equal(page.pitId, 'p"1');
    assert.deepEqual(
      page.hits.map((h) => [h._id, h._routing, h._version]),
      [
        ["a\\1", "r", "3"],
        ["b", undefined, undefined],
        ["c", undefined, undefined],
      ],
    );
    assert.deepEqual(page.after, [7], "the last hit's sort values");
    assert.equal(page.hits[0]?.source, JSON.stringify(sources[0]));
    // Big integers and 1.0 survive byte for byte (a parse/stringify round trip would change them).
    assert.equal(
      page.hits[1]?.source,
      '{"s":"quote \\" backslash \\\\ brace } bracket ] \\\\\\"","big":12345678901234567890,"f":1.0}',
    );
    assert.deepEqual(JSON.parse(page.hits[2]?.source ?? ""), sources[2]);
  });

  it("reads a page given as bytes: text metadata decoded, each _source left as its exact bytes", () => {
    const sources = [
      '{"city":"Zürich","jp":"東京","clef":"𝄞","esc":"caf\\u00e9","big":9007199254740993,"f":1.0}',
      '{"ключ":"значение","line":"a\\nb"}',
      '{"plain":"ascii"}',
    ];
    const answer = Buffer.from(
      [
        '{"pit_id":"pït","hits":{"hits":[',
        `{"_id":"ïd-東京-𝄞","_routing":"röute","_version":7,"_source":${sources[0]},"sort":[4]},`,
        `{"_id":"b\\u00e9","_routing":"r\\"ö","_source":${sources[1]},"sort":[6]},`,
        `{"_id":"c","_source":${sources[2]},"sort":["ß",5]}`,
        "]}}",
      ].join(""),
    );
    const page = parseSearchPage(answer.toString("latin1"), { bytes: true });
    assert.equal(page.pitId, "pït");
    assert.deepEqual(
      page.hits.map((h) => [h._id, h._routing, h._version]),
      [
        ["ïd-東京-𝄞", "röute", "7"],
        ["bé", 'r"ö', undefined],
        ["c", undefined, undefined],
      ],
    );
    assert.deepEqual(page.after, ["ß", 5]);
    for (const [i, expected] of sources.entries()) {
      const source = page.hits[i]?.source ?? "";
      assert.equal(source.length, Buffer.byteLength(expected), "one character per byte");
      assert.ok(Buffer.from(source, "latin1").equals(Buffer.from(expected)), `source ${i} keeps its bytes`);
    }
    // The same answer read as text gives the same documents.
    const asText = parseSearchPage(answer.toString("utf8"));
    assert.deepEqual(
      asText.hits.map((h) => h._id),
      page.hits.map((h) => h._id),
    );
  });

  it("reads empty pages, scroll ids, sources without _source and line breaks", () => {
    assert.deepEqual(parseSearchPage(""), { hits: [] });
    assert.deepEqual(parseSearchPage('{"pit_id":"x"}'), { pitId: "x", hits: [] });
    assert.deepEqual(parseSearchPage('{"_scroll_id":"s","hits":{"hits":[]}}'), { scrollId: "s", hits: [] });
    const page = parseSearchPage(
      '{ "hits" : { "hits" : [ { "_id" : "x" , "_source" : {\n"a" :\r\n 1 } } ] } }',
    );
    assert.equal(page.hits[0]?.source, '{ "a" :   1 }');
    assert.equal(parseSearchPage('{"hits":{"hits":[{"_id":"y"}]}}').hits[0]?.source, undefined);
  });

  it("reads a whole answer in one pass, whatever its documents hold or its members' order", () => {
    // Documents whose fields share the answer's own names, and metadata after the hits.
    const doc = '{"hits":{"hits":[{"_id":"inner"}]},"pit_id":"no","_scroll_id":"no","sort":[9]}';
    const text = `{"took":1,"_shards":{"total":1},"hits":{"total":{"value":2},"max_score":null,"hits":[{"_index":"i","_id":"1","_score":null,"_source":${doc},"sort":[1]},{"_id":"2","_source":{},"sort":[2]}],"after":{"x":[]}},"pit_id":"p"}`;
    const page = parseSearchPage(text);
    assert.equal(page.pitId, "p");
    assert.equal(page.scrollId, undefined);
    assert.deepEqual(
      page.hits.map((h) => [h._id, h.source]),
      [
        ["1", doc],
        ["2", "{}"],
      ],
    );
    assert.deepEqual(page.after, [2]);
    // Only the last hit's sort values count: a page whose last hit has none has no `after`.
    assert.equal(parseSearchPage('{"hits":{"hits":[{"_id":"a","sort":[1]},{"_id":"b"}]}}').after, undefined);
  });

  it("refuses truncated answers instead of inventing documents", () => {
    for (const bad of [
      '{"hits":{"hits":[{"_id":"a","_source":{}}]',
      '{"hits":{"hits":[{"_id":"a","_source":{}}]}',
      '{"hits":{"hits":[{"_id":"a","_source":{"x":"y',
      '{"hits":{"hits":[{"_source":{}}]}}',
    ]) {
      assert.throws(() => parseSearchPage(bad), SyntaxError);
    }
  });
});
