/**
 * Sampled comparison: a seeded, reproducible random sample drawn on each side and looked up on the
 * other. The source's sample finds missing and different documents, the target's finds extras.
 */
import type { Requester } from "../cluster/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { parseSearchPage, type RawHit } from "../json/index.ts";
import { compareDocs, type FetchedDoc, fetchDocs, MGET_BATCH } from "./content-docs.ts";
import type { DifferenceSink } from "./content-sink.ts";
import type { ContentOptions, DocKey, Side } from "./content-types.ts";

/** The most hits one search may return (`index.max_result_window`'s default); larger samples page. */
const PAGE_MAX = 10_000;

export interface SampleCounts {
  readonly sourceDocs: number;
  readonly targetDocs: number;
  readonly compared: number;
  readonly how: string;
  readonly confidence: string;
}

export async function compareSample(
  o: ContentOptions,
  size: number,
  seed: number,
  sink: DifferenceSink,
): Promise<SampleCounts> {
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(seed)) {
    throw new BluegreenError(
      "BG_USAGE",
      `A content sample needs a positive whole size and a whole seed (got ${size}, ${seed}).`,
      {
        fix: "Give --sample a number of documents of at least 1.",
      },
    );
  }
  // Keys of the source's sample, so a document drawn on both sides is compared once: at most `size` entries.
  const seen = new Set<string>();
  let compared = 0;
  let missingOrDiffers = 0;
  let extra = 0;
  const source = await drawSample(o, "source", size, seed, async (hits) => {
    const targets = await lookUp(o.target, "target", o.targetIndex, hits, o.signal);
    hits.forEach((hit, i) => {
      seen.add(keyText(hit));
      const target = targets[i] as FetchedDoc;
      if (target.found) compared++;
      const difference = compareDocs(keyOf(hit), found(hit), target);
      if (difference === undefined) return;
      missingOrDiffers++;
      sink.add(difference);
    });
  });
  const target = await drawSample(o, "target", size, seed, async (all) => {
    const hits = all.filter((hit) => !seen.has(keyText(hit)));
    const sources = await lookUp(o.source, "source", o.sourceIndex, hits, o.signal);
    hits.forEach((hit, i) => {
      const from = sources[i] as FetchedDoc;
      if (from.found) compared++;
      const difference = compareDocs(keyOf(hit), from, found(hit));
      if (difference === undefined) return;
      if (difference.kind === "extra") extra++;
      sink.add(difference);
    });
  });
  return {
    sourceDocs: source.drawn,
    targetDocs: target.drawn,
    compared,
    how:
      `random_score (seed ${seed}, field _seq_no) ranks every document of each index; the ${size} best ` +
      `of the source are looked up on the target by _id and routing (_mget) and compared field by field, ` +
      `and the ${size} best of the target are looked up on the source to find extras. The same seed on the ` +
      "same data draws the same documents (the score mixes the seed with each document's _seq_no, the " +
      "index name and the shard).",
    confidence: confidence(source, missingOrDiffers, target, extra),
  };
}

interface Drawn {
  /** Documents in the sample. */
  readonly drawn: number;
  /** Documents in the index when the sample was drawn. */
  readonly total: number;
}

/**
 * Pages through the `size` best-scoring documents of one side. Ties in score fall back to `_seq_no`,
 * so the order is fully determined by the data, never by which shard answers first.
 */
async function drawSample(
  o: ContentOptions,
  side: Side,
  size: number,
  seed: number,
  onPage: (hits: readonly RawHit[]) => Promise<void>,
): Promise<Drawn> {
  const cluster = side === "source" ? o.source : o.target;
  const index = side === "source" ? o.sourceIndex : o.targetIndex;
  let drawn = 0;
  let total = 0;
  let after: readonly unknown[] | undefined;
  while (drawn < size) {
    const res = await cluster.request<string>({
      method: "POST",
      path: `/${encodeURIComponent(index)}/_search`,
      body: {
        size: Math.min(PAGE_MAX, size - drawn),
        track_total_hits: true,
        query: {
          function_score: {
            query: { match_all: {} },
            random_score: { seed, field: "_seq_no" },
            boost_mode: "replace",
          },
        },
        sort: [{ _score: "desc" }, { _seq_no: "asc" }],
        ...(after === undefined ? {} : { search_after: after }),
      },
      idempotent: true,
      raw: true,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    if (drawn === 0) total = totalHits(res.body);
    const page = parseSearchPage(res.body);
    if (page.hits.length === 0) break;
    drawn += page.hits.length;
    after = page.after;
    for (let i = 0; i < page.hits.length; i += MGET_BATCH) await onPage(page.hits.slice(i, i + MGET_BATCH));
    o.onProgress?.({ side, docs: drawn });
  }
  return { drawn, total };
}

/** `hits.total.value` of a search answer given as text (its head is small; the hits are not parsed). */
function totalHits(text: string): number {
  const match = /"total"\s*:\s*\{\s*"value"\s*:\s*(\d+)/.exec(text.slice(0, 4096));
  return match === null ? 0 : Number(match[1]);
}

function lookUp(
  cluster: Requester,
  side: Side,
  index: string,
  hits: readonly RawHit[],
  signal: AbortSignal | undefined,
): Promise<FetchedDoc[]> {
  return fetchDocs(cluster, side, index, hits.map(keyOf), signal);
}

function keyOf(hit: RawHit): DocKey {
  return hit._routing === undefined ? { id: hit._id } : { id: hit._id, routing: hit._routing };
}

function keyText(hit: RawHit): string {
  return hit._routing === undefined ? `\u0000${hit._id}` : `${hit._routing}\u0000${hit._id}`;
}

function found(hit: RawHit): FetchedDoc {
  return {
    found: true,
    ...(hit._routing === undefined ? {} : { routing: hit._routing }),
    ...(hit.source === undefined ? {} : { source: hit.source }),
  };
}

const percent = (fraction: number): string => `${Number((fraction * 100).toPrecision(2))}%`;

/** What the sample proves: the rule of three when clean, the observed rate otherwise. */
function confidence(source: Drawn, bad: number, target: Drawn, extra: number): string {
  return `${part(source, bad, "missing on the target or different")}; ${part(target, extra, "extra (absent from the source)")}.`;
}

function part(side: Drawn, bad: number, what: string): string {
  const of = `${side.drawn} of ${side.total}`;
  if (side.drawn === 0) return `no documents sampled (${of}): nothing proven about documents ${what}`;
  if (side.drawn >= side.total) return `every document checked (${of}): ${bad} ${what}`;
  if (bad === 0) {
    return `${of} sampled documents clean: at 95% confidence fewer than ${percent(3 / side.drawn)} of documents are ${what} (rule of three)`;
  }
  return `${bad} of ${side.drawn} sampled documents ${what} (${percent(bad / side.drawn)}; about ${Math.round((bad / side.drawn) * side.total)} in the index)`;
}
