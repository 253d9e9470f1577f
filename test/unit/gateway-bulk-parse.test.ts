import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BadWrite } from "../../src/gateway/bad-write.ts";
import { joinBulk, parseBulk, withId, withIndex } from "../../src/gateway/bulk-parse.ts";
import { bulkFormat } from "../../src/gateway/content-type.ts";
import { encodeSmile, SmileReader, type SmileValue } from "../../src/gateway/smile.ts";
import { ACCEPTED, D, defaultsOf, L, long, REFUSED, S, smileBody } from "../support/bulk-parse-cases.ts";

function bytes(body: string | Buffer): Buffer {
  return typeof body === "string" ? Buffer.from(body) : body;
}

describe("_bulk splitter: OpenSearch's refusals", () => {
  for (const c of REFUSED) {
    it(c.name, () => {
      const smile = c.format === "smile";
      assert.throws(
        () => parseBulk(bytes(c.body), c.format ?? "json", defaultsOf(c.path)),
        (error: unknown) => {
          assert.ok(error instanceof BadWrite, String(error));
          const cut = (s: string) => (smile ? s.replace(/\n at \[Source: .*$/s, "") : s);
          assert.deepEqual(
            { status: error.status, type: error.type, reason: cut(error.message) },
            { status: c.status, type: c.type, reason: cut(c.reason) },
          );
          return true;
        },
      );
    });
  }
});

describe("_bulk splitter: what OpenSearch accepts", () => {
  for (const c of ACCEPTED) {
    it(c.name, () => {
      const items = parseBulk(bytes(c.body), c.format ?? "json", defaultsOf(c.path));
      assert.deepEqual(
        items.map((i) => [i.op, i.index, i.id ?? null]),
        c.items.map((i) => [...i]),
      );
    });
  }
});

describe("_bulk splitter: bytes", () => {
  const docs = [
    '{"big":9007199254740993,"bigger":123456789012345678901234567890,"one":1.0,"zero":-0,"e":1E+2}',
    '{"u":"\\u00e9\\ud83d\\ude00 é","nested":{"a":[1.10,{"b":null}]},"s":"quote \\" and \\\\"}',
    '{ "spaced" :  true }',
  ];
  const body = L(
    '{"index":{"_index":"t1","_id":"1","version":9007199254740993,"version_type":"external"}}',
    docs[0] as string,
    '{"create":{"_index":"t1"}}',
    docs[1] as string,
    '{"update":{"_index":"t1","_id":"3","retry_on_conflict":3}}',
    `{"doc":${docs[2]}}`,
    '{"delete":{"_index":"t1","_id":"4"}}',
  );

  it("keeps documents as slices of the body, byte for byte, and joinBulk gives the body back", () => {
    const input = Buffer.from(body);
    const items = parseBulk(input, "json", {});
    assert.deepEqual(
      items.map((i) => i.doc?.toString()),
      [docs[0], docs[1], `{"doc":${docs[2]}}`, undefined],
    );
    for (const item of items) {
      // A slice shares the body's memory: no document is copied.
      assert.equal(item.action.buffer, input.buffer);
      if (item.doc !== undefined) assert.equal(item.doc.buffer, input.buffer);
    }
    const lines = items.flatMap((i) => (i.doc === undefined ? [i.action] : [i.action, i.doc]));
    assert.equal(joinBulk(lines, "json").toString(), body);
  });

  it("reads routing, pipeline and the URL's defaults as OpenSearch does", () => {
    const items = parseBulk(
      Buffer.from(
        L(
          '{"index":{"_id":"1"}}',
          D,
          '{"index":{"_index":"o","_id":"2","routing":"r","pipeline":"p"}}',
          D,
          '{"index":{"_id":"3","routing":""}}',
          D,
          '{"update":{"_id":"4","pipeline":"ignored"}}',
          '{"doc":{}}',
          '{"delete":{"_id":"5","routing":7}}',
        ),
      ),
      "json",
      { index: "d", routing: "dr", pipeline: "dp" },
    );
    assert.deepEqual(
      items.map((i) => [i.op, i.index, i.id, i.routing, i.pipeline, i.line]),
      [
        ["index", "d", "1", "dr", "dp", 1],
        ["index", "o", "2", "r", "p", 3],
        ["index", "d", "3", undefined, "dp", 5],
        ["update", "d", "4", "dr", "dp", 7],
        ["delete", "d", "5", "7", undefined, 9],
      ],
    );
  });

  it("skips blank lines anywhere, trailing ones too", () => {
    const items = parseBulk(
      Buffer.from(`\n\n${L('{"delete":{"_index":"t","_id":"1"}}')}\n \n\n`),
      "json",
      {},
    );
    assert.deepEqual(
      items.map((i) => [i.op, i.id, i.line]),
      [["delete", "1", 3]],
    );
  });

  it("drops the CR of CRLF lines, as OpenSearch does for documents", () => {
    const items = parseBulk(Buffer.from('{"index":{"_index":"t","_id":"1"}}\r\n{"a":1}\r\n'), "json", {});
    assert.equal(items[0]?.action.toString(), '{"index":{"_index":"t","_id":"1"}}');
    assert.equal(items[0]?.doc?.toString(), '{"a":1}');
  });

  it("withId adds _id and keeps every other byte", () => {
    const cases: [string, string][] = [
      [
        '{"index":{"_index":"t1","if_seq_no":9007199254740993,"if_primary_term":1}}',
        '{"index":{"_id":"abc","_index":"t1","if_seq_no":9007199254740993,"if_primary_term":1}}',
      ],
      [
        '{"index":{"_index":"t1","_id":"old","version":9007199254740993,"version_type":"external"}}',
        '{"index":{"_index":"t1","_id":"abc","version":9007199254740993,"version_type":"external"}}',
      ],
      ['{"create":{}}', '{"create":{"_id":"abc"}}'],
      ['{"index":{ /* c */ }}', '{"index":{"_id":"abc" /* c */ }}'],
      ['{"index":{"_id":null,"_index":"t1"}}', '{"index":{"_id":"abc","_index":"t1"}}'],
      ['{"index":{"_index":"t1"}} trailing', '{"index":{"_id":"abc","_index":"t1"}} trailing'],
    ];
    for (const [action, expected] of cases) {
      const [item] = parseBulk(Buffer.from(L(action, D)), "json", { index: "d" });
      assert.ok(item !== undefined);
      assert.equal(withId(item, "json", "abc").toString(), expected);
    }
    const [item] = parseBulk(Buffer.from(L('{"index":{"_index":"a","_id":"1"}}', D)), "json", {});
    assert.equal(
      withIndex(item as never, "json", "b\u00e9").toString(),
      '{"index":{"_index":"bé","_id":"1"}}',
    );
    const [bare] = parseBulk(Buffer.from(L('{"index":{}}', D)), "json", { index: "d" });
    assert.equal(withIndex(bare as never, "json", "x").toString(), '{"index":{"_index":"x"}}');
  });

  it("bulkFormat maps the Content-Types OpenSearch takes on _bulk", () => {
    assert.equal(bulkFormat("application/x-ndjson; charset=UTF-8"), "json");
    assert.equal(bulkFormat("APPLICATION/JSON"), "json");
    assert.equal(bulkFormat("application/smile"), "smile");
    assert.equal(bulkFormat("application/yaml"), undefined);
    assert.equal(bulkFormat(undefined), undefined);
  });
});

describe("_bulk splitter: SMILE", () => {
  // GET /vec2/_source/1 with Accept: application/smile from OpenSearch 2.11.1 (Jackson's encoder,
  // shared names on) for the JSON source {"index":{"_index":"sm","_id":"a1","routing":"r",
  // "version":9007199254740993,"version_type":"external","n":-5,"f":1.5,"big":1234...7890,
  // "neg":-9223372036854775808,"t":true,"z":null,"u":"é€😀","s":{"includes":["a"]},"d":1.0E300,
  // "dec":1.25,"long":"x"*70,"longu":"é"+"x"*70}}.
  const JACKSON = Buffer.from(
    "3a290a05fa84696e646578fa855f696e64657841736d825f696441613186726f7574696e6740728676657273696f6e25" +
      "40000000000000828b76657273696f6e5f747970654765787465726e616c806ec9806629003f7c000000000000008262" +
      "6967268d00635d107f5b0673703b4963782b12826e656725037f7f7f7f7f7f7f7fbf807423807a21807587c3a9e282ac" +
      "f09f98808073fa87696e636c75646573f84061f9fb806429007e1b79074840016b1c8264656329003f7a000000000000" +
      "00836c6f6e67e07878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "7878787878787878787878787878787878787878787878787878787878fc846c6f6e6775e4c3a9787878787878787878" +
      "787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" +
      "78787878787878787878787878fcfbfb",
    "hex",
  );

  it("decodes what Jackson encodes", () => {
    const reader = new SmileReader(JACKSON);
    const tree = reader.readTree(reader.next() as never) as Map<string, Map<string, SmileValue>>;
    const meta = tree.get("index");
    assert.ok(meta instanceof Map);
    assert.deepEqual(Object.fromEntries(meta), {
      _index: "sm",
      _id: "a1",
      routing: "r",
      version: { kind: "long", value: 9007199254740993n },
      version_type: "external",
      n: { kind: "int", value: -5n },
      f: { kind: "double", value: 1.5 },
      big: { kind: "bigint", value: 123456789012345678901234567890n },
      neg: { kind: "long", value: -9223372036854775808n },
      t: true,
      z: null,
      u: "é€😀",
      s: new Map([["includes", ["a"]]]),
      d: { kind: "double", value: 1e300 },
      dec: { kind: "double", value: 1.25 },
      long: "x".repeat(70),
      longu: `é${"x".repeat(70)}`,
    });
    // Written again without back references, it reads back the same.
    const again = new SmileReader(encodeSmile(tree));
    assert.deepEqual(again.readTree(again.next() as never), tree);
  });

  it("splits a SMILE bulk on 0xFF and keeps documents byte for byte", () => {
    const action = S({
      index: { _index: "sm", _id: "1", version: long(9007199254740993n), version_type: "external" },
    });
    const doc = S({ a: long(9007199254740993n), f: { kind: "double", value: 1.0 } });
    const body = smileBody(action, doc, S({ delete: { _index: "sm", _id: "2", routing: "r" } }));
    const items = parseBulk(body, "smile", {});
    assert.deepEqual(
      items.map((i) => [i.op, i.index, i.id, i.routing]),
      [
        ["index", "sm", "1", undefined],
        ["delete", "sm", "2", "r"],
      ],
    );
    assert.deepEqual(items[0]?.doc, doc);
    assert.deepEqual(
      joinBulk([items[0]?.action, items[0]?.doc, items[1]?.action] as Buffer[], "smile"),
      body,
    );
  });

  it("reads an action line Jackson wrote and gives it an _id OpenSearch reads back exactly", () => {
    // OpenSearch 2.11.1's SMILE for {"index":{"_index":"wid","routing":"r","if_seq_no":9007199254740993,
    // "if_primary_term":1,"pipeline":"_none","_source":{"includes":["a"],"excludes":"b"}}}; the line
    // withId made from it was sent back in a SMILE _bulk, and OpenSearch answered for `jk1` with
    // "required seqNo [9007199254740993], primary term [1]".
    const action = Buffer.from(
      "3a290a05fa84696e646578fa855f696e6465784277696486726f7574696e6740728869665f7365715f6e6f2540000000" +
        "000000828e69665f7072696d6172795f7465726dc287706970656c696e65445f6e6f6e65865f736f75726365fa8769" +
        "6e636c75646573f84061f9876578636c756465734062fbfbfb",
      "hex",
    );
    const [item] = parseBulk(smileBody(action, S({ a: "x" })), "smile", {});
    assert.ok(item !== undefined);
    assert.deepEqual(
      [item.op, item.index, item.id, item.routing, item.pipeline],
      ["index", "wid", undefined, "r", "_none"],
    );
    assert.equal(
      withId(item, "smile", "jk1").toString("hex"),
      "3a290a00fa84696e646578fa855f696e6465784277696486726f7574696e6740728869665f7365715f6e6f2540000000" +
        "000000828e69665f7072696d6172795f7465726dc287706970656c696e65445f6e6f6e65865f736f75726365fa8769" +
        "6e636c75646573f84061f9876578636c756465734062fb825f6964426a6b31fbfb",
    );
  });

  it("withId writes the action again with _id, every value of the same type and value", () => {
    const version = long(9007199254740993n);
    const body = smileBody(
      S({ index: { _index: "sm", if_seq_no: version, if_primary_term: long(1n), _id: null, routing: "r" } }),
      S({ a: true }),
    );
    const [item] = parseBulk(body, "smile", {});
    assert.ok(item !== undefined && item.id === undefined);
    const reader = new SmileReader(withId(item, "smile", "abc"));
    const tree = reader.readTree(reader.next() as never) as Map<string, Map<string, SmileValue>>;
    assert.deepEqual(
      [...(tree.get("index") ?? [])],
      [
        ["_index", "sm"],
        ["if_seq_no", version],
        ["if_primary_term", long(1n)],
        ["_id", "abc"],
        ["routing", "r"],
      ],
    );
  });
});
