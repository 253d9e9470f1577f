import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { BluegreenError } from "../../src/errors/index.ts";
import { loadQueriesFile } from "../../src/validate/index.ts";

const dir = mkdtempSync(join(tmpdir(), "bg-queries-"));
const SELECTED = ["logs-2024", "orders"];

function load(text: string): ReturnType<typeof loadQueriesFile> {
  const file = join(dir, "queries.yaml");
  writeFileSync(file, text);
  return loadQueriesFile(file, SELECTED);
}

function failure(text: string): BluegreenError {
  try {
    load(text);
  } catch (error) {
    assert.ok(error instanceof BluegreenError, String(error));
    return error;
  }
  assert.fail("expected the file to be refused");
}

describe("loadQueriesFile", () => {
  it("reads a valid file, keeping a long above 2^53 in the body exact", () => {
    const queries = load(
      [
        "- index: orders",
        "  name: one order",
        "  body: { query: { term: { id: 9007199254740993 } }, size: 5 }",
        "  tolerance: { total: 0.01 }",
        "  compare: [total, ids]",
        "- index: logs-2024",
        "  name: all",
        "  body: { query: { match_all: {} } }",
      ].join("\n"),
    );
    assert.equal(queries.length, 2);
    assert.deepEqual(queries[0]?.compare, ["total", "ids"]);
    assert.equal(queries[0]?.tolerance?.total, 0.01);
    assert.equal(JSON.stringify(queries[0]?.body), '{"query":{"term":{"id":9007199254740993}},"size":5}');
  });

  const entry = (lines: string) => `- index: orders\n  name: q1\n${lines}`;
  const table: readonly [string, string, RegExp][] = [
    [
      "a YAML syntax error, with its line and column",
      entry("  body: { query: [ }\n"),
      /queries\.yaml is not valid YAML:\n {2}line 3, column \d+: .*\n {4} {2}body: \{ query: \[ \}\n +\^/,
    ],
    [
      "an index the migration does not select",
      "- index: order\n  name: q1\n  body: {}\n",
      /entry 1 of 1 "q1", index \(line 1\): "order" is not an index the migration selects — did you mean "orders"\?/,
    ],
    [
      "an index far from any selected one",
      "- index: metrics\n  name: q1\n  body: {}\n",
      /"metrics" is not an index the migration selects — name one of "logs-2024", "orders"/,
    ],
    [
      "a missing body",
      entry(""),
      /entry 1 of 1 "q1", body \(line 1\): is required — give the search request body as a mapping, e\.g\. `body: \{ query: \{ match_all: \{\} \} \}`/,
    ],
    [
      "a body of the wrong type",
      entry("  body: match_all\n"),
      /entry 1 of 1 "q1", body \(line 3\): expected a mapping, got a string — give the search request body as a mapping/,
    ],
    [
      "a tolerance of the wrong type",
      entry("  body: {}\n  tolerance: { total: lots }\n"),
      /tolerance\.total \(line 4\): expected a number, got a string — write a relative tolerance from 0 to 1/,
    ],
    [
      "a tolerance out of range",
      entry("  body: {}\n  tolerance: { aggregations: 5 }\n"),
      /tolerance\.aggregations \(line 4\): 5 is out of range — write a relative tolerance from 0 to 1/,
    ],
    [
      "something compare does not know",
      entry("  body: {}\n  compare: [total, hits]\n"),
      /compare\[1\] \(line 4\): "hits" is not one of total, ids, aggregations — list what to compare/,
    ],
    [
      "a misspelt key",
      entry("  body: {}\n  tolerence: { total: 0.1 }\n"),
      /entry 1 of 1 "q1", tolerence \(line 4\): unknown key "tolerence" — did you mean "tolerance"\?/,
    ],
    [
      "the second entry, named by place and name",
      `${entry("  body: {}\n")}- index: orders\n  body: {}\n`,
      /entry 2 of 2, name \(line 4\): is required — give the query a short name/,
    ],
    [
      "two queries with one name on one index",
      `${entry("  body: {}\n")}${entry("  body: {}\n")}`,
      /entry 2 of 2 "q1", name \(line 5\): "q1" is already the name of entry 1 for orders/,
    ],
    ["an empty file", "", /queries\.yaml has 1 problem:\n {2}- the file: is empty — write a list/],
    ["a mapping instead of a list", "index: orders\n", /the file \(line 1\): is not a list/],
  ];
  for (const [name, text, message] of table) {
    it(`refuses ${name}`, () => {
      const error = failure(text);
      assert.equal(error.code, "BG_QUERIES_INVALID");
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
      assert.match(error.message, /queries\.yaml/, "the file is named");
      assert.ok(error.fix !== undefined && error.fix.length > 0);
    });
  }

  it("lists every problem at once, in line order", () => {
    const error = failure("- index: nope\n  name: a\n- index: orders\n  name: b\n  body: 3\n");
    assert.match(
      error.message,
      /has 3 problems:\n {2}- entry 1 of 2 "a", index[^\n]*\n {2}- entry 1 of 2 "a", body[^\n]*\n {2}- entry 2 of 2 "b", body/,
    );
  });

  it("a file that does not exist", () => {
    assert.throws(
      () => loadQueriesFile(join(dir, "absent.yaml"), SELECTED),
      (e: unknown) =>
        e instanceof BluegreenError &&
        e.code === "BG_QUERIES_INVALID" &&
        /absent\.yaml does not exist/.test(e.message),
    );
  });
});

describe("validate.queries in the migration file", () => {
  const base = "version: 1\nname: m\nsource: { url: 'http://a:9200' }\ntarget: { url: 'http://b:9200' }\n";
  it("resolves from the migration file's directory, and is absent unless set", () => {
    const set = parseConfig(`${base}validate: { queries: checks/queries.yaml }\n`, {
      baseDir: "/srv/m",
      env: {},
    });
    assert.equal(set.validate.queries, "/srv/m/checks/queries.yaml");
    assert.equal("queries" in parseConfig(base, { baseDir: "/srv/m", env: {} }).validate, false);
  });
});
