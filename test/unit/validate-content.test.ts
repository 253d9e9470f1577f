import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { compareDocs, parseMgetAnswer } from "../../src/validate/content-docs.ts";
import { DifferenceSink } from "../../src/validate/content-sink.ts";
import { DigestStore } from "../../src/validate/content-store.ts";
import { firstDifference } from "../../src/validate/index.ts";

describe("firstDifference", () => {
  const cases: readonly [string, string, string, ReturnType<typeof firstDifference>][] = [
    [
      "equal, other key order and whitespace",
      '{"a":1,"b":{"c":[1,2]}}',
      '{ "b": {"c":[1, 2]},\n  "a": 1 }',
      undefined,
    ],
    [
      "equal empty containers and literals",
      '{"o":{},"a":[],"n":null,"t":true}',
      '{"t":true,"n":null,"a":[],"o":{}}',
      undefined,
    ],
    [
      "rounded long",
      '{"big":9007199254740993}',
      '{"big":9007199254740992}',
      { path: "big", source: "9007199254740993", target: "9007199254740992" },
    ],
    ["1.0 vs 1", '{"f":1.0}', '{"f":1}', { path: "f", source: "1.0", target: "1" }],
    ["1e3 vs 1000.0", '{"e":1e3}', '{"e":1000.0}', { path: "e", source: "1e3", target: "1000.0" }],
    ["-0 vs 0", '{"z":-0}', '{"z":0}', { path: "z", source: "-0", target: "0" }],
    [
      "escape vs raw character",
      '{"s":"caf\\u00e9"}',
      '{"s":"café"}',
      { path: "s", source: '"caf\\u00e9"', target: '"café"' },
    ],
    ["number vs string", '{"n":1}', '{"n":"1"}', { path: "n", source: "1", target: '"1"' }],
    ["missing key on the target", '{"a":1,"gone":{"x":1}}', '{"a":1}', { path: "gone", source: '{"x":1}' }],
    ["extra key on the target", '{"a":1}', '{"a":1,"new":[1]}', { path: "new", target: "[1]" }],
    ["array shorter on the target", '{"l":[1,2,3]}', '{"l":[1,2]}', { path: "l[2]", source: "3" }],
    ["array longer on the target", '{"l":[]}', '{"l":[{"k":1}]}', { path: "l[0]", target: '{"k":1}' }],
    [
      "nested path naming",
      '{"a":{"b":[0,1,2,{"c":"x"}]}}',
      '{"a":{"b":[0,1,2,{"c":"y"}]}}',
      { path: "a.b[3].c", source: '"x"', target: '"y"' },
    ],
    [
      "dotted key quoted",
      '{"m":{"x.y":1}}',
      '{"m":{"x.y":2}}',
      { path: 'm["x.y"]', source: "1", target: "2" },
    ],
    ["object vs array", '{"a":{}}', '{"a":[]}', { path: "a", source: "{}", target: "[]" }],
    ["null vs false", '{"a":null}', '{"a":false}', { path: "a", source: "null", target: "false" }],
    ["first in source order", '{"b":1,"a":1}', '{"a":2,"b":2}', { path: "b", source: "1", target: "2" }],
  ];
  for (const [name, source, target, expected] of cases) {
    it(name, () => assert.deepEqual(firstDifference(source, target), expected));
  }

  it("truncates long values to about 200 characters, keeping surrogate pairs whole", () => {
    const long = "😀".repeat(300);
    const d = firstDifference(`{"s":"${long}"}`, '{"s":""}');
    assert.ok(d?.source !== undefined && d.source.length <= 200 && d.source.endsWith("…"));
    assert.ok(!/[\ud800-\udbff]…$/.test(d.source), "no lone high surrogate before the ellipsis");
  });
});

describe("_mget answers and pairwise comparison", () => {
  it("reads found, routing and the raw _source text in order", () => {
    const text =
      '{"docs":[{"_index":"i","_id":"a","_routing":"r","found":true,"_source":{"f":1.0, "big":9007199254740993}},' +
      '{"_index":"i","_id":"b","found":false},{"_index":"i","_id":"c","error":{"type":"x"}}]}';
    const { docs, errors } = parseMgetAnswer(text);
    assert.deepEqual(docs, [
      { found: true, routing: "r", source: '{"f":1.0, "big":9007199254740993}' },
      { found: false },
      { found: false },
    ]);
    assert.deepEqual(errors, ['{"type":"x"}']);
  });

  it("names missing, extra, routing and field differences; whitespace alone is equal", () => {
    const key = { id: "1", routing: "r" };
    const doc = (source: string, routing?: string) => ({
      found: true,
      source,
      ...(routing ? { routing } : {}),
    });
    const none = { found: false };
    assert.equal(compareDocs(key, none, none), undefined);
    assert.deepEqual(compareDocs(key, doc("{}", "r"), none), { id: "1", routing: "r", kind: "missing" });
    assert.deepEqual(compareDocs(key, none, doc("{}", "r")), { id: "1", routing: "r", kind: "extra" });
    assert.deepEqual(compareDocs(key, doc("{}", "r"), doc("{}", "q")), {
      id: "1",
      routing: "r",
      kind: "differs",
      path: "_routing",
      source: '"r"',
      target: '"q"',
    });
    assert.equal(compareDocs(key, doc('{"a":1,"b":2}', "r"), doc('{ "b":2, "a":1 }', "r")), undefined);
    assert.deepEqual(compareDocs({ id: "2" }, doc('{"a":1}'), doc('{"a":1.0}')), {
      id: "2",
      kind: "differs",
      path: "a",
      source: "1",
      target: "1.0",
    });
  });
});

describe("digest table", () => {
  it("pairs keys up in _id order, folds re-read slices and forgets dropped ones", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-content-"));
    try {
      const store = new DigestStore(join(dir, "t.sqlite"));
      const hit = (id: string, source: string, routing?: string) => ({
        _id: id,
        source,
        ...(routing ? { _routing: routing } : {}),
      });
      store.add("source", 0, [hit("b", "{}"), hit("a", '{"x":1}'), hit("c", "{}"), hit("d", "{}", "r1")]);
      store.add("source", 1, [hit("gone", "{}")]);
      store.dropSlice("source", 1);
      store.add("target", 0, [hit("a", '{"x":2}'), hit("b", "{}"), hit("e", "{}"), hit("d", "{}", "r2")]);
      store.add("target", 0, [hit("b", "{}")]); // a slice read twice
      assert.equal(store.count("source"), 4);
      assert.deepEqual(
        [...store.unmatched()],
        [
          { id: "a", source: true, target: true },
          { id: "c", source: true, target: false },
          { id: "d", routing: "r1", source: true, target: false },
          { id: "d", routing: "r2", source: false, target: true },
          { id: "e", source: false, target: true },
        ],
      );
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("agrees when both sides read the same documents in any order and slicing, not when contents swap", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-content-"));
    try {
      const agree = (target: { _id: string; source: string; _routing?: string }[][]) => {
        const store = new DigestStore(join(dir, `${Math.random()}.sqlite`));
        store.add("source", 0, [
          { _id: "a", source: '{"x":1}' },
          { _id: "b", source: '{"x":2}', _routing: "r" },
        ]);
        target.forEach((hits, slice) => {
          store.add("target", slice, hits);
        });
        const result = store.sidesAgree();
        store.close();
        return result;
      };
      assert.equal(
        agree([[{ _id: "b", source: '{"x":2}', _routing: "r" }], [{ _id: "a", source: '{"x":1}' }]]),
        true,
      );
      assert.equal(
        agree([
          [
            { _id: "a", source: '{"x":2}' },
            { _id: "b", source: '{"x":1}', _routing: "r" },
          ],
        ]),
        false,
      );
      assert.equal(
        agree([
          [
            { _id: "a", source: '{"x":1}' },
            { _id: "b", source: '{"x":2}' },
          ],
        ]),
        false,
      );
      assert.equal(agree([[{ _id: "a", source: '{"x":1}' }]]), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes pages larger than one multi-row insert", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-content-"));
    try {
      const store = new DigestStore(join(dir, "t.sqlite"));
      const hits = Array.from({ length: 123 }, (_, i) => ({ _id: `k${i}`, source: `{"i":${i}}` }));
      store.add("source", 0, hits);
      store.add("target", 0, hits.slice(1));
      assert.equal(store.count("source"), 123);
      assert.deepEqual([...store.unmatched()], [{ id: "k0", source: true, target: false }]);
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the differences file holds one line per difference with a fixed field order", () => {
    const dir = mkdtempSync(join(tmpdir(), "validate-content-"));
    try {
      const file = join(dir, "sub", "d.ndjson");
      const sink = new DifferenceSink(file, 1);
      sink.add({ id: "1", kind: "missing" });
      sink.add({ target: "2", source: "1", path: "a", kind: "differs", id: "2" });
      sink.close();
      assert.deepEqual(sink.byKind, { missing: 1, extra: 0, differs: 1 });
      assert.equal(sink.first.length, 1);
      assert.equal(
        readFileSync(file, "utf8"),
        '{"kind":"missing","id":"1"}\n{"kind":"differs","id":"2","path":"a","source":"1","target":"2"}\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
