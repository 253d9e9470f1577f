/**
 * Where the stream copier keeps its per-index plan and per-slice checkpoints. One process uses the
 * local state store; distributed workers use leases in an index on the target (src/backfill/leases).
 */
import type { StateStore } from "../../state/index.ts";
import type { ReadMode, SlicePosition } from "./reader.ts";

/** The target settings bulk-load tuning changed, as they were before, so they can be put back. */
export interface TuningRecord {
  readonly refreshInterval: string | null;
  readonly replicas: string | null;
  /** Present only when `asyncTranslog` was on at the plan's start: the value to put back. */
  readonly translogDurability?: string | null;
}

/** Fixed when an index's copy first starts; every resume and every worker uses the same plan. */
export interface SlicePlan {
  readonly mode: ReadMode;
  readonly slices: number;
  readonly shards: number;
  /** Recorded before tuning is applied, so a crash at any point still restores the originals. */
  readonly tuning: TuningRecord | null;
  readonly tuningReverted?: boolean;
}

export interface SliceState extends SlicePosition {
  readonly done: boolean;
  /** Source documents acknowledged by the target so far in this slice. */
  readonly docs: number;
  readonly bytes: number;
}

export const EMPTY_SLICE: SliceState = { done: false, docs: 0, bytes: 0 };

export interface Claim {
  readonly slice: number;
  readonly state: SliceState;
  /** The worker whose expired lease this claim took over, with its checkpoint. */
  readonly takenFrom?: string;
}

export interface SliceStore {
  /** The stored plan, or `make()`'s result stored now; with several workers the first one wins. */
  plan(index: string, make: () => Promise<SlicePlan>): Promise<SlicePlan>;
  updatePlan(index: string, plan: SlicePlan): Promise<void>;
  /** A slice to work on; "wait" when the rest is held by live workers; undefined when all are done. */
  claim(index: string, slices: number): Promise<Claim | "wait" | undefined>;
  /**
   * Durable once it resolves (the local store defers a mid-slice position by at most
   * CHECKPOINT_INTERVAL_MS); also renews a lease. Throws BG_BACKFILL_LEASE when the lease was lost.
   */
  save(index: string, slice: number, state: SliceState): Promise<void>;
  /** Gives up a claim without finishing it (on error), so a later run or another worker takes it. */
  release(index: string, slice: number): Promise<void>;
  states(index: string, slices: number): Promise<SliceState[]>;
}

const STEP = "backfill";

/**
 * How long a slice's newest mid-slice position may wait before it is written. Every write is a SQLite
 * commit with an fsync that blocks the event loop (~10 ms on a busy disk): once per page that stalled
 * the copy about 10% of its time. A crash loses at most this much progress, and copying it again is
 * harmless (writes are idempotent by `_id`). A slice's start and its end are written at once.
 */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/** Checkpoints in the local SQLite state under step "backfill", keys `stream/<index>/...`. */
export class LocalSliceStore implements SliceStore {
  readonly #state: StateStore;
  readonly #held = new Set<string>();
  readonly #intervalMs: number;
  readonly #written = new Map<string, number>();
  readonly #pending = new Map<string, SliceState>();
  #timer: NodeJS.Timeout | undefined;

  constructor(state: StateStore, intervalMs = CHECKPOINT_INTERVAL_MS) {
    this.#state = state;
    this.#intervalMs = intervalMs;
  }

  async plan(index: string, make: () => Promise<SlicePlan>): Promise<SlicePlan> {
    const stored = this.#state.getCheckpoint<SlicePlan>(STEP, `stream/${index}/plan`);
    if (stored !== undefined) return stored;
    const plan = await make();
    this.#state.putCheckpoint(STEP, `stream/${index}/plan`, plan);
    return plan;
  }

  async updatePlan(index: string, plan: SlicePlan): Promise<void> {
    this.#state.putCheckpoint(STEP, `stream/${index}/plan`, plan);
  }

  async claim(index: string, slices: number): Promise<Claim | undefined> {
    for (let slice = 0; slice < slices; slice++) {
      const key = `${index}/${slice}`;
      if (this.#held.has(key)) continue;
      const state = this.#get(index, slice);
      if (state.done) continue;
      this.#held.add(key);
      return { slice, state };
    }
    return undefined;
  }

  async save(index: string, slice: number, state: SliceState): Promise<void> {
    const key = `stream/${index}/slice/${slice}`;
    const now = performance.now();
    const last = this.#written.get(key);
    // A slice's first checkpoint (it holds the PIT id) and its last are never deferred.
    if (state.done || state.docs === 0 || last === undefined || now - last >= this.#intervalMs) {
      this.#pending.delete(key);
      this.#written.set(key, now);
      this.#state.putCheckpoint(STEP, key, state);
    } else {
      this.#pending.set(key, state);
      this.#timer ??= setTimeout(() => this.flush(), this.#intervalMs - (now - last));
      this.#timer.unref();
    }
    if (state.done) this.#held.delete(`${index}/${slice}`);
  }

  /** Writes the deferred positions now. */
  flush(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const now = performance.now();
    this.#state.transaction(() => {
      for (const [key, state] of this.#pending) {
        this.#state.putCheckpoint(STEP, key, state);
        this.#written.set(key, now);
      }
    });
    this.#pending.clear();
  }

  async release(index: string, slice: number): Promise<void> {
    this.flush();
    this.#held.delete(`${index}/${slice}`);
  }

  async states(index: string, slices: number): Promise<SliceState[]> {
    this.flush();
    return Array.from({ length: slices }, (_, slice) => this.#get(index, slice));
  }

  #get(index: string, slice: number): SliceState {
    return this.#state.getCheckpoint<SliceState>(STEP, `stream/${index}/slice/${slice}`) ?? EMPTY_SLICE;
  }
}
