/**
 * Slice leases in an index on the target, for N workers on one or many machines. Every write is a
 * compare-and-set on `if_seq_no`/`if_primary_term`, so two workers can never both believe they own a
 * slice; a lease not renewed within its TTL may be taken over, together with the dead worker's
 * checkpoint (its PIT and `search_after`), so the taker continues where the other stopped.
 */
import type { Cluster } from "../../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import {
  type Claim,
  EMPTY_SLICE,
  type SlicePlan,
  type SliceState,
  type SliceStore,
} from "../stream/store.ts";

export interface LeaseOptions {
  readonly target: Cluster;
  readonly leaseIndex: string;
  readonly migration: string;
  readonly workerId: string;
  readonly ttlMs: number;
  readonly now?: () => number;
}

interface LeaseDoc {
  readonly owner: string;
  readonly expiresAt: number;
  readonly done: boolean;
  readonly state: SliceState;
}

interface Versioned<T> {
  readonly found: boolean;
  readonly _id: string;
  readonly _seq_no?: number;
  readonly _primary_term?: number;
  readonly _source?: T;
}

interface Seq {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

export function leaseLost(index: string, slice: number, worker: string): BluegreenError {
  return new BluegreenError(
    "BG_BACKFILL_LEASE",
    `Worker ${worker} lost its lease on slice ${slice} of ${index}: another worker took it over (the lease expired).`,
    {
      fix: "Nothing to do if the other worker is alive; raise backfill.stream.leaseTtl if workers are slow rather than dead.",
      details: { index, slice, worker, lost: true },
    },
  );
}

export class LeaseSliceStore implements SliceStore {
  readonly #o: LeaseOptions;
  readonly #now: () => number;
  readonly #seq = new Map<string, Seq>();
  readonly #state = new Map<string, SliceState>();
  /** Writes to one lease are serialised so a heartbeat and a checkpoint never race on `if_seq_no`. */
  readonly #chain = new Map<string, Promise<unknown>>();
  #ready: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(options: LeaseOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** Stops renewing leases; held ones then expire and others may take them. */
  close(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  async plan(index: string, make: () => Promise<SlicePlan>): Promise<SlicePlan> {
    await this.#ensureIndex();
    const id = this.#id(index, "plan");
    const stored = await this.#get<{ plan: SlicePlan }>(id);
    if (stored.found && stored._source !== undefined) return stored._source.plan;
    const plan = await make();
    const created = await this.#put(id, { plan }, { op_type: "create" });
    if (created !== undefined) return plan;
    const winner = await this.#get<{ plan: SlicePlan }>(id);
    return (winner._source as { plan: SlicePlan }).plan;
  }

  async updatePlan(index: string, plan: SlicePlan): Promise<void> {
    await this.#put(this.#id(index, "plan"), { plan }, {});
  }

  async claim(index: string, slices: number): Promise<Claim | "wait" | undefined> {
    await this.#ensureIndex();
    const { ids, docs } = await this.#leases(index, slices);
    let wait = false;
    // Workers start scanning at different slices, so they rarely race for the same one.
    const offset = hash(this.#o.workerId) % slices;
    for (let k = 0; k < slices; k++) {
      const slice = (k + offset) % slices;
      const key = ids[slice] as string;
      if (this.#seq.has(key)) continue; // held by this process already
      const doc = docs[slice];
      const lease = (state: SliceState): LeaseDoc => ({
        owner: this.#o.workerId,
        expiresAt: this.#now() + this.#o.ttlMs,
        done: false,
        state,
      });
      if (doc === undefined || !doc.found || doc._source === undefined) {
        const seq = await this.#put(key, lease(EMPTY_SLICE), { op_type: "create" });
        if (seq === undefined) {
          wait = true;
          continue;
        }
        return this.#hold(key, slice, EMPTY_SLICE, seq);
      }
      const current = doc._source;
      if (current.done) continue;
      if (current.owner !== this.#o.workerId && current.expiresAt > this.#now()) {
        wait = true;
        continue;
      }
      const seq = await this.#put(key, lease(current.state), {
        if_seq_no: doc._seq_no,
        if_primary_term: doc._primary_term,
      });
      if (seq === undefined) {
        wait = true;
        continue;
      }
      const claim = this.#hold(key, slice, current.state, seq);
      return current.owner === this.#o.workerId ? claim : { ...claim, takenFrom: current.owner };
    }
    return wait ? "wait" : undefined;
  }

  async save(index: string, slice: number, state: SliceState): Promise<void> {
    const key = this.#id(index, String(slice));
    this.#state.set(key, state);
    await this.#renew(index, slice, key, state.done);
    if (state.done) this.#drop(key);
  }

  async release(index: string, slice: number): Promise<void> {
    const key = this.#id(index, String(slice));
    const seq = this.#seq.get(key);
    this.#drop(key);
    if (seq === undefined) return;
    const state = this.#state.get(key) ?? EMPTY_SLICE;
    await this.#put(
      key,
      { owner: this.#o.workerId, expiresAt: 0, done: false, state },
      {
        if_seq_no: seq.seqNo,
        if_primary_term: seq.primaryTerm,
      },
    ).catch(() => undefined);
  }

  async states(index: string, slices: number): Promise<SliceState[]> {
    const { docs } = await this.#leases(index, slices);
    return docs.map((d) =>
      d.found && d._source !== undefined ? { ...d._source.state, done: d._source.done } : EMPTY_SLICE,
    );
  }

  async #leases(index: string, slices: number): Promise<{ ids: string[]; docs: Versioned<LeaseDoc>[] }> {
    const ids = Array.from({ length: slices }, (_, s) => this.#id(index, String(s)));
    const res = await this.#request<{ docs: Versioned<LeaseDoc>[] }>({
      method: "POST",
      path: `/${this.#o.leaseIndex}/_mget`,
      body: { ids },
      idempotent: true,
    });
    return { ids, docs: res.body.docs };
  }

  #hold(key: string, slice: number, state: SliceState, seq: Seq): Claim {
    this.#seq.set(key, seq);
    this.#state.set(key, state);
    this.#heartbeat ??= setInterval(() => this.#beat(), Math.max(250, Math.floor(this.#o.ttlMs / 3)));
    this.#heartbeat.unref();
    return { slice, state };
  }

  #drop(key: string): void {
    this.#seq.delete(key);
    this.#state.delete(key);
    this.#chain.delete(key);
  }

  #beat(): void {
    for (const key of this.#seq.keys()) {
      const [, index, slice] = key.split("::");
      this.#renew(index as string, Number(slice), key, false).catch(() => {
        // A lost lease shows up at the next checkpoint, which stops the slice.
      });
    }
  }

  /** Writes the lease with a fresh expiry, compare-and-set on what this worker last wrote. */
  #renew(index: string, slice: number, key: string, done: boolean): Promise<void> {
    const next = (this.#chain.get(key) ?? Promise.resolve()).then(async () => {
      const seq = this.#seq.get(key);
      if (seq === undefined) throw leaseLost(index, slice, this.#o.workerId);
      const state = this.#state.get(key) ?? EMPTY_SLICE;
      const written = await this.#put(
        key,
        { owner: this.#o.workerId, expiresAt: done ? 0 : this.#now() + this.#o.ttlMs, done, state },
        { if_seq_no: seq.seqNo, if_primary_term: seq.primaryTerm },
      );
      if (written === undefined) {
        this.#drop(key);
        throw leaseLost(index, slice, this.#o.workerId);
      }
      this.#seq.set(key, written);
    });
    this.#chain.set(
      key,
      next.catch(() => undefined),
    );
    return next;
  }

  #id(index: string, part: string): string {
    return `${this.#o.migration}::${index}::${part}`;
  }

  #ensureIndex(): Promise<void> {
    this.#ready ??= (async () => {
      const head = await this.#request({ method: "HEAD", path: `/${this.#o.leaseIndex}` });
      if (head.status === 200) return;
      await this.#request({
        method: "PUT",
        path: `/${this.#o.leaseIndex}`,
        body: {
          settings: { number_of_shards: 1, number_of_replicas: 0 },
          mappings: {
            dynamic: false,
            properties: {
              owner: { type: "keyword" },
              expiresAt: { type: "long" },
              done: { type: "boolean" },
            },
          },
        },
        allowStatus: [400],
      });
    })().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  async #get<T>(id: string): Promise<Versioned<T>> {
    const res = await this.#request<Versioned<T>>({
      method: "GET",
      path: `/${this.#o.leaseIndex}/_doc/${encodeURIComponent(id)}`,
      allowStatus: [404],
    });
    return res.status === 404 ? { found: false, _id: id } : res.body;
  }

  /** Undefined when the compare-and-set lost (409): someone else wrote first. */
  async #put(
    id: string,
    body: unknown,
    query: Record<string, string | number | undefined>,
  ): Promise<Seq | undefined> {
    const res = await this.#request<{ _seq_no: number; _primary_term: number }>({
      method: "PUT",
      path: `/${this.#o.leaseIndex}/_doc/${encodeURIComponent(id)}`,
      querystring: query,
      body,
      allowStatus: [409],
    });
    if (res.status === 409) return undefined;
    return { seqNo: res.body._seq_no, primaryTerm: res.body._primary_term };
  }

  async #request<T>(request: Parameters<Cluster["request"]>[0]) {
    try {
      return await this.#o.target.request<T>(request);
    } catch (error) {
      if (!isBluegreenError(error)) throw error;
      throw new BluegreenError(
        "BG_BACKFILL_LEASE",
        `The lease index ${this.#o.leaseIndex} on the target could not be used: ${error.message}`,
        {
          cause: error,
          retryable: error.retryable,
          fix:
            error.fix ??
            "Check that the target is reachable and the credentials may write backfill.stream.leaseIndex.",
          details: { leaseIndex: this.#o.leaseIndex, code: error.code },
        },
      );
    }
  }
}

function hash(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return h;
}
