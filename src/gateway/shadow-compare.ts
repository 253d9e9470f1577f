/**
 * Which reads a shadow read mirrors, and how two answers to one are compared. Only reads whose answer
 * depends on the documents alone qualify: a scroll or a point in time names a context that lives on
 * one cluster, so those are never mirrored.
 */
import { elements, fields, isRawJson, losslessParse, members } from "../json/index.ts";

export const SHADOW_KINDS = ["search", "count", "msearch", "get", "mget"] as const;
export type ShadowKind = (typeof SHADOW_KINDS)[number];

/**
 * Compares two parsed (lossless) search answers by hit total and first-page ids; one line per
 * difference, naming ids but no field values. Supplied by validate, which owns how answers compare.
 */
export type SearchComparer = (source: unknown, target: unknown) => string[];

export interface ShadowDifference {
  /** status, total, ids, count, found or source: the metric label. */
  readonly part: string;
  readonly detail: string;
}

const ENDPOINTS: Readonly<Record<string, ShadowKind>> = {
  _search: "search",
  _count: "count",
  _msearch: "msearch",
  _mget: "mget",
};

/**
 * The kind of a read that may be mirrored, or undefined. `renames` turns off the kinds whose body can
 * name indices (`_msearch` headers, `_mget` docs): the gateway renames paths, never bodies.
 */
export function shadowKind(
  method: string,
  pathname: string,
  query: URLSearchParams,
  renames: boolean,
): ShadowKind | undefined {
  if (method !== "GET" && method !== "POST") return undefined;
  if (query.has("scroll")) return undefined;
  const segments = pathname.split("/").filter((s) => s !== "");
  const [first, second, third] = segments;
  if (first === undefined) return undefined;
  const indexed = !first.startsWith("_");
  if (indexed && second === "_doc" && third !== undefined && segments.length === 3)
    return method === "GET" ? "get" : undefined;
  const endpoint = indexed ? second : first;
  if (endpoint === undefined || segments.length !== (indexed ? 2 : 1)) return undefined;
  const kind = ENDPOINTS[endpoint];
  if (kind === undefined) return undefined;
  if (renames && (kind === "msearch" || kind === "mget")) return undefined;
  return kind;
}

/** A search request body that uses a point in time (its id is valid on the source only). */
export function usesPit(body: Buffer): boolean {
  if (body.length === 0) return false;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    return parsed !== null && typeof parsed === "object" && "pit" in parsed;
  } catch {
    return false;
  }
}

type Tree = Record<string, unknown>;

function tree(value: unknown): Tree {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isRawJson(value)
    ? (value as Tree)
    : {};
}

function literal(value: unknown): string | undefined {
  return isRawJson(value) ? value.rawJSON : undefined;
}

/** Every difference between the source's and the target's answer to one mirrored read. */
export function compareShadow(
  kind: ShadowKind,
  source: { status: number; text: string },
  target: { status: number; text: string },
  compareSearch: SearchComparer,
): ShadowDifference[] {
  // A get answers 404 for a missing document: "found" names that difference better than the status.
  const docStatus = (n: number) => n === 200 || n === 404;
  const bothDocs = kind === "get" && docStatus(source.status) && docStatus(target.status);
  if (source.status !== target.status && !bothDocs)
    return [{ part: "status", detail: `status ${source.status} ≠ ${target.status}` }];
  // Both refused alike: the same answer as far as users notice (a get's 404 still says "not found").
  if (source.status >= 300 && !bothDocs) return [];
  switch (kind) {
    case "search":
      return searchDifferences("", losslessParse(source.text), losslessParse(target.text), compareSearch);
    case "count": {
      const s = literal(tree(losslessParse(source.text)).count);
      const t = literal(tree(losslessParse(target.text)).count);
      return s === t ? [] : [{ part: "count", detail: `count ${s ?? "(absent)"} ≠ ${t ?? "(absent)"}` }];
    }
    case "msearch":
      return msearchDifferences(losslessParse(source.text), losslessParse(target.text), compareSearch);
    case "get":
      return docDifferences(rawDoc(source.text, 0), rawDoc(target.text, 0));
    case "mget":
      return mgetDifferences(source.text, target.text);
    default:
      return kind satisfies never;
  }
}

function searchDifferences(
  label: string,
  source: unknown,
  target: unknown,
  compareSearch: SearchComparer,
): ShadowDifference[] {
  return compareSearch(source, target).map((line) => ({
    part: line.startsWith("total") ? "total" : "ids",
    detail: `${label}${line}`,
  }));
}

function msearchDifferences(source: unknown, target: unknown, compareSearch: SearchComparer) {
  const a = tree(source).responses;
  const b = tree(target).responses;
  const sl = Array.isArray(a) ? a : [];
  const tl = Array.isArray(b) ? b : [];
  if (sl.length !== tl.length) return [{ part: "status", detail: `${sl.length} response(s) ≠ ${tl.length}` }];
  return sl.flatMap((s, i): ShadowDifference[] => {
    const ss = literal(tree(s).status);
    const ts = literal(tree(tl[i]).status);
    if (ss !== ts) return [{ part: "status", detail: `[${i}] status ${ss} ≠ ${ts}` }];
    if ("error" in tree(s)) return [];
    return searchDifferences(`[${i}] `, s, tl[i], compareSearch);
  });
}

interface RawDoc {
  readonly id: string | undefined;
  readonly found: boolean;
  /** The `_source` exactly as the cluster sent it. */
  readonly source: string | undefined;
}

function rawDoc(text: string, start: number): RawDoc & { end: number } {
  let id: string | undefined;
  let found = false;
  let source: string | undefined;
  const end = members(text, start, (key, s, e) => {
    if (key === "_id") id = JSON.parse(text.slice(s, e)) as string;
    else if (key === "found") found = text.slice(s, e) === "true";
    else if (key === "_source") source = text.slice(s, e);
  });
  return { id, found, source, end };
}

function docDifferences(s: RawDoc, t: RawDoc, label = ""): ShadowDifference[] {
  if (s.found !== t.found)
    return [
      {
        part: "found",
        detail: `${label}${s.found ? "found on the source only" : "found on the target only"}`,
      },
    ];
  if (s.source !== t.source) return [{ part: "source", detail: `${label}_source differs` }];
  return [];
}

function mgetDifferences(sourceText: string, targetText: string): ShadowDifference[] {
  const docsOf = (text: string): RawDoc[] => {
    const out: RawDoc[] = [];
    const start = text.indexOf("{");
    if (start < 0) return out;
    fields(text, start, (key, s) => {
      if (key !== "docs") return undefined;
      return elements(text, s, (at) => {
        const doc = rawDoc(text, at);
        out.push(doc);
        return doc.end;
      });
    });
    return out;
  };
  const a = docsOf(sourceText);
  const b = docsOf(targetText);
  if (a.length !== b.length) return [{ part: "found", detail: `${a.length} doc(s) ≠ ${b.length}` }];
  return a.flatMap((d, i) =>
    docDifferences(d, b[i] ?? { id: undefined, found: false, source: undefined }, `${d.id ?? `[${i}]`}: `),
  );
}
