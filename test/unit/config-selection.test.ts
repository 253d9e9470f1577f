import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { globToRegExp, type IndexSelection, selectIndices } from "../../src/config/index.ts";

const DEFAULTS: IndexSelection = { include: ["*"], exclude: [], includeHidden: false };

describe("globToRegExp", () => {
  const table: [pattern: string, name: string, matches: boolean][] = [
    ["*", "orders", true],
    ["*", "", true],
    ["orders-*", "orders-2024.01", true],
    ["orders-*", "orders", false],
    ["orders-*", "old-orders-1", false],
    ["logs-202?", "logs-2024", true],
    ["logs-202?", "logs-20245", false],
    ["logs-202?", "logs-202", false],
    ["a.b", "a.b", true],
    ["a.b", "axb", false],
    ["a+b", "a+b", true],
    ["(x)", "(x)", true],
    ["*-archive", "orders-archive", true],
    ["*-archive", "orders-archived", false],
    ["*mid*", "a-mid-b", true],
  ];
  for (const [pattern, name, matches] of table) {
    it(`${JSON.stringify(pattern)} ${matches ? "matches" : "does not match"} ${JSON.stringify(name)}`, () => {
      assert.equal(globToRegExp(pattern).test(name), matches);
    });
  }
});

describe("selectIndices", () => {
  const indices = [
    { name: "orders-2024" },
    { name: "orders-2025" },
    { name: "orders-tmp-1" },
    { name: "customers" },
    { name: ".kibana_1" },
    { name: "audit", hidden: true },
    { name: ".opendistro_security" },
    { name: ".security-7" },
    { name: ".tasks" },
  ];
  const table: [label: string, selection: Partial<IndexSelection>, expected: string[]][] = [
    ["defaults take every visible index", {}, ["orders-2024", "orders-2025", "orders-tmp-1", "customers"]],
    ["include narrows", { include: ["orders-*"] }, ["orders-2024", "orders-2025", "orders-tmp-1"]],
    [
      "exclude wins over include",
      { include: ["orders-*"], exclude: ["orders-tmp-*"] },
      ["orders-2024", "orders-2025"],
    ],
    ["exclude wins even over an exact include", { include: ["customers"], exclude: ["cust*"] }, []],
    [
      "several includes, original order kept",
      { include: ["customers", "orders-2024"] },
      ["orders-2024", "customers"],
    ],
    ["? matches one character", { include: ["orders-202?"] }, ["orders-2024", "orders-2025"]],
    [
      "includeHidden adds dot and hidden indices",
      { includeHidden: true },
      ["orders-2024", "orders-2025", "orders-tmp-1", "customers", ".kibana_1", "audit"],
    ],
    ["hidden index needs includeHidden even when named", { include: ["audit"] }, []],
    ["security and task indices are never migrated", { include: [".*"], includeHidden: true }, [".kibana_1"]],
    ["nothing matches", { include: ["nope-*"] }, []],
  ];
  for (const [label, selection, expected] of table) {
    it(label, () => {
      const picked = selectIndices(indices, { ...DEFAULTS, ...selection }).map((i) => i.name);
      assert.deepEqual(picked, expected);
    });
  }

  it("returns the caller's own objects", () => {
    const [first] = selectIndices(indices, DEFAULTS);
    assert.equal(first, indices[0]);
  });
});
