/** Query ranges for remote reindex: field choice, boundaries, and ranges that cover every document. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { boundaries, rangeFields, rangesFor } from "../../src/backfill/reindex/index.ts";

describe("rangeFields", () => {
  test("dates first, then integers, then decimals; object sub-fields yes, nested and unindexed no", () => {
    const mappings = {
      properties: {
        price: { type: "scaled_float", scaling_factor: 100 },
        n: { type: "long" },
        title: { type: "text" },
        meta: { properties: { seen: { type: "date" }, hidden: { type: "long", index: false } } },
        variants: { type: "nested", properties: { at: { type: "date" } } },
        nodv: { type: "integer", doc_values: false },
      },
    };
    assert.deepEqual(rangeFields(mappings), [
      { name: "meta.seen", kind: "date" },
      { name: "n", kind: "integer" },
      { name: "price", kind: "decimal" },
    ]);
  });
  test("no range-able field", () => {
    assert.deepEqual(rangeFields({ properties: { t: { type: "keyword" } } }), []);
  });
});

describe("boundaries", () => {
  test("integers and dates are floored, duplicates and non-numbers dropped, sorted", () => {
    assert.deepEqual(boundaries([30.7, 10.2, 10.9, Number.NaN, 20], "integer"), [10, 20, 30]);
    assert.deepEqual(boundaries([1.5, 0.25, 1.5], "decimal"), [0.25, 1.5]);
  });
});

describe("rangesFor", () => {
  test("n bounds give n+1 adjacent ranges plus one for documents without the field", () => {
    const ranges = rangesFor("n", "integer", [10, 20]);
    assert.deepEqual(
      ranges.map((r) => r.query),
      [
        { range: { n: { lt: 10 } } },
        { range: { n: { gte: 10, lt: 20 } } },
        { range: { n: { gte: 20 } } },
        { bool: { must_not: { exists: { field: "n" } } } },
      ],
    );
    assert.deepEqual(
      ranges.map((r) => r.id),
      [0, 1, 2, 3],
    );
    assert.deepEqual(
      ranges.map((r) => r.label),
      ["n < 10", "n in [10, 20)", "n >= 20", "n missing"],
    );
  });

  test("every value lands in exactly one range, whatever the bounds", () => {
    const bounds = [-5, 0, 3, 1000];
    const ranges = rangesFor("n", "integer", bounds);
    const matches = (v: number) =>
      ranges.filter((r) => {
        const spec = (r.query.range as Record<string, { gte?: number; lt?: number }> | undefined)?.n;
        return (
          spec !== undefined &&
          (spec.gte === undefined || v >= spec.gte) &&
          (spec.lt === undefined || v < spec.lt)
        );
      }).length;
    for (const v of [-1e12, -5, -4.5, 0, 2.9, 3, 999, 1000, 1e12]) assert.equal(matches(v), 1, String(v));
  });

  test("dates use epoch_millis and readable labels", () => {
    const t = Date.parse("2024-01-01T00:00:00Z");
    const [first] = rangesFor("at", "date", [t]);
    assert.deepEqual(first?.query, { range: { at: { lt: t, format: "epoch_millis" } } });
    assert.equal(first?.label, "at < 2024-01-01T00:00:00.000Z");
  });

  test("no bounds (all values equal or percentiles empty): present and missing", () => {
    assert.deepEqual(
      rangesFor("n", "integer", []).map((r) => r.label),
      ["n present", "n missing"],
    );
  });
});
