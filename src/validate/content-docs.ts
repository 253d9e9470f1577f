/**
 * Documents fetched by key (`_mget`) and compared pair by pair: how the engine confirms a digest
 * mismatch, looks up a sampled document on the other side, and re-checks differences later.
 */
import type { Requester } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { parseMget } from "../json/index.ts";
import { firstDifference } from "./content-diff.ts";
import type { ContentOptions, DocDifference, DocKey, Side } from "./content-types.ts";

/** A document as `_mget` returned it: `_source` is the exact JSON text the cluster sent. */
export interface FetchedDoc {
  readonly found: boolean;
  readonly routing?: string;
  readonly source?: string;
}

/** Keys per `_mget`: large enough to amortise the round trip, small enough to keep answers a few MB. */
export const MGET_BATCH = 500;

const NOT_FOUND: FetchedDoc = { found: false };

/** The docs of an `_mget` answer, in request order, and the lookups that failed. */
export function parseMgetAnswer(text: string): { docs: FetchedDoc[]; errors: string[] } {
  const docs: FetchedDoc[] = [];
  const errors: string[] = [];
  for (const doc of parseMget(text)) {
    if (doc.error !== undefined) errors.push(doc.error);
    docs.push(doc.found ? doc : NOT_FOUND);
  }
  return { docs, errors };
}

/** Fetches `keys` from `index` (routing passed where the key has one), in order. */
export async function fetchDocs(
  cluster: Requester,
  side: Side,
  index: string,
  keys: readonly DocKey[],
  signal?: AbortSignal,
): Promise<FetchedDoc[]> {
  if (keys.length === 0) return [];
  const docs = keys.map((k) => (k.routing === undefined ? { _id: k.id } : { _id: k.id, routing: k.routing }));
  const res = await cluster.request<string>({
    method: "POST",
    path: `/${encodeURIComponent(index)}/_mget`,
    body: { docs },
    idempotent: true,
    raw: true,
    ...(signal === undefined ? {} : { signal }),
  });
  const answer = parseMgetAnswer(res.body);
  if (answer.errors.length > 0 || answer.docs.length !== keys.length) {
    throw new BluegreenError(
      "BG_CLUSTER_RESPONSE",
      `Fetching documents of ${index} from the ${side} failed: ${answer.errors[0] ?? `${answer.docs.length} answers for ${keys.length} keys`}.`,
      {
        fix: `Check the ${side} cluster's health and that ${index} is readable there, then validate again.`,
        retryable: true,
        details: { side, index },
      },
    );
  }
  return answer.docs;
}

/**
 * What differs between the two sides' copies of one document, or undefined when they are the same
 * (or gone from both). A document found under another routing than the key's (possible when both
 * routings lead to the same shard) is a `_routing` difference.
 */
export function compareDocs(key: DocKey, source: FetchedDoc, target: FetchedDoc): DocDifference | undefined {
  const base: DocKey = key.routing === undefined ? { id: key.id } : { id: key.id, routing: key.routing };
  if (!source.found) return target.found ? { ...base, kind: "extra" } : undefined;
  if (!target.found) return { ...base, kind: "missing" };
  if (source.routing !== target.routing) {
    return {
      ...base,
      kind: "differs",
      path: "_routing",
      ...literal("source", source.routing),
      ...literal("target", target.routing),
    };
  }
  if (source.source === target.source) return undefined;
  if (source.source === undefined || target.source === undefined) {
    // `_source` disabled on one side only: nothing to compare field by field.
    return {
      ...base,
      kind: "differs",
      path: "_source",
      ...(source.source === undefined ? {} : { source: "(present)" }),
      ...(target.source === undefined ? {} : { target: "(present)" }),
    };
  }
  const difference = firstDifference(source.source, target.source);
  return difference === undefined ? undefined : { ...base, kind: "differs", ...difference };
}

function literal(side: Side, value: string | undefined): Partial<Record<Side, string>> {
  return value === undefined ? {} : { [side]: JSON.stringify(value) };
}

/** Fetches `keys` on both sides in parallel and compares each pair. */
export async function fetchAndCompare(
  o: Pick<ContentOptions, "source" | "target" | "sourceIndex" | "targetIndex" | "signal">,
  keys: readonly DocKey[],
): Promise<(DocDifference | undefined)[]> {
  const [sources, targets] = await Promise.all([
    fetchDocs(o.source, "source", o.sourceIndex, keys, o.signal),
    fetchDocs(o.target, "target", o.targetIndex, keys, o.signal),
  ]);
  return keys.map((key, i) => compareDocs(key, sources[i] ?? NOT_FOUND, targets[i] ?? NOT_FOUND));
}

/**
 * Re-reads just these documents on both sides (`_mget`) and compares them again: for settling
 * differences while sync catches up. A document that is now equal on both sides, or gone from both,
 * has settled.
 */
export async function recheck(
  o: Pick<ContentOptions, "source" | "target" | "sourceIndex" | "targetIndex" | "signal">,
  keys: readonly DocKey[],
): Promise<{ readonly settled: readonly DocKey[]; readonly persistent: readonly DocDifference[] }> {
  const settled: DocKey[] = [];
  const persistent: DocDifference[] = [];
  for (let i = 0; i < keys.length; i += MGET_BATCH) {
    const batch = keys.slice(i, i + MGET_BATCH);
    const outcomes = await fetchAndCompare(o, batch);
    batch.forEach((key, j) => {
      const difference = outcomes[j];
      if (difference === undefined) settled.push(key);
      else persistent.push(difference);
    });
  }
  return { settled, persistent };
}
