/**
 * The queries generated from an index's mapping (read on the source): what a dashboard over that
 * index would show. Each aggregation is its own query, named after what it computes, so one that a
 * side refuses does not hide the others and a difference reads as "terms(tags) bucket t3 …".
 */
import type { Requester } from "../cluster/index.ts";
import type { ComparePart, PlannedQuery } from "./queries-compare.ts";

export const TOP_K = 10;
const KEYWORD_FIELDS = 3;
const DATE_FIELDS = 2;
const NUMERIC_FIELDS = 3;
/** A date histogram gets the finest calendar interval that keeps it under this many buckets. */
const MAX_BUCKETS = 100;
/** Cardinality is HyperLogLog++ on both sides: estimates, so a relative tolerance. */
export const CARDINALITY_TOLERANCE = 0.05;
/**
 * Sums and averages of floating-point fields are added up shard by shard in whatever order the
 * segments come, so two correct clusters can differ in the last bits; anything a person would call
 * different is far above one part in a billion. Integer fields sum exactly and are compared exactly.
 */
export const FLOAT_TOLERANCE = 1e-9;

const INTEGER_TYPES = new Set(["long", "integer", "short", "byte", "unsigned_long"]);
const FLOAT_TYPES = new Set(["double", "float", "half_float", "scaled_float"]);
const DATE_TYPES = new Set(["date", "date_nanos"]);

export interface MappedField {
  readonly path: string;
  readonly type: string;
  /** A multi-field (`title.keyword`): used after the fields a mapping declares on their own. */
  readonly sub: boolean;
}

/**
 * The fields a search can sort and aggregate on directly, in mapping order. Fields inside `nested`
 * objects need a nested aggregation and are left out; so are fields without doc values.
 */
export function mappedFields(properties: unknown, prefix = ""): MappedField[] {
  const out: MappedField[] = [];
  if (properties === null || typeof properties !== "object") return out;
  for (const [name, raw] of Object.entries(properties as Record<string, unknown>)) {
    const def = (raw ?? {}) as {
      type?: string;
      properties?: unknown;
      fields?: unknown;
      doc_values?: boolean;
    };
    const path = `${prefix}${name}`;
    if (def.type === "nested") continue;
    if (def.properties !== undefined) {
      out.push(...mappedFields(def.properties, `${path}.`));
      continue;
    }
    if (def.type === undefined) continue;
    if (def.doc_values !== false) out.push({ path, type: def.type, sub: false });
    for (const sub of mappedFields(def.fields, `${path}.`)) out.push({ ...sub, sub: true });
  }
  return out;
}

function pick(fields: readonly MappedField[], types: ReadonlySet<string>, limit: number): MappedField[] {
  const matching = fields.filter((f) => types.has(f.type));
  return [...matching.filter((f) => !f.sub), ...matching.filter((f) => f.sub)].slice(0, limit);
}

function generated(name: string, body: unknown, compare: ComparePart, aggTolerance = 0): PlannedQuery {
  return { name, body, compare: new Set([compare]), totalTolerance: 0, aggTolerance, generated: true };
}

function aggregation(name: string, agg: unknown, aggTolerance = 0): PlannedQuery {
  return generated(name, { size: 0, aggs: { [name]: agg } }, "aggregations", aggTolerance);
}

const CALENDAR: readonly [string, number][] = [
  ["minute", 60_000],
  ["hour", 3_600_000],
  ["day", 86_400_000],
  ["week", 604_800_000],
  ["month", 2_629_746_000],
  ["quarter", 7_889_238_000],
  ["year", 31_556_952_000],
];

/** The finest calendar interval that keeps [min, max] under MAX_BUCKETS buckets. */
export function calendarInterval(minMs: number, maxMs: number): string {
  const span = Math.max(0, maxMs - minMs);
  return CALENDAR.find(([, ms]) => span / ms < MAX_BUCKETS)?.[0] ?? "year";
}

export interface DateRange {
  readonly min: number;
  readonly max: number;
}

/** Every generated query, given the mapping's fields and the value range of its date fields. */
export function planGenerated(
  fields: readonly MappedField[],
  ranges: ReadonlyMap<string, DateRange>,
): PlannedQuery[] {
  const keywords = pick(fields, new Set(["keyword"]), KEYWORD_FIELDS);
  const dates = pick(fields, DATE_TYPES, DATE_FIELDS);
  const numbers = pick(fields, new Set([...INTEGER_TYPES, ...FLOAT_TYPES]), NUMERIC_FIELDS);
  const out = [
    generated("match_all", { size: 0, track_total_hits: true, query: { match_all: {} } }, "total"),
  ];
  const sortField = dates[0] ?? numbers[0];
  if (sortField !== undefined) {
    // One more than shown: the extra hit tells whether the last shown value goes on past the page,
    // so the last of the ten is compared by id whenever its sort value is unique.
    const body = {
      size: TOP_K + 1,
      track_total_hits: true,
      _source: false,
      sort: [{ [sortField.path]: { order: "desc", missing: "_last" } }],
    };
    out.push(generated(`top${TOP_K}(${sortField.path})`, body, "ids"));
  }
  for (const f of keywords) {
    // Count, then key: equal counts at the cut-off would otherwise be free to pick different buckets.
    const order = [{ _count: "desc" }, { _key: "asc" }];
    out.push(aggregation(`terms(${f.path})`, { terms: { field: f.path, size: TOP_K, order } }));
  }
  for (const f of dates) {
    const range = ranges.get(f.path);
    if (range === undefined) continue;
    const interval = calendarInterval(range.min, range.max);
    out.push(
      aggregation(`date_histogram(${f.path})`, {
        date_histogram: { field: f.path, calendar_interval: interval, min_doc_count: 1 },
      }),
    );
  }
  for (const f of numbers) {
    out.push(
      aggregation(
        `stats(${f.path})`,
        { stats: { field: f.path } },
        FLOAT_TYPES.has(f.type) ? FLOAT_TOLERANCE : 0,
      ),
    );
  }
  for (const f of keywords) {
    out.push(
      aggregation(`cardinality(${f.path})`, { cardinality: { field: f.path } }, CARDINALITY_TOLERANCE),
    );
  }
  return out;
}

interface MinMax {
  readonly value?: number | null;
}

/** Reads the source's mapping and its date fields' ranges, and plans the generated queries. */
export async function generateQueries(
  source: Requester,
  index: string,
  signal?: AbortSignal,
): Promise<PlannedQuery[]> {
  const path = `/${encodeURIComponent(index)}`;
  const opts = signal === undefined ? {} : { signal };
  const res = await source.request<Record<string, { mappings?: { properties?: unknown } }>>({
    method: "GET",
    path: `${path}/_mapping`,
    ...opts,
  });
  const fields = mappedFields(Object.values(res.body)[0]?.mappings?.properties);
  const dates = pick(fields, DATE_TYPES, DATE_FIELDS);
  const ranges = new Map<string, DateRange>();
  if (dates.length > 0) {
    const aggs = Object.fromEntries(
      dates.flatMap((f) => [
        [`min ${f.path}`, { min: { field: f.path } }],
        [`max ${f.path}`, { max: { field: f.path } }],
      ]),
    );
    const answer = await source.request<{ aggregations?: Record<string, MinMax> }>({
      method: "POST",
      path: `${path}/_search`,
      body: { size: 0, aggs },
      idempotent: true,
      ...opts,
    });
    for (const f of dates) {
      const min = answer.body.aggregations?.[`min ${f.path}`]?.value;
      const max = answer.body.aggregations?.[`max ${f.path}`]?.value;
      // No values: nothing to bucket, and the total already says so.
      if (typeof min === "number" && typeof max === "number") ranges.set(f.path, { min, max });
    }
  }
  return planGenerated(fields, ranges);
}
