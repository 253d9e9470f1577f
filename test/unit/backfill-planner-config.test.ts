/** The `backfill:` settings the snapshot, reindex and auto methods read. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/index.ts";
import { isBluegreenError } from "../../src/errors/index.ts";

const HEAD = "version: 1\nname: t\nsource: { url: 'http://a:9200' }\ntarget: { url: 'http://b:9200' }\n";
const parse = (backfill: string) =>
  parseConfig(`${HEAD}backfill:\n${backfill}`, { baseDir: "/tmp", env: {} });

test("absent sub-sections stay absent (the methods apply their defaults)", () => {
  const config = parseConfig(HEAD, { baseDir: "/tmp", env: {} });
  assert.equal(config.backfill.snapshot, undefined);
  assert.equal(config.backfill.reindex, undefined);
  assert.equal(config.backfill.rename, undefined);
  assert.equal(config.backfill.autoOrder, undefined);
});

test("every setting, with defaults filled in inside a given section", () => {
  const config = parse(
    [
      "  method: snapshot",
      "  snapshot: { location: /mnt/repo/bg, replicas: 1 }",
      "  reindex: { sourceUrl: 'http://old.internal:9200', maxTasks: 8 }",
      "  rename: { pattern: '^(.*)$', replacement: '$1-v2' }",
      "  autoOrder: [reindex, stream]",
      "",
    ].join("\n"),
  );
  assert.deepEqual(config.backfill.snapshot, { location: "/mnt/repo/bg", replicas: 1, keepSnapshot: false });
  assert.deepEqual(config.backfill.reindex, {
    sourceUrl: "http://old.internal:9200",
    rangeDocs: 1_000_000,
    maxTasks: 8,
    requestsPerSecond: -1,
  });
  assert.deepEqual(config.backfill.rename, { pattern: "^(.*)$", replacement: "$1-v2" });
  assert.deepEqual(config.backfill.autoOrder, ["reindex", "stream"]);
});

const bad: { name: string; backfill: string; contains: string[] }[] = [
  {
    name: "snapshot without repository or location",
    backfill: "  method: snapshot\n",
    contains: ["backfill.repository", "is required for method snapshot", "backfill.snapshot.location"],
  },
  {
    name: "a rename pattern that is not a regex",
    backfill: "  rename: { pattern: '([a-z', replacement: x }\n",
    contains: ["backfill.rename.pattern", "is not a regular expression"],
  },
  {
    name: "auto order with an unknown method",
    backfill: "  autoOrder: [snapshot, magic]\n",
    contains: ["autoOrder"],
  },
  {
    name: "zero reindex tasks",
    backfill: "  reindex: { maxTasks: 0 }\n",
    contains: ["backfill.reindex.maxTasks"],
  },
  {
    name: "a misspelt key in a section",
    backfill: "  reindex: { rangedocs: 5 }\n",
    contains: ["rangedocs"],
  },
];
for (const c of bad) {
  test(`rejected: ${c.name}`, () => {
    assert.throws(
      () => parse(c.backfill),
      (error) => {
        assert.ok(isBluegreenError(error, "BG_CONFIG_INVALID"), String(error));
        const text = `${error.message}\n${error.fix ?? ""}`;
        for (const part of c.contains) assert.ok(text.includes(part), `${part} in ${text}`);
        return true;
      },
    );
  });
}
