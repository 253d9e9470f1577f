import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encode as encodeCbor } from "cborg";
import { stringify } from "yaml";
import { bulkAnswerItems } from "../../src/gateway/bulk-answer.ts";
import { encodeSmile, type SmileValue } from "../../src/gateway/smile.ts";
import { appliedRollover, portableRequest } from "../../src/replay/portable.ts";
import { typelessPath } from "../../src/replay/typeless.ts";

const json = (text: string) => ({ bytes: Buffer.from(text), contentType: "application/json" });

describe("portableRequest: allocation filters that name source nodes, and soft deletes off, stay behind", () => {
  const table: {
    name: string;
    path: string;
    body: string;
    sent: string | "unchanged";
    dropped: string[];
    empty?: boolean;
  }[] = [
    {
      name: "create index, flat key",
      path: "/i",
      body: '{"settings":{"index.routing.allocation.include._name":"node-1","number_of_shards":1}}',
      sent: '{"settings":{"number_of_shards":1}}',
      dropped: ["settings.index.routing.allocation.include._name"],
    },
    {
      name: "settings update, nested keys without the index prefix, only filters",
      path: "/i/_settings",
      body: '{"routing":{"allocation":{"require":{"_id":"x"},"exclude":{"_ip":"10.0.0.1"}}}}',
      sent: "{}",
      dropped: ["routing.allocation.require._id", "routing.allocation.exclude._ip"],
      empty: true,
    },
    {
      name: "custom node attributes mean the same on both clusters",
      path: "/i/_settings",
      body: '{"index.routing.allocation.require.box_type":"hot"}',
      sent: "unchanged",
      dropped: [],
    },
    {
      name: "shrink with the filter in its settings; other values keep their literal text",
      path: "/i/_shrink/j",
      body: '{"settings":{"index.routing.allocation.initial_recovery._id":"n","index.number_of_shards":1.0}}',
      sent: '{"settings":{"index.number_of_shards":1.0}}',
      dropped: ["settings.index.routing.allocation.initial_recovery._id"],
    },
    {
      name: "a mapping field with a look-alike name is not a setting",
      path: "/i",
      body: '{"mappings":{"properties":{"routing.allocation.include._name":{"type":"keyword"}}}}',
      sent: "unchanged",
      dropped: [],
    },
    {
      name: "soft deletes off, nested (OpenSearch 2.0 and later refuse the index)",
      path: "/i",
      body: '{"settings":{"index":{"soft_deletes":{"enabled":false},"number_of_shards":1}}}',
      sent: '{"settings":{"index":{"number_of_shards":1}}}',
      dropped: ["settings.index.soft_deletes.enabled"],
    },
    {
      name: "soft deletes off, a flat key with a string value, the only setting",
      path: "/i",
      body: '{"settings":{"index.soft_deletes.enabled":"false"},"mappings":{}}',
      sent: '{"mappings":{}}',
      dropped: ["settings.index.soft_deletes.enabled"],
    },
    {
      name: "soft deletes off in a legacy template's settings",
      path: "/_template/t",
      body: '{"index_patterns":["x*"],"settings":{"soft_deletes.enabled":false}}',
      sent: '{"index_patterns":["x*"]}',
      dropped: ["settings.soft_deletes.enabled"],
    },
    {
      name: "soft deletes on, and their retention, stay",
      path: "/i",
      body: '{"settings":{"index.soft_deletes.enabled":true,"index.soft_deletes.retention_lease.period":"1h"}}',
      sent: "unchanged",
      dropped: [],
    },
    {
      name: "a settings update that keeps other settings is not empty",
      path: "/i/_settings",
      body: '{"index":{"number_of_replicas":0,"routing.allocation.include._host":"h"}}',
      sent: '{"index":{"number_of_replicas":0}}',
      dropped: ["index.routing.allocation.include._host"],
    },
  ];
  for (const row of table) {
    test(row.name, () => {
      const got = portableRequest(row.path, json(row.body));
      assert.equal(got.body?.bytes.toString(), row.sent === "unchanged" ? row.body : row.sent);
      assert.deepEqual(got.dropped, row.dropped);
      assert.equal(got.empty, row.empty ?? false);
    });
  }

  // The same index creation in every format OpenSearch takes: the filter goes, the body goes as JSON, and
  // a long a double cannot hold keeps its digits.
  const long = 9007199254740993n;
  const expected =
    '{"settings":{"index":{"number_of_shards":1}},"mappings":{"properties":{"n":{"type":"long","null_value":9007199254740993},"r":{"type":"double","null_value":0.25}}}}';
  const smileLong = (value: bigint): SmileValue => ({ kind: "long", value });
  const formats: readonly { name: string; contentType: string; bytes: Buffer }[] = [
    {
      name: "YAML",
      contentType: "application/yaml",
      bytes: Buffer.from(
        "settings:\n  index:\n    number_of_shards: 1\n    routing.allocation.include._id: abc\nmappings:\n  properties:\n    n: { type: long, null_value: 9007199254740993 }\n    r: { type: double, null_value: 0.25 }\n",
      ),
    },
    {
      name: "CBOR",
      contentType: "application/cbor",
      bytes: Buffer.from(
        encodeCbor(
          {
            settings: { index: { number_of_shards: 1, "routing.allocation.include._id": "abc" } },
            mappings: {
              properties: { n: { type: "long", null_value: long }, r: { type: "double", null_value: 0.25 } },
            },
          },
          // in the order written, as Jackson writes it (cborg sorts keys by default)
          { mapSorter: () => 0 },
        ),
      ),
    },
    {
      name: "SMILE",
      contentType: "application/smile",
      bytes: encodeSmile(
        new Map<string, SmileValue>([
          [
            "settings",
            new Map([
              [
                "index",
                new Map<string, SmileValue>([
                  ["number_of_shards", { kind: "int", value: 1n }],
                  ["routing.allocation.include._id", "abc"],
                ]),
              ],
            ]),
          ],
          [
            "mappings",
            new Map([
              [
                "properties",
                new Map([
                  [
                    "n",
                    new Map<string, SmileValue>([
                      ["type", "long"],
                      ["null_value", smileLong(long)],
                    ]),
                  ],
                  [
                    "r",
                    new Map<string, SmileValue>([
                      ["type", "double"],
                      ["null_value", { kind: "double", value: 0.25 }],
                    ]),
                  ],
                ]),
              ],
            ]),
          ],
        ]),
      ),
    },
  ];
  for (const format of formats) {
    test(`a ${format.name} body: the filter goes, the rest goes as JSON`, () => {
      const got = portableRequest("/i", { bytes: format.bytes, contentType: format.contentType });
      assert.equal(got.body?.bytes.toString(), expected);
      assert.equal(got.body?.contentType, "application/json");
      assert.deepEqual(got.dropped, ["settings.index.routing.allocation.include._id"]);
    });
  }

  const unchanged: readonly { name: string; body: { bytes: Buffer; contentType: string } }[] = [
    {
      name: "a YAML body whose filters name no node",
      body: {
        bytes: Buffer.from("index.routing.allocation.require.box_type: hot\n"),
        contentType: "application/yaml",
      },
    },
    {
      name: "a YAML body that cannot be read",
      body: { bytes: Buffer.from("index.routing.allocation: [\n"), contentType: "application/yaml" },
    },
    {
      name: "a body in a format OpenSearch does not take",
      body: { bytes: Buffer.from("index.routing.allocation.include._name=n"), contentType: "text/plain" },
    },
  ];
  for (const row of unchanged)
    test(`${row.name} is sent as it is`, () => {
      const got = portableRequest("/i/_settings", row.body);
      assert.equal(got.body, row.body);
      assert.deepEqual(got.dropped, []);
    });
});

describe("bulkAnswerItems reads a _bulk answer in the format the client asked for", () => {
  const items = [
    { index: { _index: "i", _id: "1", _seq_no: 7, _primary_term: 1, status: 201 } },
    { delete: { _index: "i", _id: "2", _seq_no: 8, _primary_term: 1, status: 404 } },
    { create: { _index: "i", _id: "3", status: 409, error: { type: "version_conflict_engine_exception" } } },
    // Written through an alias: sequence numbers count in the index that took it.
    { index: { _index: "logs-000002", _id: "4", _seq_no: 3, _primary_term: 2, status: 201 } },
    // Not exact as a double's integer: no order rather than a wrong one.
    { index: { _index: "i", _id: "5", _seq_no: 2 ** 60, _primary_term: 1, status: 201 } },
  ];
  const named = ["i", "i", "i", "logs", "i"];
  const expected = [
    { status: 201, id: "1", applied: { seq: 7, term: 1 } },
    { status: 404, id: "2", applied: { seq: 8, term: 1 } },
    { status: 409, id: "3", applied: undefined },
    { status: 201, id: "4", applied: { seq: 3, term: 2, index: "logs-000002" } },
    { status: 201, id: "5", applied: undefined },
  ];
  const toSmile = (value: unknown): SmileValue => {
    if (Array.isArray(value)) return value.map(toSmile);
    if (typeof value === "number")
      return { kind: Math.abs(value) < 2 ** 31 ? "int" : "long", value: BigInt(value) };
    if (value !== null && typeof value === "object")
      return new Map(Object.entries(value).map(([k, v]) => [k, toSmile(v)]));
    return value as SmileValue;
  };
  const answer = { took: 3, errors: true, items };
  test("JSON", () => assert.deepEqual(bulkAnswerItems(Buffer.from(JSON.stringify(answer)), named), expected));
  test("YAML", () =>
    assert.deepEqual(bulkAnswerItems(Buffer.from(`---\n${stringify(answer)}`), named), expected));
  test("SMILE", () => assert.deepEqual(bulkAnswerItems(encodeSmile(toSmile(answer)), named), expected));
  test("CBOR", () => assert.deepEqual(bulkAnswerItems(Buffer.from(encodeCbor(answer)), named), expected));
  test("CBOR with indefinite lengths, as Jackson writes it", () => {
    const text = (t: string) => [0x60 + t.length, ...Buffer.from(t)];
    // {"items":[{"index":{"_id":"1","status":201}}]}, every map and array open-ended.
    const bytes = Buffer.from([
      0xbf,
      ...text("items"),
      0x9f,
      0xbf,
      ...text("index"),
      0xbf,
      ...text("_id"),
      ...text("1"),
      ...text("status"),
      0x18,
      201,
      0xff,
      0xff,
      0xff,
      0xff,
    ]);
    assert.deepEqual(bulkAnswerItems(bytes, ["i"]), [{ status: 201, id: "1", applied: undefined }]);
  });
  test("a CBOR answer cut short: undefined, so replay copies from the source", () =>
    assert.equal(bulkAnswerItems(Buffer.from([0xbf, 0x64, 0x74, 0x6f, 0x6f, 0x6b]), []), undefined));
  test("a broken answer: undefined", () =>
    assert.equal(bulkAnswerItems(Buffer.from('{"items":['), []), undefined));
});

describe("typelessPath: a typed index-level path as OpenSearch 2.0 and later route it", () => {
  const table: [string, string][] = [
    ["/i/mytype/_update_by_query?conflicts=proceed", "/i/_update_by_query?conflicts=proceed"],
    ["/i/mytype/_delete_by_query", "/i/_delete_by_query"],
    ["/i/mytype/_mapping", "/i/_mapping"],
    ["/i/_mapping/mytype?timeout=5s", "/i/_mapping?timeout=5s"],
    ["/i/_mappings/mytype", "/i/_mappings"],
    ["/a,b/t/_delete_by_query", "/a,b/_delete_by_query"],
    // Untyped, or not a typed endpoint: as logged.
    ["/i/_update_by_query", "/i/_update_by_query"],
    ["/i/_mapping", "/i/_mapping"],
    ["/i/_doc/_update_by_query", "/i/_doc/_update_by_query"],
    ["/i/_settings", "/i/_settings"],
    ["/_index_template/t", "/_index_template/t"],
    ["/i/mytype/_search", "/i/mytype/_search"],
  ];
  for (const [logged, sent] of table) {
    test(`${logged} → ${sent}`, () => {
      const pathname = logged.split("?")[0] as string;
      assert.equal(typelessPath(pathname), sent.split("?")[0]);
      assert.equal(portableRequest(logged, undefined).path, sent);
    });
  }
});

describe("portableRequest: include_type_name, as OpenSearch 2.0 and later take the request", () => {
  const typed = '{"mytype":{"properties":{"n":{"type":"long"}}}}';
  const table: { name: string; path: string; body: string; sent: string; body2: string | "unchanged" }[] = [
    {
      name: "index creation: the parameter goes, mappings.<type> is unwrapped, a long stays exact",
      path: "/i?include_type_name=true&wait_for_active_shards=1",
      body: `{"settings":{"number_of_shards":1},"mappings":${typed},"aliases":{"a":{"filter":{"term":{"n":9007199254740993}}}}}`,
      sent: "/i?wait_for_active_shards=1",
      body2:
        '{"settings":{"number_of_shards":1},"mappings":{"properties":{"n":{"type":"long"}}},"aliases":{"a":{"filter":{"term":{"n":9007199254740993}}}}}',
    },
    {
      name: "a bare ?include_type_name reads as true",
      path: "/i?include_type_name",
      body: `{"mappings":${typed}}`,
      sent: "/i",
      body2: '{"mappings":{"properties":{"n":{"type":"long"}}}}',
    },
    {
      name: "legacy template",
      path: "/_template/t?include_type_name=true",
      body: `{"index_patterns":["i-*"],"mappings":${typed}}`,
      sent: "/_template/t",
      body2: '{"index_patterns":["i-*"],"mappings":{"properties":{"n":{"type":"long"}}}}',
    },
    {
      name: "mapping update on a typed path: the path and the body both lose the type",
      path: "/i/mytype/_mapping?include_type_name=true",
      body: typed,
      sent: "/i/_mapping",
      body2: '{"properties":{"n":{"type":"long"}}}',
    },
    {
      name: "mapping update whose body is not wrapped",
      path: "/i/_mapping/mytype?include_type_name=true",
      body: '{"properties":{"n":{"type":"long"}}}',
      sent: "/i/_mapping",
      body2: "unchanged",
    },
    {
      name: "a mapping whose single root key is a mapping parameter is not a type",
      path: "/i?include_type_name=true",
      body: '{"mappings":{"dynamic":"strict"}}',
      sent: "/i",
      body2: "unchanged",
    },
    {
      name: "include_type_name=false: only the parameter goes",
      path: "/i?include_type_name=false",
      body: '{"mappings":{"properties":{}}}',
      sent: "/i",
      body2: "unchanged",
    },
  ];
  for (const row of table) {
    test(row.name, () => {
      const got = portableRequest(row.path, json(row.body));
      assert.equal(got.path, row.sent);
      assert.equal(got.body?.bytes.toString(), row.body2 === "unchanged" ? row.body : row.body2);
      assert.deepEqual(got.dropped, []);
    });
  }
});

describe("appliedRollover: a rollover as the source applied it", () => {
  const table: { name: string; path: string; body?: string; to: string; sent: string; body2?: string }[] = [
    {
      name: "conditions go; the rest of the body stays, a long exact",
      path: "/logs/_rollover",
      body: '{"conditions":{"max_docs":2},"settings":{"index.number_of_shards":1},"aliases":{"a":{"filter":{"term":{"n":9007199254740993}}}}}',
      to: "logs-000002",
      sent: "/logs/_rollover/logs-000002",
      body2:
        '{"settings":{"index.number_of_shards":1},"aliases":{"a":{"filter":{"term":{"n":9007199254740993}}}}}',
    },
    {
      name: "a named new index, other parameters kept",
      path: "/logs/_rollover/next?wait_for_active_shards=1",
      body: '{"conditions":{"max_age":"1d"}}',
      to: "next",
      sent: "/logs/_rollover/next?wait_for_active_shards=1",
      body2: "{}",
    },
    { name: "no body", path: "/logs/_rollover", to: "logs-000002", sent: "/logs/_rollover/logs-000002" },
  ];
  for (const row of table) {
    test(row.name, () => {
      const got = appliedRollover(row.path, row.body === undefined ? undefined : json(row.body), row.to);
      assert.equal(got.path, row.sent);
      assert.equal(got.body?.bytes.toString(), row.body2);
    });
  }
});

describe("portableRequest: a snapshot repository is registered read-only and unverified on the target", () => {
  const table: {
    name: string;
    path: string;
    body: string;
    contentType?: string;
    sent: string;
    sentPath: string;
  }[] = [
    {
      name: "fs repository",
      path: "/_snapshot/backups",
      body: '{"type":"fs","settings":{"location":"/mnt/backups","compress":true}}',
      sent: '{"type":"fs","settings":{"location":"/mnt/backups","compress":true,"readonly":true}}',
      sentPath: "/_snapshot/backups?verify=false",
    },
    {
      name: "already read-only, verify asked for",
      path: "/_snapshot/backups?verify=true&cluster_manager_timeout=10s",
      body: '{"type":"fs","settings":{"location":"b","readonly":true}}',
      sent: '{"type":"fs","settings":{"location":"b","readonly":true}}',
      sentPath: "/_snapshot/backups?cluster_manager_timeout=10s&verify=false",
    },
    {
      name: "YAML, settings absent",
      path: "/_snapshot/s3",
      body: "---\ntype: s3\n",
      contentType: "application/yaml",
      sent: '{"type":"s3","settings":{"readonly":true}}',
      sentPath: "/_snapshot/s3?verify=false",
    },
  ];
  for (const row of table)
    test(row.name, () => {
      const got = portableRequest(row.path, {
        bytes: Buffer.from(row.body),
        contentType: row.contentType ?? "application/json",
      });
      assert.equal(got.path, row.sentPath);
      assert.equal(got.body?.bytes.toString(), row.sent);
    });
  test("unregistering goes as it is", () =>
    assert.equal(portableRequest("/_snapshot/backups", undefined).path, "/_snapshot/backups"));
});

describe("portableRequest: a background open, resize or restore is replayed in the foreground", () => {
  const table: [string, string][] = [
    ["/i/_open?wait_for_completion=false", "/i/_open"],
    ["/i/_shrink/small?wait_for_completion=false&master_timeout=10s", "/i/_shrink/small?master_timeout=10s"],
    ["/i/_split/big?wait_for_completion=false", "/i/_split/big"],
    // Only taken with wait_for_completion=false: the target refuses it in the foreground.
    [
      "/i/_split/big?wait_for_active_shards=1&wait_for_completion=false&task_execution_timeout=30s",
      "/i/_split/big?wait_for_active_shards=1",
    ],
    ["/i/_open?task_execution_timeout=1m&wait_for_completion=false", "/i/_open"],
    // A restore runs in the background unless asked otherwise.
    ["/_snapshot/r/s/_restore", "/_snapshot/r/s/_restore?wait_for_completion=true"],
    [
      "/_snapshot/r/s/_restore?wait_for_completion=false&cluster_manager_timeout=10s",
      "/_snapshot/r/s/_restore?cluster_manager_timeout=10s&wait_for_completion=true",
    ],
    ["/_snapshot/r/s/_restore?wait_for_completion=true", "/_snapshot/r/s/_restore?wait_for_completion=true"],
    ["/i/_clone/copy?wait_for_completion=false", "/i/_clone/copy"],
    ["/i/_clone/copy?wait_for_completion=true", "/i/_clone/copy?wait_for_completion=true"],
    // By-query stays as the client sent it: it may run for hours.
    ["/i/_update_by_query?wait_for_completion=false", "/i/_update_by_query?wait_for_completion=false"],
    ["/i/_open", "/i/_open"],
  ];
  for (const [logged, sent] of table) {
    test(`${logged} → ${sent}`, () => assert.equal(portableRequest(logged, undefined).path, sent));
  }
});
