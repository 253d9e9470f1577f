/**
 * The `stream` backfill method: sliced reads, adaptive parallel `_bulk` writes, a checkpoint per slice
 * after every acknowledged page, leases when several workers share the work.
 */
import { join } from "node:path";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import { fromBytes, parseForTransform, toBytes } from "../../json/index.ts";
import { LeaseSliceStore } from "../leases/leases.ts";
import type { BackfillContext, BackfillMethodRunner, IndexResult, IndexTask } from "../types.ts";
import { Adaptive, ByteBudget, Gate, sleep, Throttle } from "./limits.ts";
import { ContextLost, type Hit, type ReadMode, SliceReader } from "./reader.ts";
import {
  type Claim,
  EMPTY_SLICE,
  LocalSliceStore,
  type SlicePlan,
  type SliceState,
  type SliceStore,
} from "./store.ts";
import { loadTransform, type Transform } from "./transform.ts";
import { applyTuning, readTuning, revertTuning } from "./tuning.ts";
import { BulkWriter, type StreamDoc, type WriterShared } from "./writer.ts";

/** Pages a slice may have in flight before it waits for the oldest: overlap reading and writing. */
const PAGES_IN_FLIGHT = 3;

/**
 * About this much `_source` per page: `backfill.batchSize` counts documents, and at 1,000 a page a
 * 10 KB document made 10 MB pages, held as bytes, as text and as bulk bodies at once by each reader
 * (peak RSS 394 MB in bench:backfill). Pages are sized to this from the documents seen so far, never
 * above batchSize.
 */
export const PAGE_BYTES = 2 * 1024 * 1024;
/**
 * Documents per page when `backfill.batchSize` is not set. Every page costs the source a query and a
 * fetch phase on each shard: reading 100k small documents in pages of 1,000 cost it 0.55–0.83
 * CPU-seconds, in pages of 5,000 0.38 (docs/backfill.md). 2,000 keeps 1 KB documents at PAGE_BYTES.
 */
export const STREAM_BATCH = 2_000;
/**
 * Before any document is seen, a document is guessed at this many times the index's store size per
 * document (`_source` JSON is larger than what the store keeps compressed): an underestimate only
 * makes the first page a little larger than PAGE_BYTES.
 */
const SOURCE_PER_STORED_BYTE = 3;

/** Documents per page for `avgBytes` per document, within [1, batchSize]. */
export function pageDocs(avgBytes: number, batchSize: number): number {
  if (!(avgBytes > 0)) return batchSize;
  return Math.max(1, Math.min(batchSize, Math.floor(PAGE_BYTES / avgBytes)));
}

interface ProcessShared extends WriterShared {
  readonly budget: ByteBudget;
  readonly transform: Promise<Transform | undefined>;
  readonly store: SliceStore;
}

/** One set of limits per backfill run (context), shared by every index it copies. */
const sharedByContext = new WeakMap<BackfillContext, ProcessShared>();

function shared(ctx: BackfillContext): ProcessShared {
  let s = sharedByContext.get(ctx);
  if (s === undefined) {
    const o = ctx.config.backfill.stream;
    const adaptive = new Adaptive(o.bulkBytes, {
      minBytes: Math.max(64 * 1024, Math.floor(o.bulkBytes / 4)),
      maxBytes: o.bulkBytes * 4,
      maxConcurrency: o.bulkConcurrency,
    });
    const transform = loadTransform(o.transform);
    transform.catch(() => undefined); // surfaces where it is awaited, at the first page
    s = {
      adaptive,
      gate: new Gate(() => adaptive.concurrency),
      throttle: new Throttle(
        o.docsPerSecond,
        o.mbPerSecond === undefined ? undefined : o.mbPerSecond * 1024 * 1024,
      ),
      budget: new ByteBudget(o.maxInFlightBytes),
      transform,
      store: storeFor(ctx),
    };
    sharedByContext.set(ctx, s);
  }
  return s;
}

function storeFor(ctx: BackfillContext): SliceStore {
  if (ctx.worker === undefined || ctx.worker.workers <= 1) return new LocalSliceStore(ctx.state);
  return new LeaseSliceStore({
    target: ctx.target,
    leaseIndex: ctx.config.backfill.stream.leaseIndex,
    migration: ctx.config.name,
    workerId: ctx.worker.id,
    ttlMs: ctx.config.backfill.stream.leaseTtlMs,
  });
}

/** Stops the heartbeat of a distributed run's leases; call once the run is over. */
export function closeStream(ctx: BackfillContext): void {
  const store = sharedByContext.get(ctx)?.store;
  if (store instanceof LeaseSliceStore) store.close();
}

/**
 * Slices: one per shard by default, each answered by its own shard alone. More than that, and the
 * source splits a shard by hashing every `_id` in it on every page: measured on a 2.11 source (one
 * shard, 200k documents, two readers), twice the source's CPU for the same copy time
 * (docs/backfill.md). That is paid only where asked for: `slices` set, or several workers sharing an
 * index (each gets at least one). The count is always a multiple of the shards, so that a slice never
 * spans two of them.
 */
export function chooseSlices(shards: number, configured: number | undefined, workers = 1): number {
  const wanted = configured ?? workers;
  return Math.max(1, Math.ceil(Math.max(wanted, shards) / shards)) * shards;
}

export const streamRunner: BackfillMethodRunner = async (ctx, task) => new IndexCopy(ctx, task).run();

class IndexCopy {
  readonly #ctx: BackfillContext;
  readonly #task: IndexTask;
  readonly #shared: ProcessShared;
  readonly #abort = new AbortController();
  readonly #signal: AbortSignal;
  readonly #started = performance.now();
  #docsDone = 0;
  #bytesDone = 0;
  #copiedNow = 0;

  constructor(ctx: BackfillContext, task: IndexTask) {
    this.#ctx = ctx;
    this.#task = task;
    this.#shared = shared(ctx);
    this.#signal = AbortSignal.any([ctx.signal, this.#abort.signal]);
  }

  async run(): Promise<IndexResult> {
    const { target } = this.#ctx;
    const o = this.#ctx.config.backfill.stream;
    const store = this.#shared.store;
    const plan = await store.plan(this.#task.index, () => this.#makePlan());
    if (plan.tuning !== null && plan.tuningReverted !== true) {
      await applyTuning(target, this.#task.targetIndex, plan.tuning, this.#signal);
    }
    const before = await store.states(this.#task.index, plan.slices);
    this.#docsDone = before.reduce((sum, s) => sum + s.docs, 0);
    this.#bytesDone = before.reduce((sum, s) => sum + s.bytes, 0);
    this.#emit("starting");
    const readers = Math.min(o.readers, plan.slices);
    const loops = Array.from({ length: readers }, () => this.#loop(plan));
    const outcomes = await Promise.allSettled(loops);
    const failed = outcomes.find((r) => r.status === "rejected");
    if (failed !== undefined) throw failed.reason;
    const after = await store.states(this.#task.index, plan.slices);
    const complete = after.every((s) => s.done);
    if (complete) {
      this.#emit("finishing");
      if (plan.tuning !== null && plan.tuningReverted !== true) {
        await revertTuning(target, this.#task.targetIndex, plan.tuning, this.#signal);
        await store.updatePlan(this.#task.index, { ...plan, tuningReverted: true });
      }
      await target.request({
        method: "POST",
        path: `/${encodeURIComponent(this.#task.targetIndex)}/_refresh`,
        signal: this.#signal,
      });
    }
    this.#docsDone = after.reduce((sum, s) => sum + s.docs, 0);
    this.#bytesDone = after.reduce((sum, s) => sum + s.bytes, 0);
    this.#emit("done", complete ? undefined : "other workers still hold slices");
    return {
      index: this.#task.index,
      targetIndex: this.#task.targetIndex,
      method: "stream",
      docs: this.#docsDone,
      // The same measure as every other method's (the bulk bodies sent are another size entirely).
      bytes: this.#task.bytes,
      durationMs: Math.round(performance.now() - this.#started),
    };
  }

  async #makePlan(): Promise<SlicePlan> {
    const { source, target, config } = this.#ctx;
    const facts = await source.facts();
    const mode: ReadMode = facts.capabilities.pit ? "pit" : "scroll";
    const res = await source.request<Record<string, { settings: { index: { number_of_shards: string } } }>>({
      method: "GET",
      path: `/${encodeURIComponent(this.#task.index)}/_settings/index.number_of_shards`,
      signal: this.#signal,
    });
    const shards = Number(Object.values(res.body)[0]?.settings.index.number_of_shards ?? 1);
    const workers = this.#ctx.worker?.workers ?? 1;
    const o = config.backfill.stream;
    // An index that never held a document has no mapping, and OpenSearch refuses to slice it ("field
    // _id not found"); with nothing to read, one slice is also all it needs.
    const empty = await source.request<{ count: number }>({
      method: "GET",
      path: `/${encodeURIComponent(this.#task.index)}/_count`,
      signal: this.#signal,
    });
    const slices = empty.body.count === 0 ? 1 : chooseSlices(shards, o.slices, workers);
    const tuning = o.tuneTarget
      ? await readTuning(target, this.#task.targetIndex, o.asyncTranslog, this.#signal)
      : null;
    return { mode, slices, shards, tuning };
  }

  /** One reader: claims slices until none is left (or, with leases, until the others' are done). */
  async #loop(plan: SlicePlan): Promise<void> {
    const store = this.#shared.store;
    const pause = Math.min(1_000, Math.floor(this.#ctx.config.backfill.stream.leaseTtlMs / 4));
    for (;;) {
      if (this.#signal.aborted) throw this.#signal.reason;
      const claim = await store.claim(this.#task.index, plan.slices);
      if (claim === undefined) return;
      if (claim === "wait") {
        this.#emit("copying", "waiting for slices other workers hold");
        await sleep(pause, this.#signal);
        continue;
      }
      if (claim.takenFrom !== undefined) {
        this.#emit(
          "copying",
          `took over slice ${claim.slice} from ${claim.takenFrom} at ${claim.state.docs} docs`,
        );
      }
      try {
        await this.#copySlice(plan, claim);
      } catch (error) {
        if (isBluegreenError(error, "BG_BACKFILL_LEASE") && error.details.lost === true) continue;
        this.#abort.abort(error);
        await store.release(this.#task.index, claim.slice).catch(() => undefined);
        throw error;
      }
    }
  }

  async #copySlice(plan: SlicePlan, claim: Claim): Promise<void> {
    const { index, targetIndex } = this.#task;
    const o = this.#ctx.config.backfill.stream;
    const store = this.#shared.store;
    const writer = new BulkWriter(this.#shared, {
      target: this.#ctx.target,
      index: targetIndex,
      externalVersions: o.externalVersions,
      failedDocsFile: join(o.failedDocsDir, `${this.#ctx.config.name}-${targetIndex}-failed.ndjson`),
      signal: this.#signal,
    });
    let state: SliceState = claim.state;
    if (plan.mode === "scroll" && state.docs > 0) {
      // A scroll cannot be resumed: the slice is copied again (same _ids, so nothing doubles).
      this.#uncount(state);
      state = EMPTY_SLICE;
    }
    const make = () =>
      new SliceReader(
        {
          source: this.#ctx.source,
          index,
          mode: plan.mode,
          slice: claim.slice,
          slices: plan.slices,
          keepAliveMs: o.keepAliveMs,
          versions: o.externalVersions,
          signal: this.#signal,
        },
        state,
      );
    let reader = make();
    state = { ...state, ...(await reader.open()) };
    await store.save(index, claim.slice, state);
    const inflight: { done: Promise<number>; position: SliceState; docs: number }[] = [];
    const settle = async () => {
      const oldest = inflight.shift();
      if (oldest === undefined) return;
      const bytes = await oldest.done;
      state = { ...oldest.position, done: false, docs: state.docs + oldest.docs, bytes: state.bytes + bytes };
      await store.save(index, claim.slice, state);
      this.#docsDone += oldest.docs;
      this.#bytesDone += bytes;
      this.#copiedNow += oldest.docs;
      this.#emit("copying");
    };
    const batchSize = this.#ctx.config.backfill.batchSize ?? STREAM_BATCH;
    const guess = this.#task.docs > 0 ? (this.#task.bytes / this.#task.docs) * SOURCE_PER_STORED_BYTE : 0;
    // A scroll keeps its first page size; point-in-time pages follow the documents seen so far.
    let pageSize = pageDocs(guess, batchSize);
    const seen = { docs: 0, bytes: 0 };
    try {
      for (;;) {
        let page: Awaited<ReturnType<SliceReader["next"]>>;
        try {
          page = await reader.next(pageSize);
        } catch (error) {
          if (!(error instanceof ContextLost)) throw error;
          // The PIT expired (or its node restarted): start the slice again in a fresh one.
          while (inflight.length > 0) await settle();
          this.#ctx.logger.warn({ index, slice: claim.slice }, "point in time lost; restarting the slice");
          this.#uncount(state);
          state = EMPTY_SLICE;
          reader = make();
          state = { ...state, ...(await reader.open()) };
          await store.save(index, claim.slice, state);
          continue;
        }
        if (page === undefined) break;
        const docs = await this.#toDocs(page.hits);
        const weight = docs.reduce((sum, d) => sum + d.source.length + d.id.length + 64, 0);
        seen.docs += docs.length;
        seen.bytes += weight;
        if (seen.docs > 0) pageSize = pageDocs(seen.bytes / seen.docs, batchSize);
        await this.#shared.budget.acquire(weight, this.#signal);
        const done = writer.write(docs).finally(() => this.#shared.budget.release(weight));
        done.catch(() => undefined); // awaited in order by settle; this only avoids an unhandled rejection
        inflight.push({ done, position: { ...state, ...page.position }, docs: page.hits.length });
        if (inflight.length >= PAGES_IN_FLIGHT) await settle();
      }
      while (inflight.length > 0) await settle();
    } finally {
      await Promise.allSettled(inflight.map((p) => p.done));
    }
    await reader.close();
    const { pit: _pit, after: _after, ...rest } = state;
    await store.save(index, claim.slice, { ...rest, done: true });
  }

  async #toDocs(hits: readonly Hit[]): Promise<StreamDoc[]> {
    const transform = await this.#shared.transform;
    const out: StreamDoc[] = [];
    for (const hit of hits) {
      let id = hit._id;
      let routing = hit._routing;
      let source = hit.source;
      if (transform !== undefined) {
        const mapped = transform(
          {
            _id: id,
            ...(routing === undefined ? {} : { _routing: routing }),
            _source: source === undefined ? undefined : parseForTransform(fromBytes(source)),
          },
          this.#task.index,
        );
        if (mapped === null || mapped === undefined) continue;
        id = mapped._id;
        routing = mapped._routing;
        source = mapped._source === undefined ? undefined : toBytes(JSON.stringify(mapped._source));
      }
      if (source === undefined) throw noSource(this.#task.index, id);
      // Without a transform the source's own bytes go out as they came in: no decode, parse or stringify.
      // Built member by member: spreading optional members makes throwaway objects for every document.
      const doc: { -readonly [K in keyof StreamDoc]: StreamDoc[K] } = { id, source };
      if (routing !== undefined) doc.routing = routing;
      if (hit._version !== undefined) doc.version = hit._version;
      out.push(doc);
    }
    return out;
  }

  #uncount(state: SliceState): void {
    this.#docsDone -= state.docs;
    this.#bytesDone -= state.bytes;
  }

  #emit(phase: "starting" | "copying" | "finishing" | "done", detail?: string): void {
    this.#ctx.onProgress({
      index: this.#task.index,
      targetIndex: this.#task.targetIndex,
      method: "stream",
      phase,
      docsDone: this.#docsDone,
      docsTotal: this.#task.docs,
      bytesDone: this.#bytesDone,
      bytesTotal: this.#task.bytes,
      ...(detail === undefined ? {} : { detail }),
    });
  }
}

function noSource(index: string, id: string): BluegreenError {
  return new BluegreenError(
    "BG_BACKFILL_SOURCE",
    `Document ${id} of ${index} has no _source, so it cannot be streamed.`,
    {
      fix: "Indices with _source disabled cannot be copied document by document; use method snapshot for them.",
      details: { index, id },
    },
  );
}
