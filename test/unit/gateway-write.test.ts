import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encode as encodeCbor } from "cborg";
import { stringify as stringifyYaml } from "yaml";
import { isBluegreenError } from "../../src/errors/index.ts";
import { routesTypes } from "../../src/gateway/api-kind.ts";
import {
  byQueryIndex,
  classify,
  decodeRecord,
  encodeRecord,
  newDocumentId,
  parseListen,
  prepareWrite,
  renamePath,
  typeSensitive,
} from "../../src/gateway/index.ts";
import type { CaptureRecord } from "../../src/gateway/records.ts";
import { encodeSmile, type SmileValue } from "../../src/gateway/smile.ts";

/** One test per row: [method, path, what classify makes of it]. */
function classifies(table: readonly [string, string, string][], typed: boolean): void {
  for (const [method, path, expected] of table) {
    test(`${method} ${path} → ${expected}`, () => {
      const c = classify(method, path, typed);
      assert.equal(c.kind === "doc" ? `doc:${c.op}:${c.id ?? "-"}` : c.kind, expected);
    });
  }
}

describe("classify", () => {
  const table: [string, string, string][] = [
    ["GET", "/idx/_doc/1", "read"],
    ["POST", "/idx/_search", "read"],
    ["POST", "/_msearch", "read"],
    ["POST", "/idx/_refresh", "read"],
    ["DELETE", "/_search/scroll", "read"],
    ["POST", "/_ingest/pipeline/p/_simulate", "read"],
    ["PUT", "/_cluster/settings", "read"],
    ["POST", "/idx/_doc", "doc:index:-"],
    ["PUT", "/idx/_doc/1", "doc:index:1"],
    ["POST", "/idx/_doc/a%2Fb", "doc:index:a/b"],
    ["DELETE", "/idx/_doc/1", "doc:delete:1"],
    ["PUT", "/idx/_create/1", "doc:create:1"],
    ["POST", "/idx/_update/1", "doc:update:1"],
    ["POST", "/_bulk", "bulk"],
    ["PUT", "/idx/_bulk", "bulk"],
    ["POST", "/idx/_delete_by_query", "request"],
    ["POST", "/idx/_update_by_query", "request"],
    ["PUT", "/idx", "request"],
    ["DELETE", "/idx", "request"],
    ["PUT", "/idx/_mapping", "request"],
    ["PUT", "/_index_template/t", "request"],
    ["DELETE", "/_component_template/t", "request"],
    ["PUT", "/_ingest/pipeline/p", "request"],
    ["POST", "/_aliases", "request"],
    ["POST", "/_reindex", "request"],
    ["PUT", "/idx/_block/write", "request"],
    ["POST", "/idx/_split/idx-split", "request"],
    ["PUT", "/idx/_clone/idx-clone", "request"],
    ["POST", "/idx/_shrink/idx-small", "request"],
    ["POST", "/logs-alias/_rollover", "request"],
    ["POST", "/logs-alias/_rollover/logs-000002", "request"],
    ["PUT", "/_data_stream/logs-app", "request"],
    ["POST", "/_reindex/nodeid:123/_rethrottle", "read"],
    ["POST", "/_update_by_query/nodeid:123/_rethrottle", "read"],
    ["POST", "/_delete_by_query/nodeid:123/_rethrottle", "read"],
    ["POST", "/idx/_forcemerge", "read"],
    ["POST", "/idx/_cache/clear", "read"],
    // A restore changes indices, from a repository the target must know too; a snapshot changes none.
    ["POST", "/_snapshot/repo/snap/_restore", "request"],
    ["PUT", "/_snapshot/repo", "request"],
    ["POST", "/_snapshot/repo", "request"],
    ["DELETE", "/_snapshot/repo", "request"],
    // Wildcards and lists would reach the target's own repositories too.
    ["DELETE", "/_snapshot/*", "read"],
    ["DELETE", "/_snapshot/a,b", "read"],
    ["DELETE", "/_snapshot/_all", "read"],
    ["DELETE", "/_snapshot/back*", "read"],
    ["DELETE", "/_snapshot/back%2A", "read"],
    ["PUT", "/_snapshot/repo/snap", "read"],
    ["DELETE", "/_snapshot/repo/snap", "read"],
    ["POST", "/_snapshot/repo/_verify", "read"],
    ["POST", "/_snapshot/repo/_cleanup", "read"],
    ["GET", "/_snapshot/repo/snap/_restore", "read"],
    // What OpenSearch 2.x makes of paths the typed API used: a document id, or no route at all.
    ["POST", "/idx/_doc/_bulk", "doc:index:_bulk"],
    ["POST", "/idx/_doc/_search", "doc:index:_search"],
    ["PUT", "/idx/mytype/1", "read"],
  ];
  classifies(table, false);
});

describe("classify, on a cluster that routes the typed API (Elasticsearch, OpenSearch 1.x)", () => {
  // Each row as Elasticsearch 7.10 and OpenSearch 1.3 answered it (a document id where they make one).
  const table: [string, string, string][] = [
    ["PUT", "/idx/mytype/1", "doc:index:1"],
    ["POST", "/idx/mytype/a%2Fb", "doc:index:a/b"],
    ["POST", "/idx/mytype", "doc:index:-"],
    ["POST", "/idx/_doc", "doc:index:-"],
    ["PUT", "/idx/_doc/1", "doc:index:1"],
    ["DELETE", "/idx/mytype/1", "doc:delete:1"],
    ["PUT", "/idx/mytype/1/_create", "doc:create:1"],
    ["POST", "/idx/_doc/1/_create", "doc:create:1"],
    ["POST", "/idx/mytype/1/_update", "doc:update:1"],
    ["POST", "/idx/_doc/1/_update", "doc:update:1"],
    ["POST", "/idx/mytype/_bulk", "bulk"],
    ["POST", "/idx/_doc/_bulk", "bulk"],
    ["POST", "/idx/mytype/_update_by_query", "request"],
    ["POST", "/idx/_doc/_delete_by_query", "request"],
    ["PUT", "/idx/mytype/_mapping", "request"],
    ["PUT", "/idx/_mapping/mytype", "request"],
    ["POST", "/idx/_doc/_refresh", "doc:index:_refresh"],
    ["PUT", "/idx/_doc/_settings", "doc:index:_settings"],
    ["POST", "/idx/mytype/_search", "read"],
    ["POST", "/idx/_doc/_search", "read"],
    ["POST", "/idx/_doc/_count", "read"],
    ["POST", "/idx/_doc/_search/template", "read"],
    ["POST", "/idx/_doc/_validate/query", "read"],
    ["POST", "/idx/mytype/1/_explain", "read"],
    ["POST", "/idx/mytype/1/_termvectors", "read"],
    ["PUT", "/idx/mytype", "read"],
    ["DELETE", "/idx/mytype/1/_update", "read"],
    ["POST", "/_bulk", "bulk"],
    ["PUT", "/idx/_create/1", "doc:create:1"],
  ];
  classifies(table, true);
});

describe("routesTypes: which clusters route the typed API", () => {
  const table: [string, number, boolean][] = [
    ["elasticsearch", 7, true],
    ["elasticsearch", 6, true],
    ["opensearch", 1, true],
    ["opensearch", 2, false],
    ["opensearch", 3, false],
  ];
  for (const [distribution, major, expected] of table) {
    test(`${distribution} ${major} → ${expected}`, () =>
      assert.equal(routesTypes(distribution, major), expected));
  }
});

describe("typeSensitive: paths whose meaning depends on the cluster's generation", () => {
  const table: [string, boolean][] = [
    ["/idx/mytype/1", true],
    ["/idx/mytype", true],
    ["/idx/_doc/_bulk", true],
    ["/idx/_doc/1/_update", true],
    ["/idx/_doc/1", false],
    ["/idx/_doc", false],
    ["/idx/_bulk", false],
    ["/idx/_update/1", false],
    ["/_bulk", false],
    ["/idx", false],
    ["/_index_template/t", false],
  ];
  for (const [path, expected] of table) {
    test(`${path} → ${expected}`, () => assert.equal(typeSensitive(path), expected));
  }
});

const base = { query: new URLSearchParams(), rid: "r.1", assignIds: true, contentType: "application/json" };

describe("newDocumentId: ids the source looks up cheaply, never twice the same", () => {
  const ids = Array.from({ length: 200_000 }, () => newDocumentId());
  test("20 URL-safe characters, the shape of OpenSearch's own ids", () => {
    for (const id of ids) assert.match(id, /^[-0-9A-Za-z_]{20}$/);
  });
  test("each one sorts after the one before, as text (how Lucene compares terms)", () => {
    const out = ids.findIndex(
      (id, n) => n > 0 && !(Buffer.compare(Buffer.from(ids[n - 1] ?? ""), Buffer.from(id)) < 0),
    );
    assert.equal(out, -1, `id ${out} does not sort after the one before it`);
  });
  test("no repeats (200,000 made within a few milliseconds each)", () => {
    assert.equal(new Set(ids).size, ids.length);
  });
  test("they start with the time: an id made a millisecond later sorts after", async () => {
    const before = newDocumentId();
    await new Promise((r) => setTimeout(r, 2));
    assert.ok(newDocumentId().slice(0, 8) > before.slice(0, 8));
  });
});

describe("prepareWrite", () => {
  test("a _rollover's outcome says where it rolled, or that it did not", () => {
    const w = prepareWrite(
      { kind: "request", index: "logs" },
      {
        ...base,
        method: "POST",
        pathname: "/logs/_rollover",
        body: Buffer.from('{"conditions":{"max_docs":2}}'),
      },
    );
    const answer = (text: string) => w.outcomes(200, Buffer.from(text))[0]?.rolledTo;
    assert.equal(
      answer('{"rolled_over":true,"new_index":"logs-000002","old_index":"logs-000001"}'),
      "logs-000002",
    );
    assert.equal(answer('{"rolled_over":false,"dry_run":true,"new_index":"logs-000002"}'), null);
    assert.equal(answer("not json"), undefined);
    // The answer comes in the format the client asked for, or sent its body in.
    const rolled = { rolled_over: true, new_index: "logs-000002", old_index: "logs-000001" };
    const inFormat = (bytes: Uint8Array) => w.outcomes(200, Buffer.from(bytes))[0]?.rolledTo;
    assert.equal(inFormat(Buffer.from(`---\n${stringifyYaml(rolled)}`)), "logs-000002");
    assert.equal(inFormat(encodeCbor(rolled)), "logs-000002");
    assert.equal(inFormat(encodeCbor({ ...rolled, rolled_over: false })), null);
    assert.equal(inFormat(encodeSmile(new Map(Object.entries(rolled)))), "logs-000002");
    assert.equal(w.outcomes(400, Buffer.from('{"rolled_over":false}'))[0]?.rolledTo, undefined);
    const settings = prepareWrite(
      { kind: "request", index: "logs" },
      { ...base, method: "PUT", pathname: "/logs/_settings", body: Buffer.from("{}") },
    );
    assert.equal(
      settings.outcomes(200, Buffer.from('{"rolled_over":true,"new_index":"x"}'))[0]?.rolledTo,
      undefined,
    );
  });

  test("POST /idx/<type> goes out as sent; the id comes from the answer, which is awaited", () => {
    const cls = classify("POST", "/idx/mytype", true);
    assert.ok(cls.kind === "doc");
    const w = prepareWrite(cls, {
      ...base,
      method: "POST",
      pathname: "/idx/mytype",
      body: Buffer.from('{"a":1}'),
    });
    assert.equal(w.method, "POST");
    assert.equal(w.path, "/idx/mytype");
    assert.equal(w.resolvable, false);
    const out = w.outcomes(
      201,
      Buffer.from('{"_index":"idx","_type":"mytype","_id":"srcid","result":"created"}'),
    );
    assert.equal(out[0]?.doc?.id, "srcid");
  });

  test("a _bulk with _type in its action lines is split, and an assigned id keeps the _type", () => {
    const body = Buffer.from(
      '{"index":{"_index":"idx","_type":"_doc"}}\n{"a":1}\n{"delete":{"_index":"idx","_type":"_doc","_id":"2"}}\n',
    );
    const w = prepareWrite(
      classify("POST", "/_bulk") as Exclude<ReturnType<typeof classify>, { kind: "read" }>,
      {
        ...base,
        method: "POST",
        pathname: "/_bulk",
        body,
      },
    );
    assert.equal(w.intents.length, 2);
    const first = w.intents[0];
    assert.ok(first?.t === "op" && first.op === "index" && first.id !== undefined);
    assert.equal(w.intents[1]?.t === "op" && w.intents[1].op, "delete");
    assert.equal(
      w.body?.toString().split("\n")[0],
      `{"index":{"_id":"${first.id}","_index":"idx","_type":"_doc"}}`,
    );
  });

  test("POST /idx/_doc gets an id and becomes PUT …?op_type=create", () => {
    const w = prepareWrite(
      { kind: "doc", op: "index", index: "idx", id: undefined },
      { ...base, method: "POST", pathname: "/idx/_doc", body: Buffer.from('{"a":1}') },
    );
    const intent = w.intents[0];
    assert.equal(w.method, "PUT");
    assert.ok(intent?.t === "op" && intent.id !== undefined && intent.id.length === 20);
    assert.equal(w.path, `/idx/_doc/${intent.id}?op_type=create`);
    assert.deepEqual(intent.doc, { bytes: Buffer.from('{"a":1}'), contentType: "application/json" });
  });

  test("documents are logged and forwarded as the client's bytes, in the client's format", () => {
    const awkward = '{"big":9007199254740993,"f":1.0,"e":1e3,"z":-0,"u":"\\u00e9","n":{ "2":1, "1":2 }}';
    for (const [contentType, bytes] of [
      ["application/json", Buffer.from(awkward)],
      ["application/yaml", Buffer.from("---\nbig: 9007199254740993\n")],
      ["application/cbor", Buffer.from([0xa1, 0x61, 0x61, 0x1b, 0, 0x20, 0, 0, 0, 0, 0, 1])],
    ] as const) {
      const w = prepareWrite(
        { kind: "doc", op: "index", index: "idx", id: "1" },
        { ...base, contentType, method: "PUT", pathname: "/idx/_doc/1", body: bytes },
      );
      const intent = w.intents[0];
      assert.ok(intent?.t === "op");
      assert.equal(intent.doc?.contentType, contentType);
      assert.ok(intent.doc?.bytes.equals(bytes), contentType);
      assert.ok(w.body?.equals(bytes));
      const decoded = decodeRecord(encodeRecord({ ...intent, side: "source" }, 1).value);
      assert.ok(decoded?.t === "op" && decoded.doc?.bytes.equals(bytes), `${contentType} through the log`);
    }
  });

  test("which writes replay can settle without their outcome (so the answer need not wait for it)", () => {
    const ndjson = "application/x-ndjson";
    const rows: [string, Parameters<typeof prepareWrite>[0], string, string, string, boolean, boolean][] = [
      // [name, class, method, path, body, assignIds, resolvable]
      [
        "index by id",
        { kind: "doc", op: "index", index: "i", id: "1" },
        "PUT",
        "/i/_doc/1",
        "{}",
        false,
        true,
      ],
      [
        "delete by id",
        { kind: "doc", op: "delete", index: "i", id: "1" },
        "DELETE",
        "/i/_doc/1",
        "",
        false,
        true,
      ],
      [
        "POST _doc, ids assigned",
        { kind: "doc", op: "index", index: "i", id: undefined },
        "POST",
        "/i/_doc",
        "{}",
        true,
        true,
      ],
      [
        "POST _doc, assignIds off",
        { kind: "doc", op: "index", index: "i", id: undefined },
        "POST",
        "/i/_doc",
        "{}",
        false,
        false,
      ],
      [
        "_bulk, every id known",
        { kind: "bulk", index: "i" },
        "POST",
        "/i/_bulk",
        '{"index":{}}\n{}\n{"delete":{"_id":"2"}}\n',
        true,
        true,
      ],
      [
        "_bulk, an id left to the source",
        { kind: "bulk", index: "i" },
        "POST",
        "/i/_bulk",
        '{"index":{}}\n{}\n',
        false,
        false,
      ],
      [
        "_bulk logged whole (no final newline)",
        { kind: "bulk", index: "i" },
        "POST",
        "/i/_bulk",
        '{"index":{"_id":"1"}}\n{}',
        true,
        false,
      ],
      ["_delete_by_query", { kind: "request", index: "i" }, "POST", "/i/_delete_by_query", "{}", true, false],
      ["index create", { kind: "request", index: "i" }, "PUT", "/i", "", true, false],
    ];
    for (const [name, cls, method, pathname, text, assignIds, resolvable] of rows) {
      const w = prepareWrite(cls, {
        ...base,
        contentType: cls.kind === "bulk" ? ndjson : "application/json",
        assignIds,
        method,
        pathname,
        body: Buffer.from(text),
      });
      assert.equal(w.resolvable, resolvable, name);
    }
  });

  test("_bulk: document lines travel as bytes; an unchanged body is forwarded as it came", () => {
    const body = Buffer.from(
      '{"index":{"_index":"a","_id":"1","version":9007199254740993,"version_type":"external"}}\n{"big":9007199254740993, "f":1.0}\n',
    );
    const w = prepareWrite(
      { kind: "bulk", index: undefined },
      { ...base, method: "POST", pathname: "/_bulk", body },
    );
    assert.equal(w.body, body);
    const intent = w.intents[0];
    assert.ok(intent?.t === "op");
    assert.equal(intent.doc?.bytes.toString(), '{"big":9007199254740993, "f":1.0}');
  });

  test("a _bulk the gateway cannot split is logged whole and forwarded for the source to judge", () => {
    for (const [contentType, text] of [
      ["application/json", '{"index":{"_index":"a"}}\n{"x":1}'],
      ["application/yaml", "---\nindex: {}\n"],
      ["text/plain", '{"index":{"_index":"a"}}\n{"x":1}\n'],
    ] as const) {
      const body = Buffer.from(text);
      const w = prepareWrite(
        { kind: "bulk", index: "a" },
        { ...base, contentType, method: "POST", pathname: "/a/_bulk", body },
      );
      assert.equal(w.body, body);
      const intent = w.intents[0];
      assert.ok(intent?.t === "req" && intent.body?.bytes.equals(body), contentType);
    }
  });

  test("_bulk: id-less index/create actions get ids; others keep theirs; rename rewrites _index", () => {
    const body = [
      '{"index":{"_index":"a"}}',
      '{"x":1}',
      '{"create":{"_index":"a","_id":"keep"}}',
      '{"x":2}',
      '{"delete":{"_index":"b","_id":"gone"}}',
      '{"update":{"_id":"u"}}',
      '{"doc":{"y":1}}',
      "",
    ].join("\n");
    const w = prepareWrite(
      { kind: "bulk", index: "c" },
      { ...base, method: "POST", pathname: "/c/_bulk", body: Buffer.from(body) },
    );
    const ids = w.intents.map((i) =>
      i.t === "op" ? `${i.op}:${i.index}:${i.id?.length === 20 ? "new" : i.id}` : "",
    );
    assert.deepEqual(ids, ["index:a:new", "create:a:keep", "delete:b:gone", "update:c:u"]);
    const sent = (w.body as Buffer).toString().split("\n");
    // The id is spliced into the client's own line; every other byte stays.
    assert.match(sent[0] as string, /^\{"index":\{"_id":"[\w-]{20}","_index":"a"\}\}$/);
    assert.equal(sent[2], '{"create":{"_index":"a","_id":"keep"}}');
    const renamed = w.renamed({ a: "a2", c: "c2" });
    assert.equal(renamed.path, "/c2/_bulk");
    assert.match((renamed.body as Buffer).toString(), /"_index":"a2"/);
    const outcomes = w.outcomes(
      200,
      Buffer.from(
        JSON.stringify({
          items: [
            { index: { status: 201 } },
            { create: { status: 409 } },
            { delete: { status: 404 } },
            { update: { status: 200 } },
          ],
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      [201, 409, 404, 200],
    );
  });

  test("a document write's outcome carries where the source applied it, in any answer format", () => {
    const w = prepareWrite(
      { kind: "doc", op: "index", index: "logs", id: "1" },
      { ...base, method: "PUT", pathname: "/logs/_doc/1", body: Buffer.from("{}") },
    );
    const applied = (status: number, bytes: Uint8Array) => w.outcomes(status, Buffer.from(bytes))[0]?.applied;
    const answer = { _index: "logs", _id: "1", result: "updated", _seq_no: 41, _primary_term: 3 };
    const table: [string, number, Uint8Array, unknown][] = [
      ["JSON", 200, Buffer.from(JSON.stringify(answer)), { seq: 41, term: 3 }],
      ["YAML", 200, Buffer.from(`---\n${stringifyYaml(answer)}`), { seq: 41, term: 3 }],
      ["CBOR", 200, encodeCbor(answer), { seq: 41, term: 3 }],
      [
        "SMILE",
        200,
        encodeSmile(
          new Map<string, SmileValue>([
            ["_index", "logs"],
            ["_seq_no", { kind: "int", value: 41n }],
            ["_primary_term", { kind: "int", value: 3n }],
          ]),
        ),
        { seq: 41, term: 3 },
      ],
      // Through an alias: the index that took it, where its sequence numbers count.
      [
        "an alias",
        201,
        Buffer.from(JSON.stringify({ ...answer, _index: "logs-000002" })),
        { seq: 41, term: 3, index: "logs-000002" },
      ],
      ["a refused write", 409, Buffer.from(JSON.stringify({ ...answer, status: 409 })), undefined],
      ["no sequence number", 200, Buffer.from('{"_index":"logs","_id":"1"}'), undefined],
      ["not an answer", 200, Buffer.from("<html>"), undefined],
    ];
    for (const [name, status, bytes, want] of table) assert.deepEqual(applied(status, bytes), want, name);
  });

  test("_bulk items an answer leaves without a status (filter_path) are unknown: replay copies them at once", () => {
    const w = prepareWrite(
      { kind: "bulk", index: undefined },
      {
        ...base,
        method: "POST",
        pathname: "/_bulk",
        contentType: "application/x-ndjson",
        body: Buffer.from('{"index":{"_index":"a","_id":"1"}}\n{}\n{"delete":{"_index":"a","_id":"2"}}\n'),
      },
    );
    const filtered = w.outcomes(200, Buffer.from('{"items":[{"index":{"_id":"1"}},{"delete":{"_id":"2"}}]}'));
    assert.deepEqual(
      filtered.map((o) => [o.status, o.unknown, o.doc?.id]),
      [
        [200, true, "1"],
        [200, true, "2"],
      ],
    );
  });

  test("assignIds off: the id comes back from the source's answer into the outcome", () => {
    const w = prepareWrite(
      { kind: "doc", op: "index", index: "idx", id: undefined },
      { ...base, assignIds: false, method: "POST", pathname: "/idx/_doc", body: Buffer.from("{}") },
    );
    assert.equal(w.path, "/idx/_doc");
    assert.equal(w.outcomes(201, Buffer.from('{"_id":"srv"}'))[0]?.doc?.id, "srv");
  });
});

test("records round-trip and are keyed per document", () => {
  const record = {
    t: "op",
    rid: "r",
    n: 0,
    op: "index",
    index: "i",
    id: "7",
    side: "source",
    doc: { bytes: Buffer.from('{"a":9007199254740993}\n'), contentType: "application/json" },
  } as const;
  const encoded = encodeRecord(record, 5);
  assert.equal(encoded.key, "i/7");
  assert.deepEqual(decodeRecord(encoded.value), record);
  const request = {
    t: "req",
    rid: "q",
    index: "i",
    method: "PUT",
    path: "/i/_mapping",
    side: "source",
  } as const;
  assert.deepEqual(decodeRecord(encodeRecord(request, 5).value), request);
  // Version 1 logs (documents embedded as JSON) are still read.
  const v1 = decodeRecord(
    Buffer.from(
      '{"v":1,"t":"op","rid":"r","n":0,"op":"index","index":"i","id":"7","side":"source","doc":{"a":1}}',
    ),
  );
  assert.ok(v1?.t === "op" && v1.doc?.bytes.toString() === '{"a":1}');
  assert.equal(decodeRecord(Buffer.from('{"v":99,"t":"op"}')), undefined);
  assert.equal(decodeRecord(Buffer.from("not json")), undefined);
});

describe("encodeRecord: the written headers read back as the records they were", () => {
  const doc = { bytes: Buffer.from('{"a":1}'), contentType: "application/x-ndjson" };
  const odd = 'q"uote\\ \u2028 é \n\u0000';
  const table: [string, CaptureRecord][] = [
    ["op, fewest members", { t: "op", rid: "r.1", n: 0, op: "delete", index: "i", id: "1", side: "source" }],
    [
      "op, every member",
      {
        t: "op",
        rid: "r.1",
        n: 7,
        op: "create",
        index: "i",
        id: "x",
        routing: "r",
        pipeline: "p",
        side: "target",
        doc,
      },
    ],
    [
      "op without an id",
      { t: "op", rid: "r", n: 0, op: "index", index: "i", id: undefined, side: "source", doc },
    ],
    [
      "op, strings that need escaping",
      {
        t: "op",
        rid: odd,
        n: 1,
        op: "index",
        index: odd,
        id: odd,
        routing: odd,
        pipeline: odd,
        side: "source",
        doc,
      },
    ],
    ["out", { t: "out", rid: "r", n: 3, status: 201, doc: { index: "i", id: "1" }, side: "source" }],
    [
      "out, where the source applied it (through an alias)",
      {
        t: "out",
        rid: "r",
        n: 0,
        status: 201,
        doc: { index: "logs", id: "1" },
        side: "source",
        applied: { seq: 12, term: 2, index: "logs-000002" },
      },
    ],
    [
      "out, unknown, routed",
      {
        t: "out",
        rid: "r",
        n: 0,
        status: 200,
        unknown: true,
        doc: { index: odd, id: odd, routing: odd },
        side: "target",
      },
    ],
    [
      "out without a side (older gateways)",
      { t: "out", rid: "r", n: 0, status: 0, doc: { index: "i", id: undefined } },
    ],
    [
      "out of a request",
      {
        t: "out",
        rid: "r",
        n: 0,
        status: 200,
        req: { index: "i", method: "POST", path: "/i/_refresh" },
        side: "source",
      },
    ],
    [
      "out of a rollover",
      {
        t: "out",
        rid: "r",
        n: 0,
        status: 200,
        rolledTo: null,
        req: { index: "a", method: "POST", path: "/a/_rollover" },
        side: "source",
      },
    ],
  ];
  const defined = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (_k, v) => (Buffer.isBuffer(v) ? v.toString() : v)));
  for (const [name, record] of table) {
    test(name, () => {
      const value = encodeRecord(record, 1).value;
      const head = value
        .subarray(0, value.indexOf(0x0a) === -1 ? value.length : value.indexOf(0x0a))
        .toString();
      assert.equal(JSON.parse(head).v, 2);
      assert.deepEqual(defined(decodeRecord(value)), defined(record));
    });
  }
});

test("renamePath and byQueryIndex", () => {
  assert.equal(
    renamePath("/a,b/_delete_by_query?refresh=true", { a: "x" }),
    "/x,b/_delete_by_query?refresh=true",
  );
  assert.equal(renamePath("/_aliases", { _aliases: "x" }), "/_aliases");
  assert.equal(byQueryIndex("/a/_update_by_query?conflicts=proceed"), "a");
  assert.equal(byQueryIndex("/a/_doc/1"), undefined);
});

test("parseListen", () => {
  assert.deepEqual(parseListen("0.0.0.0:9400"), { host: "0.0.0.0", port: 9400 });
  assert.deepEqual(parseListen("[::1]:9400"), { host: "::1", port: 9400 });
  assert.deepEqual(parseListen(":0"), { host: "127.0.0.1", port: 0 });
  for (const bad of ["9400", "host:", "h:99999"]) {
    assert.throws(
      () => parseListen(bad),
      (e) => isBluegreenError(e, "BG_USAGE") && /is not a listen address/.test(e.message),
    );
  }
});
