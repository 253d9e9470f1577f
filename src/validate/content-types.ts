import type { Requester } from "../cluster/index.ts";

/**
 * A document's identity in an index: its `_id` and, when it was written with one, its custom
 * routing. The same `_id` under two routings is two documents (they can live on different shards).
 */
export interface DocKey {
  readonly id: string;
  readonly routing?: string;
}

/**
 * One named difference between the source and the target index. `missing`: on the source, not on the
 * target; `extra`: on the target only; `differs`: on both, with the first differing field path and
 * the literal value each side holds there (about 200 characters at most). A document whose routing
 * changed (same `_id`, another routing) is one `differs` at path `_routing`, keyed by the source's routing.
 */
export type DocDifference =
  | (DocKey & { readonly kind: "missing" })
  | (DocKey & { readonly kind: "extra" })
  | (DocKey & {
      readonly kind: "differs";
      readonly path: string;
      readonly source?: string;
      readonly target?: string;
    });

export type ContentMode =
  | { readonly kind: "full" }
  | { readonly kind: "sample"; readonly size: number; readonly seed: number };

export interface ContentOptions {
  readonly source: Requester;
  readonly target: Requester;
  readonly sourceIndex: string;
  /** The target may hold the index under another name (backfill renames). */
  readonly targetIndex: string;
  readonly mode: ContentMode;
  /** A directory for on-disk state (the digest table); created if needed, deleted at the end. */
  readonly workDir: string;
  /** Every difference goes here as NDJSON, one per line (created or overwritten). */
  readonly differencesFile: string;
  /** How many differences to return in `first` (default 50). */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { readonly side: "source" | "target"; readonly docs: number }) => void;
}

export interface ContentResult {
  readonly mode: "full" | "sample";
  /** Documents read per side (full) or sampled per side (sample). */
  readonly sourceDocs: number;
  readonly targetDocs: number;
  /** Documents found on both sides and compared. */
  readonly compared: number;
  readonly differences: number;
  readonly byKind: { readonly missing: number; readonly extra: number; readonly differs: number };
  readonly first: readonly DocDifference[];
  readonly sample?: {
    readonly size: number;
    readonly seed: number;
    readonly how: string;
    readonly confidence: string;
  };
  readonly seconds: number;
}

export type Side = "source" | "target";
