/**
 * Splitting one index into query ranges, one `_reindex` task each: remote reindex cannot slice, so
 * parallelism inside an index has to come from disjoint queries.
 *
 * Ranges run over a numeric or date field with boundaries at percentiles of that field, so each range
 * holds about the same number of documents whatever the field's distribution. Coverage does not depend
 * on the percentiles being exact: the ranges are `< b1`, `[b1, b2)`, …, `>= bn` plus one for documents
 * without the field, so every document falls in at least one. A multi-valued field may put a document
 * in two ranges; it is then written twice under its own `_id`, which is harmless.
 */

import { type Json, obj, str } from "../snapshot/index.ts";
import type { BackfillContext, IndexTask } from "../types.ts";

export interface ReindexRange {
  readonly id: number;
  /** Human form for logs and errors, e.g. `at in [2024-01-01…, 2024-02-01…)`. */
  readonly label: string;
  readonly query: Json;
}

export interface RangePlan {
  readonly field: string | undefined;
  readonly ranges: readonly ReindexRange[];
}

const INTEGER_TYPES = new Set(["long", "integer", "short", "byte", "unsigned_long"]);
const DECIMAL_TYPES = new Set(["double", "float", "half_float", "scaled_float"]);
const DATE_TYPES = new Set(["date", "date_nanos"]);
/** Most ranges per index: beyond that, per-task overhead outweighs more parallelism. */
export const MAX_RANGES = 64;

export type RangeFieldKind = "integer" | "decimal" | "date";

/** Range-able fields of a mapping, dates first: top-level and object sub-fields, never inside nested. */
export function rangeFields(mappings: unknown): { name: string; kind: RangeFieldKind }[] {
  const found: { name: string; kind: RangeFieldKind }[] = [];
  const walk = (properties: Json, prefix: string) => {
    for (const [name, value] of Object.entries(properties)) {
      const field = obj(value);
      const type = str(field.type);
      const path = `${prefix}${name}`;
      // Percentiles need doc values; an unindexed field cannot answer a range query either.
      const usable = field.doc_values !== false && field.index !== false;
      if (type !== undefined && DATE_TYPES.has(type) && usable) found.push({ name: path, kind: "date" });
      else if (type !== undefined && INTEGER_TYPES.has(type) && usable)
        found.push({ name: path, kind: "integer" });
      else if (type !== undefined && DECIMAL_TYPES.has(type) && usable)
        found.push({ name: path, kind: "decimal" });
      else if ((type === undefined || type === "object") && field.properties !== undefined) {
        walk(obj(field.properties), `${path}.`);
      }
    }
  };
  walk(obj(obj(mappings).properties), "");
  const order: RangeFieldKind[] = ["date", "integer", "decimal"];
  return found.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

/** Sorted, distinct boundaries; integers and dates are floored so bounds stay exact in their type. */
export function boundaries(values: readonly number[], kind: RangeFieldKind): number[] {
  const cleaned = values.filter(Number.isFinite).map((v) => (kind === "decimal" ? v : Math.floor(v)));
  return [...new Set(cleaned)].sort((a, b) => a - b);
}

/** The disjoint, covering ranges for these boundaries (see the module comment). */
export function rangesFor(field: string, kind: RangeFieldKind, bounds: readonly number[]): ReindexRange[] {
  const format = kind === "date" ? { format: "epoch_millis" } : {};
  const show = (v: number) => (kind === "date" ? new Date(v).toISOString() : String(v));
  const ranges: ReindexRange[] = [];
  const push = (label: string, query: Json) => ranges.push({ id: ranges.length, label, query });
  if (bounds.length === 0) {
    push(`${field} present`, { exists: { field } });
  } else {
    bounds.forEach((bound, i) => {
      const lower = bounds[i - 1];
      const range = lower === undefined ? { lt: bound } : { gte: lower, lt: bound };
      const text =
        lower === undefined ? `${field} < ${show(bound)}` : `${field} in [${show(lower)}, ${show(bound)})`;
      push(text, { range: { [field]: { ...range, ...format } } });
    });
    const last = bounds[bounds.length - 1] as number;
    push(`${field} >= ${show(last)}`, { range: { [field]: { gte: last, ...format } } });
  }
  push(`${field} missing`, { bool: { must_not: { exists: { field } } } });
  return ranges;
}

export const WHOLE_INDEX: ReindexRange = { id: 0, label: "whole index", query: { match_all: {} } };

const enc = encodeURIComponent;

/** Ranges for one index: the whole index when small or when it has no usable field. */
export async function planRanges(
  ctx: BackfillContext,
  task: IndexTask,
  rangeDocs: number,
  preferredField: string | undefined,
): Promise<RangePlan> {
  const count = Math.ceil(task.docs / rangeDocs);
  if (count <= 1) return { field: undefined, ranges: [WHOLE_INDEX] };
  const mapping = await ctx.source.request({
    method: "GET",
    path: `/${enc(task.index)}/_mapping`,
    signal: ctx.signal,
  });
  const fields = rangeFields(obj(obj(mapping.body)[task.index]).mappings);
  const field = preferredField === undefined ? fields[0] : fields.find((f) => f.name === preferredField);
  if (field === undefined) {
    ctx.logger.info({ index: task.index }, "no numeric or date field to split on; one reindex task");
    return { field: undefined, ranges: [WHOLE_INDEX] };
  }
  const n = Math.min(MAX_RANGES, count);
  const percents = Array.from({ length: n - 1 }, (_, i) => ((i + 1) * 100) / n);
  const response = await ctx.source.request({
    method: "POST",
    path: `/${enc(task.index)}/_search`,
    body: { size: 0, aggs: { cut: { percentiles: { field: field.name, percents } } } },
    idempotent: true,
    signal: ctx.signal,
  });
  const values = Object.values(obj(obj(obj(obj(response.body).aggregations).cut).values)).map((v) =>
    typeof v === "number" ? v : Number.NaN,
  );
  return { field: field.name, ranges: rangesFor(field.name, field.kind, boundaries(values, field.kind)) };
}
