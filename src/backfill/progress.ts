/**
 * Progress for every backfill method: per index and total docs, bytes, rate and ETA. Rendered as
 * progress bars on a TTY, as NDJSON events with `--json`, as a line per finished index otherwise.
 */
import cliProgress from "cli-progress";
import { formatBytes, table } from "../report/index.ts";
import type { BackfillSummary } from "./run.ts";
import type { ProgressEvent } from "./types.ts";

export interface IndexProgress {
  readonly event: ProgressEvent;
  /** Docs per second over this run (documents resumed from checkpoints do not count). */
  readonly docsPerSec: number;
  readonly bytesPerSec: number;
  /** Seconds left at the current rate; undefined until there is a rate. */
  readonly etaSec: number | undefined;
}

interface Track {
  readonly startedAt: number;
  readonly docsAtStart: number;
  readonly bytesAtStart: number;
  event: ProgressEvent;
}

/** Turns raw events into rates and ETAs; pure apart from the clock, which tests inject. */
export class ProgressTracker {
  readonly #now: () => number;
  readonly #tracks = new Map<string, Track>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  update(event: ProgressEvent): IndexProgress {
    let track = this.#tracks.get(event.index);
    if (track === undefined) {
      track = { startedAt: this.#now(), docsAtStart: event.docsDone, bytesAtStart: event.bytesDone, event };
      this.#tracks.set(event.index, track);
    }
    track.event = event;
    return this.#measure(track);
  }

  indices(): IndexProgress[] {
    return [...this.#tracks.values()].map((t) => this.#measure(t));
  }

  total(): Omit<IndexProgress, "event"> & { docsDone: number; docsTotal: number; bytesDone: number } {
    const all = this.indices();
    const docsDone = all.reduce((s, p) => s + p.event.docsDone, 0);
    const docsTotal = all.reduce((s, p) => s + p.event.docsTotal, 0);
    const docsPerSec = all.reduce((s, p) => s + p.docsPerSec, 0);
    return {
      docsDone,
      docsTotal,
      bytesDone: all.reduce((s, p) => s + p.event.bytesDone, 0),
      docsPerSec,
      bytesPerSec: all.reduce((s, p) => s + p.bytesPerSec, 0),
      etaSec: docsPerSec > 0 ? Math.max(0, docsTotal - docsDone) / docsPerSec : undefined,
    };
  }

  #measure(track: Track): IndexProgress {
    const seconds = (this.#now() - track.startedAt) / 1000;
    const { event } = track;
    const docsPerSec = seconds > 0 ? Math.max(0, event.docsDone - track.docsAtStart) / seconds : 0;
    const bytesPerSec = seconds > 0 ? Math.max(0, event.bytesDone - track.bytesAtStart) / seconds : 0;
    const left = Math.max(0, event.docsTotal - event.docsDone);
    const etaSec = event.phase === "done" ? 0 : docsPerSec > 0 ? left / docsPerSec : undefined;
    return { event, docsPerSec, bytesPerSec, etaSec };
  }
}

export interface ProgressSink {
  onProgress(event: ProgressEvent): void;
  stop(): void;
}

export interface RendererOptions {
  readonly json: boolean;
  readonly tty: boolean;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Minimum milliseconds between two JSON events of one index (phase changes always go out). */
  readonly intervalMs?: number;
}

/** A JSON line per progress event (throttled), for machines. */
export function progressEvent(p: IndexProgress): Record<string, unknown> {
  return {
    event: "progress",
    ...p.event,
    docsPerSec: Math.round(p.docsPerSec),
    mbPerSec: round(p.bytesPerSec / 1048576),
    etaSec: p.etaSec === undefined ? null : Math.round(p.etaSec),
  };
}

export function createProgress(options: RendererOptions, tracker = new ProgressTracker()): ProgressSink {
  if (options.json) return jsonSink(options, tracker);
  if (options.tty) return barSink(tracker);
  return {
    onProgress(event) {
      const p = tracker.update(event);
      if (event.phase === "done") {
        options.err(
          `${event.index}: ${event.docsDone} docs, ${formatBytes(event.bytesDone)} (${event.method}, ${Math.round(p.docsPerSec)} docs/s)`,
        );
      }
    },
    stop() {},
  };
}

function jsonSink(options: RendererOptions, tracker: ProgressTracker): ProgressSink {
  const last = new Map<string, { at: number; phase: string }>();
  const interval = options.intervalMs ?? 1_000;
  return {
    onProgress(event) {
      const p = tracker.update(event);
      const prev = last.get(event.index);
      const now = performance.now();
      const phase = `${event.phase}:${event.detail ?? ""}`;
      if (prev !== undefined && prev.phase === phase && now - prev.at < interval) return;
      last.set(event.index, { at: now, phase });
      options.out(JSON.stringify(progressEvent(p)));
    },
    stop() {},
  };
}

function barSink(tracker: ProgressTracker): ProgressSink {
  const multi = new cliProgress.MultiBar(
    {
      format: "{name} |{bar}| {percentage}% {value}/{total} docs | {rate} docs/s {mbps} MB/s | ETA {etaText}",
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 5,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  let total: cliProgress.SingleBar | undefined;
  let stopped = false;
  const payload = (p: Omit<IndexProgress, "event">, name: string) => ({
    name: name.padEnd(24).slice(0, 24),
    rate: Math.round(p.docsPerSec),
    mbps: round(p.bytesPerSec / 1048576),
    etaText: p.etaSec === undefined ? "-" : formatSeconds(p.etaSec),
  });
  return {
    onProgress(event) {
      const p = tracker.update(event);
      total ??= multi.create(1, 0, payload(p, "total"));
      let bar = bars.get(event.index);
      if (bar === undefined) {
        bar = multi.create(Math.max(1, event.docsTotal), 0, payload(p, event.index));
        bars.set(event.index, bar);
      }
      bar.setTotal(Math.max(1, event.docsTotal, event.docsDone));
      bar.update(
        event.docsDone,
        payload(p, `${event.index} ${event.phase === "copying" ? "" : event.phase}`.trim()),
      );
      const t = tracker.total();
      total.setTotal(Math.max(1, t.docsTotal, t.docsDone));
      total.update(t.docsDone, payload(t, "total"));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * The final table: one row per index and a total. Sizes and MB/s are of the source index's primary
 * store for every method, so rows compare; the line under the table says so.
 */
export function renderSummary(summary: BackfillSummary): string {
  const rate = (docs: number, ms: number) => (ms > 0 ? Math.round((docs * 1000) / ms) : 0);
  const mbps = (bytes: number, ms: number) => (ms > 0 ? round(bytes / 1048576 / (ms / 1000)) : 0);
  const rows = summary.results.map((r) => [
    r.index,
    r.targetIndex,
    r.method,
    r.docs,
    formatBytes(r.bytes),
    formatSeconds(r.durationMs / 1000),
    rate(r.docs, r.durationMs),
    mbps(r.bytes, r.durationMs),
  ]);
  rows.push([
    "total",
    "",
    "",
    summary.docs,
    formatBytes(summary.bytes),
    formatSeconds(summary.durationMs / 1000),
    rate(summary.docs, summary.durationMs),
    mbps(summary.bytes, summary.durationMs),
  ]);
  return `${table(["index", "target", "method", "docs", "source size", "time", "docs/s", "MB/s"], rows)}
source size: the source index's primary store size (the same measure for every method); MB/s is that size over the time`;
}
