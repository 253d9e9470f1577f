/**
 * What the shadow reads saw since their window opened, kept in the gateway's memory and answered by
 * `GET /_bluegreen/shadow` (validate reads it there). Each count also feeds the Prometheus counters.
 */
import type { Logger } from "../log/index.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { ShadowDifference, ShadowKind } from "./shadow-compare.ts";

/** Persistent mismatches kept for the admin endpoint (the log has every one). */
const RECENT = 20;

/** A persistent mismatch as the admin endpoint lists it: ids and parts, never document contents. */
export interface ShadowMismatch {
  readonly at: string;
  readonly kind: ShadowKind;
  readonly method: string;
  readonly path: string;
  readonly differences: readonly string[];
}

/** The counts since the window opened. */
export interface ShadowWindow {
  readonly fraction: number;
  readonly since: string;
  /** Why the window (re)opened: the gateway started, its mode changed, or replay's hold was lifted. */
  readonly why: string;
  /** Set while no read is mirrored: not in capture mode, or sync not ready (and why). */
  readonly paused?: string;
  /** Reads whose target answer was compared. */
  readonly compared: number;
  readonly matched: number;
  /** Differed, then matched once replay had caught up. */
  readonly settled: number;
  /** Differed twice: these make the mismatch rate. */
  readonly mismatched: number;
  /** The target gave no answer (unreachable, timed out). */
  readonly failed: number;
  /** Picked but not compared, by reason (busy, too-large, not-json, encoding, pit, not-synced). */
  readonly skipped: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<string, { compared: number; mismatched: number }>>;
  readonly recent: readonly ShadowMismatch[];
}

/** One window's counts; a new window is a new instance, so late results of the old one go nowhere. */
export class ShadowCounts {
  readonly since = new Date();
  readonly why: string;
  readonly #metrics: GatewayMetrics;
  readonly #log: Logger;
  #compared = 0;
  #matched = 0;
  #settled = 0;
  #mismatched = 0;
  #failed = 0;
  readonly #skipped: Record<string, number> = {};
  readonly #byKind = new Map<ShadowKind, { compared: number; mismatched: number }>();
  readonly #recent: ShadowMismatch[] = [];

  constructor(why: string, metrics: GatewayMetrics, log: Logger) {
    this.why = why;
    this.#metrics = metrics;
    this.#log = log;
  }

  #kind(kind: ShadowKind): { compared: number; mismatched: number } {
    let counts = this.#byKind.get(kind);
    if (counts === undefined) {
      counts = { compared: 0, mismatched: 0 };
      this.#byKind.set(kind, counts);
    }
    return counts;
  }

  skipped(reason: string): void {
    this.#skipped[reason] = (this.#skipped[reason] ?? 0) + 1;
    this.#metrics.shadowSkipped.inc({ reason });
  }

  failed(kind: ShadowKind): void {
    this.#failed++;
    this.#metrics.shadowReads.inc({ kind, result: "failed" });
  }

  compared(kind: ShadowKind): void {
    this.#compared++;
    this.#kind(kind).compared++;
  }

  matched(kind: ShadowKind): void {
    this.#matched++;
    this.#metrics.shadowReads.inc({ kind, result: "match" });
  }

  settled(kind: ShadowKind): void {
    this.#settled++;
    this.#metrics.shadowReads.inc({ kind, result: "settled" });
  }

  mismatched(
    read: { kind: ShadowKind; method: string; pathname: string },
    differences: readonly ShadowDifference[],
  ): void {
    this.#mismatched++;
    this.#kind(read.kind).mismatched++;
    this.#metrics.shadowReads.inc({ kind: read.kind, result: "mismatch" });
    for (const part of new Set(differences.map((d) => d.part)))
      this.#metrics.shadowMismatches.inc({ kind: read.kind, part });
    const entry: ShadowMismatch = {
      at: new Date().toISOString(),
      kind: read.kind,
      method: read.method,
      path: read.pathname,
      differences: differences.slice(0, 5).map((d) => d.detail),
    };
    this.#recent.push(entry);
    if (this.#recent.length > RECENT) this.#recent.shift();
    this.#log.warn(entry, "shadow read mismatch");
  }

  snapshot(fraction: number, paused: string | undefined): ShadowWindow {
    return {
      fraction,
      since: this.since.toISOString(),
      why: this.why,
      ...(paused === undefined ? {} : { paused }),
      compared: this.#compared,
      matched: this.#matched,
      settled: this.#settled,
      mismatched: this.#mismatched,
      failed: this.#failed,
      skipped: { ...this.#skipped },
      byKind: Object.fromEntries([...this.#byKind].map(([k, v]) => [k, { ...v }])),
      recent: [...this.#recent],
    };
  }
}
