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
  | { readonly kind: "doc"; readonly op: DocOp; readonly index: string; readonly id: string | undefined }
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

/** Cluster-level endpoints whose writes are replayed. Others (`_cluster`, `_snapshot`, ...) are not. */
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

export function isMutatingMethod(method: string): boolean {
  return method === "PUT" || method === "POST" || method === "DELETE" || method === "PATCH";
}

/** `pathname` must be the decoded-enough path without the query string. */
export function classify(method: string, pathname: string): RequestClass {
  if (!isMutatingMethod(method)) return READ;
  const segments = pathname.split("/").filter((s) => s !== "");
  const [first, second, third, fourth] = segments;
  if (first === undefined) return READ;
  if (first.startsWith("_")) {
    if (first === "_bulk" && segments.length === 1) return { kind: "bulk", index: undefined };
    if (CLUSTER_WRITE_ENDPOINTS.has(first)) {
      // `_ingest/pipeline/_simulate` and `_scripts/painless/_execute` only compute.
      if (segments.includes("_simulate") || segments.includes("_execute")) return READ;
      return { kind: "request", index: undefined };
    }
    return READ;
  }
  const index = decodeURIComponent(first);
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
