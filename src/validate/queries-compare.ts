/**
 * Compares two search answers the way a user would notice a difference: hit totals, the ids on the
 * first page (ties in the sort allowed to come in any order), and aggregation buckets and values.
 * Answers are parsed losslessly (src/json), so every number and string arrives as its literal text:
 * a long above 2^53 in a sort value, a terms key or a metric is compared exactly, never as a double.
 */
import { canonicalJson, isRawJson } from "../json/index.ts";

export const COMPARE_PARTS = ["total", "ids", "aggregations"] as const;
export type ComparePart = (typeof COMPARE_PARTS)[number];

/** A query with everything decided: what to compare and how closely. */
export interface PlannedQuery {
  readonly name: string;
  /** The search request body; raw JSON values in it are sent as written. */
  readonly body: unknown;
  readonly compare: ReadonlySet<ComparePart>;
  /** Relative: 0.01 lets the totals differ by 1% of the larger. */
  readonly totalTolerance: number;
  /** Relative, for bucket doc counts and numeric metric values (keys are always exact). */
  readonly aggTolerance: number;
  readonly generated: boolean;
}

type Tree = Record<string, unknown>;

const INTEGER = /^-?\d+$/;
const NUMBER = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A number literal's exact decimal value as `digits e exponent`: `1`, `1.0` and `1e0` are one value. */
export function decimalOf(literal: string): string {
  const m = NUMBER.exec(literal);
  if (m === null) return literal;
  const fraction = m[3] ?? "";
  let digits = `${m[2] ?? ""}${fraction}`.replace(/^0+/, "");
  if (digits === "") return "0";
  let exponent = Number(m[4] ?? 0) - fraction.length;
  const kept = digits.replace(/0+$/, "");
  exponent += digits.length - kept.length;
  digits = kept;
  return `${m[1]}${digits}e${exponent}`;
}

/**
 * Whether two number literals are the same within a relative tolerance. Integers are compared as
 * exact decimals. Two non-integer literals that parse to the same double are the same value written
 * by two JDKs (Double.toString's output changed between the JDKs 2.11 and 2.19 bundle).
 */
export function sameNumber(a: string, b: string, tolerance: number): boolean {
  if (decimalOf(a) === decimalOf(b)) return true;
  const x = Number(a);
  const y = Number(b);
  if (!INTEGER.test(a) && !INTEGER.test(b) && x === y) return true;
  if (tolerance <= 0 || !Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
}

/** The literal text of a number, or undefined for anything else. */
function numberText(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  if (isRawJson(value) && !value.rawJSON.startsWith('"')) return value.rawJSON;
  return undefined;
}

/** A leaf as a person reads it: strings decoded, numbers as written. */
export function show(value: unknown): string {
  if (isRawJson(value))
    return value.rawJSON.startsWith('"') ? (JSON.parse(value.rawJSON) as string) : value.rawJSON;
  if (value === undefined) return "(absent)";
  const text = canonicalJson(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isRawJson(value);
}

/** Deep equality with numbers compared by `sameNumber`. */
export function sameValue(a: unknown, b: unknown, tolerance = 0): boolean {
  const x = numberText(a);
  const y = numberText(b);
  if (x !== undefined && y !== undefined) return sameNumber(x, y, tolerance);
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i], tolerance));
  if (isTree(a) && isTree(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameValue(a[k], b[k], tolerance));
  }
  return canonicalJson(a) === canonicalJson(b);
}

/** Every difference between two answers, in reading order; empty when users would see the same. */
export function compareAnswers(q: PlannedQuery, source: unknown, target: unknown): string[] {
  const out: string[] = [];
  const s = isTree(source) ? source : {};
  const t = isTree(target) ? target : {};
  const sh = isTree(s.hits) ? s.hits : {};
  const th = isTree(t.hits) ? t.hits : {};
  if (q.compare.has("total")) compareTotals("total", sh.total, th.total, q.totalTolerance, out);
  if (q.compare.has("ids")) compareIds("", sh, th, out);
  if (q.compare.has("aggregations")) {
    const sa = isTree(s.aggregations) ? s.aggregations : {};
    const ta = isTree(t.aggregations) ? t.aggregations : {};
    // A generated query names its one aggregation after itself: its label would only repeat the name.
    for (const name of union(sa, ta)) {
      compareAgg(name === q.name ? "" : name, sa[name], ta[name], q.aggTolerance, out);
    }
  }
  return out;
}

/** `hits.total` as `{ value, relation }` (or a plain number with rest_total_hits_as_int). */
function totalOf(total: unknown): { value: string; relation: string } | undefined {
  const plain = numberText(total);
  if (plain !== undefined) return { value: plain, relation: "eq" };
  if (!isTree(total)) return undefined;
  const value = numberText(total.value);
  return value === undefined ? undefined : { value, relation: show(total.relation) };
}

function showTotal(total: { value: string; relation: string } | undefined): string {
  if (total === undefined) return "(absent)";
  return total.relation === "gte" ? `≥${total.value}` : total.value;
}

function compareTotals(label: string, s: unknown, t: unknown, tolerance: number, out: string[]): void {
  const a = totalOf(s);
  const b = totalOf(t);
  if (a === undefined && b === undefined) return;
  if (
    a !== undefined &&
    b !== undefined &&
    a.relation === b.relation &&
    sameNumber(a.value, b.value, tolerance)
  )
    return;
  out.push(`${label} ${showTotal(a)} ≠ ${showTotal(b)}`);
}

interface Hit {
  readonly id: string;
  /** What the page is ordered by: the sort values, or the score when there is no sort. */
  readonly rank: unknown;
}

function hitsOf(hits: Tree): Hit[] {
  const list = Array.isArray(hits.hits) ? hits.hits : [];
  return list.filter(isTree).map((h) => ({ id: show(h._id), rank: h.sort ?? h._score }));
}

/**
 * The first page's ids. Documents with equal sort values may come back in any order, and at the end
 * of a full page either side may pick any of them, so: the sort values must match rank by rank;
 * within a run of equal values only the set of ids must match; and the run that ends a page with
 * more hits behind it is not compared by id at all (its value may go on past the page). Relevance scores are not compared:
 * they depend on per-shard term statistics and deleted documents, which a fresh copy does not share;
 * runs of equal scores on the source group the ids the same way.
 */
function compareIds(label: string, s: Tree, t: Tree, out: string[]): void {
  const a = hitsOf(s);
  const b = hitsOf(t);
  const prefix = label === "" ? "" : `${label} `;
  if (a.length !== b.length) {
    out.push(`${prefix}${a.length} hit(s) on the first page ≠ ${b.length}`);
    return;
  }
  const sorted = a.some((h) => Array.isArray(h.rank));
  if (sorted) {
    const at = a.findIndex((h, i) => !sameValue(h.rank, b[i]?.rank));
    if (at >= 0) {
      out.push(`${prefix}sort values at rank ${at + 1}: ${show(a[at]?.rank)} ≠ ${show(b[at]?.rank)}`);
      return;
    }
  }
  const total = totalOf(s.total);
  const more = total === undefined || total.relation !== "eq" || Number(total.value) > a.length;
  for (let start = 0; start < a.length; ) {
    let end = start + 1;
    while (end < a.length && sameValue(a[end]?.rank, a[start]?.rank)) end++;
    if (!(end === a.length && more)) {
      const ours = a.slice(start, end).map((h) => h.id);
      const theirs = b.slice(start, end).map((h) => h.id);
      if (!sameSet(ours, theirs)) {
        const ranks = end - start === 1 ? `rank ${start + 1}` : `ranks ${start + 1}–${end}`;
        out.push(`${prefix}ids at ${ranks}: ${listed(ours)} ≠ ${listed(theirs)}`);
      }
    }
    start = end;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

function listed(ids: readonly string[]): string {
  return ids.length <= 5 ? ids.join(", ") : `${ids.slice(0, 5).join(", ")}, … (${ids.length})`;
}

/** Differ by shard layout, formatting or the request itself, not by the data users see. */
const IGNORED = new Set(["doc_count_error_upper_bound", "meta", "key_as_string"]);

function union(a: Tree, b: Tree): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => !IGNORED.has(k) && !k.endsWith("_as_string"),
  );
}

function join(label: string, key: string): string {
  return label === "" ? key : `${label} ${key}`;
}

/** One aggregation (or any value inside one), recursively: buckets by key, everything else by value. */
function compareAgg(label: string, s: unknown, t: unknown, tolerance: number, out: string[]): void {
  if (s === undefined || t === undefined) {
    if (s !== t)
      out.push(`${label || "aggregation"} ${s === undefined ? "extra on target" : "missing on target"}`);
    return;
  }
  if (isTree(s) && isTree(t)) {
    if ("buckets" in s || "buckets" in t) compareBuckets(label, s.buckets, t.buckets, tolerance, out);
    // top_hits: its page of documents, compared like the search's own.
    if (isTree(s.hits) && isTree(t.hits)) {
      compareTotals(join(label, "hits"), s.hits.total, t.hits.total, tolerance, out);
      compareIds(label, s.hits, t.hits, out);
    }
    for (const key of union(s, t)) {
      if (key === "buckets" || key === "hits") continue;
      compareAgg(join(label, key), s[key], t[key], tolerance, out);
    }
    return;
  }
  if (Array.isArray(s) && Array.isArray(t) && s.length === t.length) {
    for (const [i, v] of s.entries()) compareAgg(`${label}[${i}]`, v, t[i], tolerance, out);
    return;
  }
  if (!sameValue(s, t, tolerance)) out.push(`${label} ${show(s)} ≠ ${show(t)}`);
}

interface Bucket {
  readonly display: string;
  readonly body: Tree;
}

/** Buckets by key: a list (`key`, numbers compared as exact decimals) or a keyed object. */
function bucketsOf(buckets: unknown): Map<string, Bucket> {
  const out = new Map<string, Bucket>();
  if (Array.isArray(buckets)) {
    for (const b of buckets.filter(isTree)) {
      const n = numberText(b.key);
      const id = n === undefined ? canonicalJson(b.key) : `#${decimalOf(n)}`;
      out.set(id, { display: show(b.key_as_string ?? b.key), body: b });
    }
  } else if (isTree(buckets)) {
    for (const [key, b] of Object.entries(buckets)) if (isTree(b)) out.set(key, { display: key, body: b });
  }
  return out;
}

function docs(count: unknown): string {
  const n = show(count);
  return `${n} doc${n === "1" ? "" : "s"}`;
}

const BUCKET_OWN = new Set(["key", "doc_count"]);

function compareBuckets(label: string, s: unknown, t: unknown, tolerance: number, out: string[]): void {
  const a = bucketsOf(s);
  const b = bucketsOf(t);
  for (const [id, sb] of a) {
    const tb = b.get(id);
    const where = join(label, `bucket ${sb.display}`);
    if (tb === undefined) {
      out.push(`${where} missing on target (${docs(sb.body.doc_count)})`);
      continue;
    }
    const sc = numberText(sb.body.doc_count);
    const tc = numberText(tb.body.doc_count);
    if (sc !== undefined && tc !== undefined && !sameNumber(sc, tc, tolerance))
      out.push(`${where} ${sc} ≠ ${tc}`);
    const rest = union(sb.body, tb.body).filter((k) => !BUCKET_OWN.has(k));
    for (const key of rest) compareAgg(`${where} > ${key}`, sb.body[key], tb.body[key], tolerance, out);
  }
  for (const [id, tb] of b) {
    if (!a.has(id))
      out.push(`${join(label, `bucket ${tb.display}`)} extra on target (${docs(tb.body.doc_count)})`);
  }
}
