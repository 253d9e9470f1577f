import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { EventLoopMetrics } from "./event-loop.ts";
import { GATEWAY_MODES, type GatewayMode } from "./mode.ts";

/** Seconds, from 0.25 ms (an in-memory pass-through) to 10 s (a held write in fenced mode). */
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export type WritePhase = "parse" | "intent" | "upstream" | "sync" | "outcome" | "answer";

/** The gateway's Prometheus metrics, on their own registry so two gateways in one process never mix. */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** Registries served alongside (the replayer's, when it runs inside the gateway process). */
  readonly attached: Registry[] = [];
  readonly requests = new Counter({
    name: "bluegreen_gateway_requests_total",
    help: "Requests by mode, kind (read/write) and outcome (2xx, 4xx, 5xx, rejected, failed).",
    labelNames: ["mode", "kind", "outcome"] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: "bluegreen_gateway_request_duration_seconds",
    help: "Time from the request's arrival to the end of the answer, by mode and kind.",
    labelNames: ["mode", "kind"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly appendLatency = new Histogram({
    name: "bluegreen_gateway_log_append_duration_seconds",
    help: "Time until an append to the capture log was durable (fsync / acks=all), by record phase.",
    labelNames: ["phase"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly writePhases = new Histogram({
    name: "bluegreen_gateway_write_phase_duration_seconds",
    help: "Where a captured write's time goes, by phase: parse (body read, split, ids), intent (until it may be forwarded), upstream (the cluster's answer), sync (overlapped fsync still running after the answer), outcome (awaited outcome append), answer (sending it).",
    labelNames: ["phase"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #phases = new Map<WritePhase, { observe(seconds: number): void }>();
  readonly #appends = new Map<"intent" | "outcome", { observe(seconds: number): void }>();

  /** One append to the capture log: its time until durable, and its bytes (the hot path). */
  append(phase: "intent" | "outcome", seconds: number, bytes: number): void {
    let child = this.#appends.get(phase);
    if (child === undefined) {
      child = this.appendLatency.labels({ phase });
      this.#appends.set(phase, child);
    }
    child.observe(seconds);
    this.appendedBytes.inc(bytes);
  }

  /** One phase of a captured write (the hot path: cached label children). */
  phase(phase: WritePhase, seconds: number): void {
    let child = this.#phases.get(phase);
    if (child === undefined) {
      child = this.writePhases.labels({ phase });
      this.#phases.set(phase, child);
    }
    child.observe(seconds);
  }
  readonly fsyncLatency = new Histogram({
    name: "bluegreen_gateway_log_fsync_duration_seconds",
    help: "fsync time of each group commit of the file capture log (one commit covers many appends).",
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly appendedBytes = new Counter({
    name: "bluegreen_gateway_log_appended_bytes_total",
    help: "Bytes of records appended to the capture log.",
    registers: [this.registry],
  });
  readonly appendFailures = new Counter({
    name: "bluegreen_gateway_log_append_failures_total",
    help: "Appends to the capture log that failed, by phase (intent: write refused; outcome: left to the replayer).",
    labelNames: ["phase"] as const,
    registers: [this.registry],
  });
  readonly divergences = new Counter({
    name: "bluegreen_gateway_dual_divergences_total",
    help: "Dual-mode writes (or _bulk items) where source and target disagreed on success.",
    registers: [this.registry],
  });
  readonly shadowReads = new Counter({
    name: "bluegreen_gateway_shadow_reads_total",
    help: "Reads mirrored to the target (shadow reads), by kind (search, count, msearch, get, mget) and result (match, mismatch, settled: equal again once replay caught up, failed: the target gave no answer).",
    labelNames: ["kind", "result"] as const,
    registers: [this.registry],
  });
  readonly shadowMismatches = new Counter({
    name: "bluegreen_gateway_shadow_mismatches_total",
    help: "Persistent shadow-read mismatches by kind and part (status, total, ids, count, found, source).",
    labelNames: ["kind", "part"] as const,
    registers: [this.registry],
  });
  readonly shadowSkipped = new Counter({
    name: "bluegreen_gateway_shadow_skipped_total",
    help: "Reads picked for a shadow read but not compared, by reason (busy: every slot taken; too-large; not-json; pit; not-synced: replay is held or has no backfill mark).",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });
  readonly #eventLoop = new EventLoopMetrics(this.registry);
  readonly mode = new Gauge({
    name: "bluegreen_gateway_mode",
    help: "1 for the gateway's current mode, 0 for the others.",
    labelNames: ["mode"] as const,
    registers: [this.registry],
  });

  /** Labelled children by label values: resolving labels hashes them, too slow for every request. */
  readonly #children = new Map<string, { inc(): void; observe(seconds: number): void }>();

  /** Counts one finished request and its duration (the hot path: cached label children). */
  request(mode: GatewayMode, kind: "read" | "write", outcome: string, seconds: number): void {
    const key = `${mode} ${kind} ${outcome}`;
    let child = this.#children.get(key);
    if (child === undefined) {
      const count = this.requests.labels({ mode, kind, outcome });
      const time = this.latency.labels({ mode, kind });
      child = { inc: () => count.inc(), observe: (s) => time.observe(s) };
      this.#children.set(key, child);
    }
    child.inc();
    child.observe(seconds);
  }

  /** Prometheus text of this registry and the attached ones. */
  async text(): Promise<string> {
    const parts = await Promise.all([this.registry, ...this.attached].map((r) => r.metrics()));
    return parts.join("\n");
  }

  /** Stops what samples in the background (the event loop's delay). */
  close(): void {
    this.#eventLoop.close();
  }

  setMode(current: GatewayMode): void {
    for (const mode of GATEWAY_MODES) this.mode.set({ mode }, mode === current ? 1 : 0);
  }
}

export function outcomeLabel(status: number): string {
  if (status >= 500) return "5xx";
  if (status >= 400) return "4xx";
  return "2xx";
}
