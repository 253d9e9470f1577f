/** The remote-reindex allowlist preflight, over real `_nodes/settings` bodies from the sandboxes. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  allowlistKey,
  checkAllowlist,
  matchesPattern,
  parseAllowlists,
  remoteHost,
  remoteHostPort,
} from "../../src/backfill/reindex/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

// GET _nodes/settings?filter_path=nodes.*.name,nodes.*.settings.reindex.remote on the sandboxes.
const OS_219 = {
  nodes: {
    WUyM60fRSYyj7oohzPHsgw: {
      name: "target",
      settings: { reindex: { remote: { allowlist: ["127.0.0.1:*", "localhost:*"] } } },
    },
  },
};
const OS_13 = {
  nodes: {
    _ZVamwrrRp6H9d2tEyM_Kg: {
      name: "source",
      settings: { reindex: { remote: { whitelist: ["127.0.0.1:*", "localhost:*"] } } },
    },
  },
};
/** A node without the setting answers without a settings block at all. */
const UNSET = { nodes: { abc: { name: "data-1" } } };

describe("parseAllowlists", () => {
  test("2.x allowlist, nested", () => {
    assert.deepEqual(parseAllowlists(OS_219, "reindex.remote.allowlist"), [
      { node: "target", key: "reindex.remote.allowlist", patterns: ["127.0.0.1:*", "localhost:*"] },
    ]);
  });
  test("1.x whitelist keeps its own key", () => {
    assert.equal(parseAllowlists(OS_13, "reindex.remote.allowlist")[0]?.key, "reindex.remote.whitelist");
  });
  test("flat settings and a comma-separated string", () => {
    const flat = { nodes: { n: { name: "n1", settings: { "reindex.remote.allowlist": "a:9200, b:*" } } } };
    assert.deepEqual(parseAllowlists(flat, "x")[0]?.patterns, ["a:9200", "b:*"]);
  });
  test("unset: the key this version reads, and no patterns", () => {
    assert.deepEqual(parseAllowlists(UNSET, "reindex.remote.whitelist"), [
      { node: "data-1", key: "reindex.remote.whitelist", patterns: [] },
    ]);
  });
});

describe("matching", () => {
  const cases: [string, string, boolean][] = [
    ["127.0.0.1:*", "127.0.0.1:30200", true],
    ["127.0.0.1:*", "127.0.0.2:30200", false],
    ["localhost:*", "127.0.0.1:9200", false],
    ["*.internal:9200", "es-1.internal:9200", true],
    ["*.internal:9200", "es-1.internal:9201", false],
    ["old:9200", "old:9200", true],
    // "." is literal, not "any character".
    ["10.0.0.1:9200", "10a0b0c1:9200", false],
  ];
  for (const [pattern, hostPort, expected] of cases) {
    test(`${pattern} ${expected ? "admits" : "refuses"} ${hostPort}`, () => {
      assert.equal(matchesPattern(pattern, hostPort), expected);
    });
  }
  test("host:port always carries the port; the remote host keeps a path prefix", () => {
    assert.equal(remoteHostPort("https://search.example.com"), "search.example.com:443");
    assert.equal(remoteHostPort("http://old"), "old:80");
    assert.equal(remoteHost("https://proxy.example.com/es"), "https://proxy.example.com:443/es");
    assert.equal(remoteHost("http://127.0.0.1:30200"), "http://127.0.0.1:30200");
  });
  test("the setting's name by target version", () => {
    assert.equal(allowlistKey("opensearch", { major: 2, minor: 19, patch: 4 }), "reindex.remote.allowlist");
    assert.equal(allowlistKey("opensearch", { major: 1, minor: 3, patch: 14 }), "reindex.remote.whitelist");
    assert.equal(
      allowlistKey("elasticsearch", { major: 7, minor: 10, patch: 2 }),
      "reindex.remote.whitelist",
    );
  });
});

describe("checkAllowlist", () => {
  test("admitted: no error", () => {
    checkAllowlist(parseAllowlists(OS_219, "reindex.remote.allowlist"), "http://127.0.0.1:30200", "target");
  });

  const refusals: { name: string; body: unknown; url: string; message: RegExp; line: string }[] = [
    {
      name: "source outside the list: the line keeps the existing entries",
      body: OS_219,
      url: "http://old-cluster:9200",
      message:
        /^The target cluster "target" does not allow remote reindex from the source at old-cluster:9200: reindex\.remote\.allowlist on node\(s\) target is \[127\.0\.0\.1:\*, localhost:\*\], which does not match old-cluster:9200\.$/,
      line: 'reindex.remote.allowlist: ["127.0.0.1:*", "localhost:*", "old-cluster:9200"]',
    },
    {
      name: "unset: remote reindex is disabled",
      body: UNSET,
      url: "https://old.example.com",
      message: /reindex\.remote\.allowlist is not set on node\(s\) data-1, which disables remote reindex\.$/,
      line: 'reindex.remote.allowlist: ["old.example.com:443"]',
    },
    {
      name: "a 1.x target is told the old setting name",
      body: OS_13,
      url: "http://10.1.2.3:9200",
      message: /reindex\.remote\.whitelist on node\(s\) source/,
      line: 'reindex.remote.whitelist: ["127.0.0.1:*", "localhost:*", "10.1.2.3:9200"]',
    },
    {
      name: "one node of two refuses: it is named",
      body: {
        nodes: {
          a: { name: "n1", settings: { reindex: { remote: { allowlist: ["old:9200"] } } } },
          b: { name: "n2", settings: { reindex: { remote: { allowlist: ["other:9200"] } } } },
        },
      },
      url: "http://old:9200",
      message: /on node\(s\) n2 is \[other:9200\]/,
      line: 'reindex.remote.allowlist: ["other:9200", "old:9200"]',
    },
  ];
  for (const c of refusals) {
    test(c.name, () => {
      assert.throws(
        () => checkAllowlist(parseAllowlists(c.body, "reindex.remote.allowlist"), c.url, "target"),
        (error) => {
          assert.ok(isBluegreenError(error, "BG_REINDEX_ALLOWLIST"), String(error));
          assert.match(error.message, c.message);
          assert.ok(error.fix?.includes(`\n  ${c.line}\n`), error.fix);
          assert.match(error.fix ?? "", /every target node and restart them/);
          assert.equal(error.details.line, c.line);
          return true;
        },
      );
    });
  }
});
