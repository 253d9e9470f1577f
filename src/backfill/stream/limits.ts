/** Flow control shared by the stream copier's readers and writers: memory budget, pacing, adaptation. */
import { BluegreenError } from "../../errors/index.ts";

interface Waiter {
  readonly bytes: number;
  readonly resolve: () => void;
}

/**
 * A counting semaphore over bytes: readers acquire what a page weighs before handing it to the
 * writers and release it once written, so memory stays bounded however large the index is.
 * A request larger than the whole budget is let through alone rather than deadlocking.
 */
export class ByteBudget {
  readonly max: number;
  #used = 0;
  #waiters: Waiter[] = [];

  constructor(max: number) {
    this.max = max;
  }

  get used(): number {
    return this.#used;
  }

  acquire(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.#fits(bytes) && this.#waiters.length === 0) {
      this.#used += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        bytes,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
    while (this.#waiters.length > 0) {
      const next = this.#waiters[0] as Waiter;
      if (!this.#fits(next.bytes)) break;
      this.#waiters.shift();
      this.#used += next.bytes;
      next.resolve();
    }
  }

  #fits(bytes: number): boolean {
    return this.#used === 0 || this.#used + bytes <= this.max;
  }
}

/** Paces work to at most `docsPerSecond` and `bytesPerSecond` with a virtual clock (no bursts to catch up). */
export class Throttle {
  readonly #docRate: number | undefined;
  readonly #byteRate: number | undefined;
  readonly #now: () => number;
  #next = 0;

  constructor(
    docsPerSecond: number | undefined,
    bytesPerSecond: number | undefined,
    now = () => performance.now(),
  ) {
    this.#docRate = docsPerSecond;
    this.#byteRate = bytesPerSecond;
    this.#now = now;
  }

  /** Milliseconds to wait before sending this much, booking the slot. */
  reserve(docs: number, bytes: number): number {
    if (this.#docRate === undefined && this.#byteRate === undefined) return 0;
    const cost = Math.max(
      this.#docRate === undefined ? 0 : (docs / this.#docRate) * 1000,
      this.#byteRate === undefined ? 0 : (bytes / this.#byteRate) * 1000,
    );
    const now = this.#now();
    const start = Math.max(now, this.#next);
    this.#next = start + cost;
    return start - now;
  }
}

export interface AdaptiveLimits {
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly maxConcurrency: number;
}

/**
 * Bulk size and concurrency, adapted to what the target takes: additive increase while requests
 * come back fast and clean, multiplicative decrease on back-pressure (429, rejected items) or slow
 * answers. The same rule TCP uses, for the same reason: it finds the knee without a model of the server.
 */
export class Adaptive {
  readonly limits: AdaptiveLimits;
  #bytes: number;
  #concurrency: number;
  #successes = 0;

  constructor(startBytes: number, limits: AdaptiveLimits) {
    this.limits = limits;
    this.#bytes = clamp(startBytes, limits.minBytes, limits.maxBytes);
    this.#concurrency = Math.min(2, limits.maxConcurrency);
  }

  get bytes(): number {
    return this.#bytes;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  success(latencyMs: number): void {
    if (latencyMs > 5_000) {
      this.#bytes = clamp(Math.floor(this.#bytes * 0.75), this.limits.minBytes, this.limits.maxBytes);
      return;
    }
    if (latencyMs < 1_000) {
      this.#bytes = clamp(Math.floor(this.#bytes * 1.25), this.limits.minBytes, this.limits.maxBytes);
    }
    this.#successes++;
    if (this.#successes >= this.#concurrency) {
      this.#successes = 0;
      this.#concurrency = Math.min(this.limits.maxConcurrency, this.#concurrency + 1);
    }
  }

  pressure(): void {
    this.#successes = 0;
    this.#concurrency = Math.max(1, Math.floor(this.#concurrency / 2));
    this.#bytes = clamp(Math.floor(this.#bytes / 2), this.limits.minBytes, this.limits.maxBytes);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A concurrency gate whose width is read from a function each time, so it follows `Adaptive`. */
export class Gate {
  readonly #width: () => number;
  #active = 0;
  #waiters: (() => void)[] = [];

  constructor(width: () => number) {
    this.#width = width;
  }

  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    while (this.#active >= this.#width()) {
      if (signal?.aborted) throw signal.reason;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#active++;
    try {
      return await work();
    } finally {
      this.#active--;
      for (const wake of this.#waiters.splice(0)) wake();
    }
  }
}

// One abortable sleep for the whole tool; the stream copier uses it for backoff and throttling.
export { sleep } from "../../cluster/index.ts";

export function throttled(what: string, attempts: number, cause: string): BluegreenError {
  return new BluegreenError(
    "BG_CLUSTER_THROTTLED",
    `The target kept rejecting ${what} after ${attempts} attempts (${cause}).`,
    {
      fix: "Lower backfill.stream.bulkConcurrency or set a throttle (docsPerSecond / mbPerSecond), or give the target more capacity; then run again: the copy resumes.",
    },
  );
}
