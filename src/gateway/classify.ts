/**
 * Which requests the gateway treats as writes, decided by method and path alone (never by "is it a
 * POST": `POST _search` is a read and must not pay for the log).
 */

/** One document operation, as a `_bulk` action names it. */
export type DocOp = "index" | "create" | "update" | "delete";

export type RequestClass =
  /** Passed straight through, never logged. */
  | { readonly kind: "read" }
  /** A single-document write; `id` is undefined for `POST /idx/_doc` (the gateway assigns one). */
  | {
      readonly kind: "doc";
      readonly op: DocOp;
      readonly index: string;
      readonly id: string | undefined;
      /** Set for an auto-id index on a typed path (see classifyTyped), which is forwarded as sent. */
      readonly type?: string;
    }
  | { readonly kind: "bulk"; readonly index: string | undefined }
  /**
   * A write that is replayed as the same request: by-query, `_reindex`, and index, alias, template,
   * pipeline and script administration.
   */
  | { readonly kind: "request"; readonly index: string | undefined };

const READ = { kind: "read" } as const;

/** Index-level endpoints that change data or metadata the target must also get. */
const INDEX_WRITE_ENDPOINTS = new Set([
  "_delete_by_query",
  "_update_by_query",
  "_mapping",
  "_mappings",
  "_settings",
  "_alias",
  "_aliases",
  "_close",
  "_open",
  // A client's own write block: the target copy must refuse writes the same way.
  "_block",
  // Resize and rollover create an index (and move an alias) that the target must have too.
  "_split",
  "_clone",
  "_shrink",
  "_rollover",
]);

/** Cluster-level endpoints whose writes are replayed. Others (`_cluster`, most of `_snapshot`) are not. */
const CLUSTER_WRITE_ENDPOINTS = new Set([
  "_aliases",
  "_index_template",
  "_component_template",
  "_template",
  "_ingest",
  "_scripts",
  "_reindex",
  "_delete_by_query",
  "_update_by_query",
  "_data_stream",
]);

/** Typed paths' index-level writes (`/{index}/{type}/<endpoint>`) that are replayed as requests. */
const TYPED_REQUEST_ENDPOINTS = new Set(["_update_by_query", "_delete_by_query", "_mapping", "_mappings"]);

/** Endpoints a typed cluster routes under `/{index}/{type}/` that only read. */
const TYPED_READ_ENDPOINTS = new Set([
  "_search",
  "_count",
  "_msearch",
  "_mget",
  "_validate",
  "_termvectors",
  "_mtermvectors",
]);

/**
 * Whether what `pathname` means depends on the cluster's generation: `/{index}/{type}/...`, and
 * `/{index}/_doc/...` past a plain id. Elasticsearch and OpenSearch 1.x route the typed document API
 * (`PUT /idx/mytype/1`, `POST /idx/_doc/_bulk` as a bulk, `/idx/_doc/1/_update`); OpenSearch 2.0
 * removed it, so there `POST /idx/_doc/_bulk` indexes a document whose id is `_bulk`.
 */
export function typeSensitive(pathname: string): boolean {
  const segments = pathname.split("/").filter((s) => s !== "");
  const [first, second, third] = segments;
  if (first === undefined || second === undefined || first.startsWith("_")) return false;
  if (!second.startsWith("_")) return true;
  return second === "_doc" && (segments.length > 3 || third?.startsWith("_") === true);
}

/**
 * `/{index}/{type}/...` on a cluster that routes the typed API (see typeSensitive), as that cluster
 * routes it; `rest` is what follows the type. Passed through as reads, these writes would reach the
 * source without being logged.
 */
function classifyTyped(method: string, index: string, type: string, rest: readonly string[]): RequestClass {
  const [third, fourth, fifth] = rest;
  if (third === undefined) {
    if (method !== "POST") return READ;
    return { kind: "doc", op: "index", index, id: undefined, ...(type === "_doc" ? {} : { type }) };
  }
  if (TYPED_READ_ENDPOINTS.has(third)) return READ;
  if (fourth === undefined && third === "_bulk") return { kind: "bulk", index };
  if (TYPED_REQUEST_ENDPOINTS.has(third)) return fourth === undefined ? { kind: "request", index } : READ;
  // Anything else in third place is an id, `_`-prefixed or not, as these clusters route it.
  const id = decodeURIComponent(third);
  if (fifth !== undefined) return READ;
  if (fourth === undefined) {
    if (method === "DELETE") return { kind: "doc", op: "delete", index, id };
    return method === "PUT" || method === "POST" ? { kind: "doc", op: "index", index, id } : READ;
  }
  if (fourth === "_create" && method !== "DELETE") return { kind: "doc", op: "create", index, id };
  if (fourth === "_update" && method === "POST") return { kind: "doc", op: "update", index, id };
  return READ;
}

export function isMutatingMethod(method: string): boolean {
  return method === "PUT" || method === "POST" || method === "DELETE" || method === "PATCH";
}

/**
 * `pathname` must be the decoded-enough path without the query string. `typed`: the cluster the request
 * goes to routes the typed API (needed only where typeSensitive says so; see there).
 */
export function classify(method: string, pathname: string, typed = false): RequestClass {
  if (!isMutatingMethod(method)) return READ;
  const segments = pathname.split("/").filter((s) => s !== "");
  const [first, second, third, fourth] = segments;
  if (first === undefined) return READ;
  if (first.startsWith("_")) {
    if (first === "_bulk" && segments.length === 1) return { kind: "bulk", index: undefined };
    if (CLUSTER_WRITE_ENDPOINTS.has(first)) {
      // `_ingest/pipeline/_simulate` and `_scripts/painless/_execute` only compute; `_reindex/<task>/
      // _rethrottle` changes a running task's speed, a task only the source has.
      if (segments.includes("_simulate") || segments.includes("_execute") || segments.includes("_rethrottle"))
        return READ;
      return { kind: "request", index: undefined };
    }
    // A restore rewrites indices' contents (and may reopen them): the target must restore the same
    // snapshot at the same point, from the same repository (its registration is replayed too, made
    // read-only there: see replay/portable.ts). Taking or deleting a snapshot changes no index.
    if (first === "_snapshot" && method !== "PATCH") {
      if (segments.length === 4 && fourth === "_restore" && method === "POST")
        return { kind: "request", index: undefined };
      // One named repository only: `DELETE /_snapshot/*` replayed would also remove the target's own
      // repositories (bluegreen's among them), which the source never had.
      if (segments.length === 2 && second !== undefined && /^[^_*,][^*,]*$/.test(safeDecode(second)))
        return { kind: "request", index: undefined };
    }
    return READ;
  }
  const index = decodeURIComponent(first);
  if (typed && second !== undefined && (second === "_doc" || !second.startsWith("_"))) {
    return classifyTyped(method, index, decodeURIComponent(second), segments.slice(2));
  }
  if (second === undefined) {
    // PUT /idx creates, DELETE /idx deletes; POST /idx is not an API.
    return method === "PUT" || method === "DELETE" ? { kind: "request", index } : READ;
  }
  if (second === "_bulk" && third === undefined) return { kind: "bulk", index };
  const id = third === undefined ? undefined : decodeURIComponent(third);
  if (fourth === undefined) {
    if (second === "_doc") {
      if (id === undefined) return method === "POST" ? { kind: "doc", op: "index", index, id } : READ;
      if (method === "DELETE") return { kind: "doc", op: "delete", index, id };
      return { kind: "doc", op: "index", index, id };
    }
    if (second === "_create" && id !== undefined && method !== "DELETE")
      return { kind: "doc", op: "create", index, id };
    if (second === "_update" && id !== undefined && method === "POST")
      return { kind: "doc", op: "update", index, id };
  }
  if (INDEX_WRITE_ENDPOINTS.has(second)) return { kind: "request", index };
  return READ;
}

/** A path segment decoded as the cluster will read it; undecodable text stays as sent (and is refused there). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
