/**
 * Full comparison: both indices read completely and in parallel with the stream copier's slice reader
 * (sliced point in time on OpenSearch ≥ 2.4, sliced scroll before), each document's digest appended to
 * the on-disk table, then the table grouped by key to name what is missing, extra or different.
 */
import { ContextLost, type ReadMode, SliceReader } from "../backfill/stream/reader.ts";
import { chooseSlices } from "../backfill/stream/runner.ts";
import { detectCapabilities, type Requester, tryParseVersion } from "../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import { fetchAndCompare, MGET_BATCH } from "./content-docs.ts";
import type { DifferenceSink } from "./content-sink.ts";
import type { DigestStore, Unmatched } from "./content-store.ts";
import type { ContentOptions, DocDifference, DocKey, Side } from "./content-types.ts";

/**
 * Readers per side, as the stream copier's. Pages stay at 1,000 documents: the copier's 2,000 stop at
 * about 2 MiB of `_source`, a bound this reader (which holds two sides' pages) does not keep.
 */
const READERS = 2;
const PAGE_SIZE = 1_000;
const KEEP_ALIVE_MS = 600_000;
/** Reads of one slice before giving up: a lost point in time or a failed scroll restarts the slice. */
const ATTEMPTS = 3;
/** Settled differences held back (to keep the file in key order) while candidates wait for `_mget`. */
const PENDING_MAX = 4_096;

interface SidePlan {
  readonly side: Side;
  readonly cluster: Requester;
  readonly index: string;
  readonly mode: ReadMode;
  readonly slices: number;
}

export interface FullCounts {
  readonly sourceDocs: number;
  readonly targetDocs: number;
  readonly compared: number;
}

export async function compareFull(
  o: ContentOptions,
  store: DigestStore,
  sink: DifferenceSink,
): Promise<FullCounts> {
  const abort = new AbortController();
  const signal = o.signal === undefined ? abort.signal : AbortSignal.any([o.signal, abort.signal]);
  const plans = await Promise.all([
    planSide("source", o.source, o.sourceIndex, signal),
    planSide("target", o.target, o.targetIndex, signal),
  ]);
  const reads = plans.map((p) =>
    readSide(p, store, signal, () => o.onProgress?.({ side: p.side, docs: store.count(p.side) })).catch(
      (error: unknown) => {
        abort.abort(error);
        throw error;
      },
    ),
  );
  // Every reader must have stopped before the table is read or closed, failed or not.
  const outcomes = await Promise.allSettled(reads);
  const failed = outcomes.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
  const sourceDocs = store.count("source");
  // The usual outcome, an equal copy, needs no grouping: the sums already prove it.
  const sourceOnly = store.sidesAgree() ? 0 : await settleUnmatched(o, store, sink);
  return { sourceDocs, targetDocs: store.count("target"), compared: sourceDocs - sourceOnly };
}

async function planSide(
  side: Side,
  cluster: Requester,
  index: string,
  signal: AbortSignal,
): Promise<SidePlan> {
  try {
    const [root, settings, count] = await Promise.all([
      cluster.request<{ version?: { number?: string; distribution?: string } }>({
        method: "GET",
        path: "/",
        signal,
      }),
      cluster.request<Record<string, { settings: { index: { number_of_shards: string } } }>>({
        method: "GET",
        path: `/${encodeURIComponent(index)}/_settings/index.number_of_shards`,
        signal,
      }),
      cluster.request<{ count?: number }>({
        method: "GET",
        path: `/${encodeURIComponent(index)}/_count`,
        signal,
      }),
    ]);
    const version = tryParseVersion(root.body.version?.number ?? "") ?? { major: 0, minor: 0, patch: 0 };
    const distribution = root.body.version?.distribution === "opensearch" ? "opensearch" : "elasticsearch";
    const pit = detectCapabilities({ distribution, version, plugins: [], modules: [] }).pit;
    const shards = Number(Object.values(settings.body)[0]?.settings.index.number_of_shards ?? 1);
    // Slicing a shard by `_id` fails ("field _id not found") on an index that never had a mapping,
    // such as a target not yet written to; an empty index is read in one slice.
    const slices = count.body.count === 0 ? 1 : chooseSlices(shards, undefined);
    return { side, cluster, index, mode: pit ? "pit" : "scroll", slices };
  } catch (error) {
    throw readFailure(side, index, error, signal);
  }
}

/** `READERS` loops take the side's slices one after the other. */
async function readSide(
  p: SidePlan,
  store: DigestStore,
  signal: AbortSignal,
  onPage: () => void,
): Promise<void> {
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < p.slices) {
      const slice = next++;
      await readSlice(p, slice, store, signal, onPage);
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(READERS, p.slices) }, loop));
  const failed = outcomes.find((r) => r.status === "rejected");
  if (failed !== undefined) throw failed.reason;
}

async function readSlice(
  p: SidePlan,
  slice: number,
  store: DigestStore,
  signal: AbortSignal,
  onPage: () => void,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const reader = new SliceReader({
      source: p.cluster,
      index: p.index,
      mode: p.mode,
      slice,
      slices: p.slices,
      keepAliveMs: KEEP_ALIVE_MS,
      versions: false,
      signal,
    });
    try {
      await reader.open();
      // The next page is asked for before this one is digested, so the cluster works meanwhile.
      let pending = reader.next(PAGE_SIZE);
      for (;;) {
        const page = await pending;
        if (page === undefined) return;
        pending = reader.next(PAGE_SIZE);
        pending.catch(() => undefined); // awaited on the next turn; this only avoids an unhandled rejection
        store.add(p.side, slice, page.hits);
        onPage();
      }
    } catch (error) {
      const restartable = error instanceof ContextLost || (isBluegreenError(error) && error.retryable);
      if (signal.aborted || !restartable || attempt >= ATTEMPTS)
        throw readFailure(p.side, p.index, error, signal);
      // Start the slice over in a fresh context; what it read so far is read again.
      store.dropSlice(p.side, slice);
      onPage();
    } finally {
      await reader.close();
    }
  }
}

/** A read error named for validation: which side, which index (the reader's own speaks of backfill). */
function readFailure(side: Side, index: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? error;
  const cause =
    isBluegreenError(error, "BG_BACKFILL_SOURCE") && isBluegreenError(error.cause) ? error.cause : error;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new BluegreenError(
    isBluegreenError(cause) ? cause.code : "BG_CLUSTER_RESPONSE",
    `Reading ${index} on the ${side} for validation failed: ${message}`,
    {
      cause,
      retryable: isBluegreenError(cause) ? cause.retryable : true,
      fix:
        (isBluegreenError(cause) ? cause.fix : undefined) ??
        `Check the ${side} cluster, then validate again.`,
      details: { ...(isBluegreenError(cause) ? cause.details : {}), side, index },
    },
  );
}

type Pending = DocDifference | { readonly candidate: DocKey };

/**
 * Walks the unmatched keys in key order and names each difference; returns how many source keys had
 * no counterpart (for the compared count). A key on both sides with different digests is fetched
 * from both and compared field by field: texts that differ only in whitespace or key order are equal.
 */
async function settleUnmatched(o: ContentOptions, store: DigestStore, sink: DifferenceSink): Promise<number> {
  const pending: Pending[] = [];
  let candidates = 0;
  let sourceOnly = 0;
  const flush = async (): Promise<void> => {
    const keys = pending.flatMap((p) => ("candidate" in p ? [p.candidate] : []));
    const outcomes = keys.length === 0 ? [] : await fetchAndCompare(o, keys);
    let k = 0;
    for (const p of pending) {
      const difference = "candidate" in p ? outcomes[k++] : p;
      if (difference !== undefined) sink.add(difference);
    }
    pending.length = 0;
    candidates = 0;
  };
  const settle = (group: readonly Unmatched[]): void => {
    const sourceRows = group.filter((r) => r.source && !r.target);
    const targetRows = group.filter((r) => r.target && !r.source);
    sourceOnly += sourceRows.length;
    const [from] = sourceRows;
    const [to] = targetRows;
    if (sourceRows.length === 1 && targetRows.length === 1 && from !== undefined && to !== undefined) {
      // One `_id` under one routing on the source and another on the target: the routing changed.
      sourceOnly -= 1;
      pending.push({
        ...key(from),
        kind: "differs",
        path: "_routing",
        ...(from.routing === undefined ? {} : { source: JSON.stringify(from.routing) }),
        ...(to.routing === undefined ? {} : { target: JSON.stringify(to.routing) }),
      });
    } else {
      for (const r of sourceRows) pending.push({ ...key(r), kind: "missing" });
      for (const r of targetRows) pending.push({ ...key(r), kind: "extra" });
    }
    for (const r of group) {
      if (r.source && r.target) {
        pending.push({ candidate: key(r) });
        candidates++;
      }
    }
  };
  let group: Unmatched[] = [];
  for (const row of store.unmatched()) {
    if (group.length > 0 && group[0]?.id !== row.id) {
      settle(group);
      group = [];
      if (candidates >= MGET_BATCH || pending.length >= PENDING_MAX) await flush();
    }
    group.push(row);
  }
  settle(group);
  await flush();
  return sourceOnly;
}

function key(r: Unmatched): DocKey {
  return r.routing === undefined ? { id: r.id } : { id: r.id, routing: r.routing };
}
