import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { calendarInterval, mappedFields, planGenerated } from "../../src/validate/queries-generate.ts";

describe("generated queries", () => {
  const mapping = {
    created: { type: "date" },
    n: { type: "integer" },
    nested: { properties: { a: { type: "integer" }, b: { type: "keyword" } } },
    price: { type: "float" },
    items: { type: "nested", properties: { sku: { type: "keyword" } } },
    hidden: { type: "keyword", doc_values: false },
    tags: { type: "keyword" },
    title: { type: "text", fields: { keyword: { type: "keyword" } } },
  };

  it("from the mapping: total, top-k, terms, date_histogram, stats and cardinality, within the limits", () => {
    const fields = mappedFields(mapping);
    const names = planGenerated(fields, new Map([["created", { min: 0, max: 3_600_000 * 7 }]])).map(
      (q) => q.name,
    );
    assert.deepEqual(names, [
      "match_all",
      "top10(created)",
      "terms(nested.b)",
      "terms(tags)",
      "terms(title.keyword)",
      "date_histogram(created)",
      "stats(n)",
      "stats(nested.a)",
      "stats(price)",
      "cardinality(nested.b)",
      "cardinality(tags)",
      "cardinality(title.keyword)",
    ]);
  });

  it("tolerances: floats tiny, integers exact, cardinality 5%", () => {
    const qs = planGenerated(mappedFields(mapping), new Map());
    const tol = (name: string) => qs.find((q) => q.name === name)?.aggTolerance;
    assert.equal(tol("stats(n)"), 0);
    assert.equal(tol("stats(price)"), 1e-9);
    assert.equal(tol("cardinality(tags)"), 0.05);
  });

  it("no date or numeric field: no top-k", () => {
    assert.deepEqual(
      planGenerated(mappedFields({ tags: { type: "keyword" } }), new Map()).map((q) => q.name),
      ["match_all", "terms(tags)", "cardinality(tags)"],
    );
  });

  it("the histogram interval keeps the buckets under 100", () => {
    assert.equal(calendarInterval(0, 50 * 60_000), "minute");
    assert.equal(calendarInterval(0, 7 * 3_600_000), "hour");
    assert.equal(calendarInterval(0, 400 * 86_400_000), "week");
    assert.equal(calendarInterval(0, 50 * 365 * 86_400_000), "year");
  });
});
