import { createHash } from "node:crypto";
import type { Requester } from "../cluster/index.ts";
import { canonicalText, parseSearchPage, type RawHit } from "../json/index.ts";

/**
 * Content digest of an index: every document's `_id`, `_routing` and `_source`, combined so that the
 * order documents come back in does not matter. Two indices with equal digests hold the same documents.
 * `_source` is read as text and compared in a canonical form (keys sorted, numbers and strings exactly
 * as written): a long rounded above 2^53, `1.0` written as `1` or a changed escape is a difference,
 * which a digest over `JSON.parse`d documents would not see.
 *
 * Per-document hashes are added modulo 2^256 rather than XORed, so a document present twice (same
 * `_id` under two routings) does not cancel itself out.
 */
export interface IndexDigest {
  readonly index: string;
  readonly count: number;
  /** sha256-sized hex sum of the per-document hashes. */
  readonly digest: string;
  /** `_routing/_id` (or `_id`) → per-document hash; present when `keepDocuments` was asked for. */
  readonly documents?: ReadonlyMap<string, string>;
}

export interface DigestOptions {
  /** Keep every document's hash so `compareDigests` can name the documents that differ. */
  readonly keepDocuments?: boolean;
  /** Documents per scroll page. */
  readonly pageSize?: number;
  readonly signal?: AbortSignal;
}

const MOD = 1n << 256n;

/** An index digest is the sum of its documents' hashes mod 2^256: the order documents are read in does not matter. */
export function addHash(sum: bigint, hash: string): bigint {
  return (sum + BigInt(`0x${hash}`)) % MOD;
}

export function digestHex(sum: bigint): string {
  return sum.toString(16).padStart(64, "0");
}

export function documentHash(id: string, routing: string | undefined, source: string | undefined): string {
  return createHash("sha256")
    .update(id)
    .update("\0")
    .update(routing ?? "")
    .update("\0")
    .update(source === undefined ? "null" : canonicalText(source))
    .digest("hex");
}

function documentKey(hit: RawHit): string {
  return hit._routing === undefined ? hit._id : `${hit._routing}/${hit._id}`;
}

/**
 * Scrolls a whole index in `_doc` order (the cheapest), handing each page's hits over as raw text;
 * the scroll is cleared however it ends. Works on 1.x–3.x and ES 6/7.
 */
export async function scrollHits(
  cluster: Requester,
  index: string,
  onHits: (hits: readonly RawHit[]) => void,
  options: { readonly pageSize?: number; readonly signal?: AbortSignal } = {},
): Promise<void> {
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  // Read as text: a parsed answer has already rounded the numbers a digest must see.
  const first = await cluster.request<string>({
    method: "POST",
    path: `/${encodeURIComponent(index)}/_search`,
    querystring: { scroll: "2m" },
    body: { size: options.pageSize ?? 1000, sort: ["_doc"], query: { match_all: {} } },
    idempotent: true,
    raw: true,
    ...signal,
  });
  let page = parseSearchPage(first.body);
  let scrollId = page.scrollId;
  try {
    while (page.hits.length > 0) {
      onHits(page.hits);
      if (scrollId === undefined) break;
      const next = await cluster.request<string>({
        method: "POST",
        path: "/_search/scroll",
        body: { scroll: "2m", scroll_id: scrollId },
        idempotent: true,
        raw: true,
        ...signal,
      });
      page = parseSearchPage(next.body);
      scrollId = page.scrollId ?? scrollId;
    }
  } finally {
    if (scrollId !== undefined) {
      await cluster
        .request({
          method: "DELETE",
          path: "/_search/scroll",
          body: { scroll_id: [scrollId] },
          allowStatus: [404],
        })
        .catch(() => undefined);
    }
  }
}

/** Scrolls the whole index and digests it. */
export async function digestIndex(
  cluster: Requester,
  index: string,
  options: DigestOptions = {},
): Promise<IndexDigest> {
  const documents = options.keepDocuments === true ? new Map<string, string>() : undefined;
  let sum = 0n;
  let count = 0;
  await scrollHits(
    cluster,
    index,
    (hits) => {
      for (const hit of hits) {
        const hash = documentHash(hit._id, hit._routing, hit.source);
        sum = addHash(sum, hash);
        count += 1;
        documents?.set(documentKey(hit), hash);
      }
    },
    options,
  );
  return {
    index,
    count,
    digest: digestHex(sum),
    ...(documents === undefined ? {} : { documents }),
  };
}

export interface DigestComparison {
  readonly equal: boolean;
  readonly sourceCount: number;
  readonly targetCount: number;
  /** Document keys (`routing/id` or `id`), at most `limit` of each kind. */
  readonly missingOnTarget: readonly string[];
  readonly extraOnTarget: readonly string[];
  readonly different: readonly string[];
}

/** Names the documents that differ; both digests need `keepDocuments` for the lists to be filled. */
export function compareDigests(source: IndexDigest, target: IndexDigest, limit = 20): DigestComparison {
  const missing: string[] = [];
  const extra: string[] = [];
  const different: string[] = [];
  if (source.documents !== undefined && target.documents !== undefined) {
    for (const [key, hash] of source.documents) {
      const other = target.documents.get(key);
      if (other === undefined) {
        if (missing.length < limit) missing.push(key);
      } else if (other !== hash && different.length < limit) different.push(key);
    }
    for (const key of target.documents.keys()) {
      if (!source.documents.has(key) && extra.length < limit) extra.push(key);
    }
  }
  return {
    equal: source.digest === target.digest && source.count === target.count,
    sourceCount: source.count,
    targetCount: target.count,
    missingOnTarget: missing,
    extraOnTarget: extra,
    different,
  };
}
