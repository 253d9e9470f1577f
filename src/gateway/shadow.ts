/**
 * Shadow reads: in `capture` mode the gateway also sends a share of reads to the target, after the
 * client has its answer from the source, and compares the two answers. The client's request and answer
 * stream through as always; the gateway only keeps a copy of their bytes (bounded) for the comparison,
 * which runs later, off the client's path. At most `SLOTS` shadow reads are under way at a time;
 * beyond that a picked read is dropped and counted, so a slow or stalled target costs nothing but
 * coverage. The shadow request carries the client's own headers (its Authorization included), never
 * bluegreen's credentials: it can read on the target only what the client could.
 *
 * The target may lag behind the source by what replay has not applied yet. A mismatch is therefore
 * asked again, both sides, once replay has applied everything logged up to the moment of the
 * mismatch (or after `recheckWaitMs`): equal then, it counts as `settled`; still different, as a
 * mismatch.
 */
import type { IncomingHttpHeaders } from "node:http";
import { type LogPosition, lag } from "../capture/index.ts";
import type { ClusterConfig, GatewaySettings } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import type { GatewayMetrics } from "./metrics.ts";
import type { GatewayMode } from "./mode.ts";
import { Capture } from "./shadow-capture.ts";
import {
  compareShadow,
  type SearchComparer,
  type ShadowDifference,
  type ShadowKind,
  shadowKind,
  usesPit,
} from "./shadow-compare.ts";
import { ShadowCounts, type ShadowWindow } from "./shadow-window.ts";
import { forwardHeaders, type StreamTap, Upstream, UpstreamFailure } from "./upstream.ts";
import { renamePath } from "./write.ts";

/** The gateway's shadow reads, or undefined when `gateway.shadowReads` is 0. */
export function openShadowReads(
  gateway: {
    readonly source: ClusterConfig;
    readonly target: ClusterConfig;
    readonly settings: GatewaySettings;
    readonly rename: Readonly<Record<string, string>>;
    readonly log: { end(): Promise<LogPosition> };
    readonly logger: Logger;
    readonly shadow?: ShadowHooks;
  },
  mode: GatewayMode,
  metrics: GatewayMetrics,
): ShadowReads | undefined {
  const fraction = gateway.settings.shadowReads;
  if (fraction === 0) return undefined;
  if (gateway.shadow === undefined)
    throw new Error("gateway.shadowReads is set but no shadow hooks were given");
  return new ShadowReads(
    {
      fraction,
      source: gateway.source,
      target: gateway.target,
      timeoutMs: gateway.settings.requestTimeoutMs,
      rename: gateway.rename,
      hooks: gateway.shadow,
      logEnd: () => gateway.log.end(),
      metrics,
      logger: gateway.logger,
    },
    mode,
  );
}

/** Shadow reads under way at once (each holds at most two copies of shadow-capture's MAX_BYTES). */
export const SLOTS = 16;
/** Mismatches waiting for replay to catch up before they are asked again. */
const RECHECKS = 64;
/** Headers a shadow request does not copy: recomputed, or asking for an answer the gateway cannot read. */
const SHADOW_DROP = ["content-length", "accept-encoding", "expect"] as const;

/** Where sync stands, as the gateway's process can tell from the state file. */
export interface ShadowSync {
  /** False while replay cannot make the target current: no backfill mark yet, or a backfill holds it. */
  readonly ready: boolean;
  readonly why?: string;
  /** Replay's stored (forward) position. */
  readonly replayed: LogPosition | undefined;
}

/** What the gateway's owner supplies: the search comparison (validate's) and the sync state. */
export interface ShadowHooks {
  readonly compareSearch: SearchComparer;
  /** Without it the target counts as current at all times (no replay to wait for). */
  readonly sync?: () => ShadowSync;
}

export interface ShadowOptions {
  readonly fraction: number;
  readonly source: ClusterConfig;
  readonly target: ClusterConfig;
  readonly timeoutMs: number;
  readonly rename: Readonly<Record<string, string>>;
  readonly hooks: ShadowHooks;
  readonly logEnd: () => Promise<LogPosition>;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly recheckWaitMs?: number;
  readonly random?: () => number;
}

interface Answered {
  readonly status: number;
  readonly text: string;
}

interface Job {
  readonly kind: ShadowKind;
  readonly method: string;
  readonly pathname: string;
  readonly url: string;
  readonly headers: Record<string, string | string[]>;
  readonly capture: Capture;
  readonly counts: ShadowCounts;
}

/** A read picked for shadowing: stream it with `tap`, then call `answered` (or `abandon`). */
export interface ShadowRead {
  readonly tap: StreamTap;
  answered(): void;
  abandon(): void;
}

export class ShadowReads {
  readonly #o: ShadowOptions;
  readonly #source: Upstream;
  readonly #target: Upstream;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout | undefined;
  #slots = 0;
  #rechecks = 0;
  #counts: ShadowCounts;
  #mode: GatewayMode;
  #sync: ShadowSync = { ready: true, replayed: undefined };
  #closed = false;

  constructor(options: ShadowOptions, mode: GatewayMode) {
    this.#o = options;
    this.#mode = mode;
    this.#log = options.logger.child({ component: "shadow" });
    this.#counts = new ShadowCounts("the gateway started", options.metrics, this.#log);
    // Own pools, sized to the slots: a stalled target can never take connections client traffic needs.
    this.#source = new Upstream(options.source, options.timeoutMs, RECHECKS);
    this.#target = new Upstream(options.target, options.timeoutMs, SLOTS + RECHECKS);
    if (options.hooks.sync !== undefined) {
      this.#pollSync();
      this.#timer = setInterval(() => this.#pollSync(), 1000);
      this.#timer.unref();
    }
  }

  /** Whether the target is current now; a change to ready opens a new window. */
  #pollSync(): void {
    let next: ShadowSync;
    try {
      next = this.#o.hooks.sync?.() ?? { ready: true, replayed: undefined };
    } catch (error) {
      this.#log.warn({ err: (error as Error).message }, "cannot read the sync state; shadow reads paused");
      next = { ready: false, why: "the state file could not be read", replayed: this.#sync.replayed };
    }
    const wasReady = this.#sync.ready;
    this.#sync = next;
    if (next.ready && !wasReady) this.#reset("replay's hold was lifted (the backfill finished)");
  }

  #reset(why: string): void {
    this.#counts = new ShadowCounts(why, this.#o.metrics, this.#log);
  }

  modeChanged(mode: GatewayMode): void {
    if (mode === this.#mode) return;
    this.#reset(`the gateway's mode changed from ${this.#mode} to ${mode}`);
    this.#mode = mode;
  }

  window(): ShadowWindow {
    const paused =
      this.#mode !== "capture"
        ? `the gateway is in ${this.#mode} mode (shadow reads run in capture mode only)`
        : this.#sync.ready
          ? undefined
          : `sync is not ready: ${this.#sync.why ?? "replay is held"}`;
    return this.#counts.snapshot(this.#o.fraction, paused);
  }

  /** Picks (or not) a read for shadowing; cheap when it does not. */
  begin(
    mode: GatewayMode,
    method: string,
    pathname: string,
    url: string,
    headers: IncomingHttpHeaders,
  ): ShadowRead | undefined {
    if (mode !== "capture" || this.#closed) return undefined;
    if ((this.#o.random ?? Math.random)() >= this.#o.fraction) return undefined;
    const q = url.indexOf("?");
    const query = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    const kind = shadowKind(method, pathname, query, Object.keys(this.#o.rename).length > 0);
    if (kind === undefined) return undefined;
    if (!this.#sync.ready) return void this.#counts.skipped("not-synced");
    if (this.#slots >= SLOTS) return void this.#counts.skipped("busy");
    this.#slots++;
    const job: Job = {
      kind,
      method,
      pathname,
      url,
      headers: forwardHeaders(headers, SHADOW_DROP),
      capture: new Capture(),
      counts: this.#counts,
    };
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      this.#slots--;
    };
    return {
      tap: job.capture,
      answered: () => {
        if (done) return;
        this.#run(job).then(release, (error: unknown) => {
          release();
          this.#log.error({ err: (error as Error).message }, "shadow read failed unexpectedly");
        });
      },
      abandon: release,
    };
  }

  async #run(job: Job): Promise<void> {
    const { capture, counts } = job;
    const body = capture.requestBody();
    if (job.kind === "search" && usesPit(body)) return counts.skipped("pit");
    const text = await capture.answerText();
    if (typeof text !== "string") return counts.skipped(text.skip);
    const path = renamePath(job.url, this.#o.rename);
    let target: Answered;
    try {
      target = await this.#send(this.#target, job, path, body);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      counts.failed(job.kind);
      this.#log.debug({ kind: job.kind, path: job.pathname, err: error.message }, "shadow read: no answer");
      return;
    }
    counts.compared(job.kind);
    const differences = this.#compare(job.kind, { status: capture.status, text }, target);
    if (differences.length === 0) return counts.matched(job.kind);
    if (this.#rechecks >= RECHECKS) return counts.mismatched(job, differences);
    // The recheck waits outside the slot: a lagging replay must not starve new shadow reads.
    this.#rechecks++;
    this.#recheck(job, path, body, differences)
      .catch((error: unknown) =>
        this.#log.error({ err: (error as Error).message }, "shadow recheck failed unexpectedly"),
      )
      .finally(() => this.#rechecks--);
  }

  #compare(kind: ShadowKind, source: Answered, target: Answered): ShadowDifference[] {
    try {
      return compareShadow(kind, source, target, this.#o.hooks.compareSearch);
    } catch (error) {
      return [{ part: "status", detail: `an answer could not be read: ${(error as Error).message}` }];
    }
  }

  async #recheck(job: Job, path: string, body: Buffer, first: ShadowDifference[]): Promise<void> {
    try {
      const end = await this.#o.logEnd();
      const deadline = Date.now() + (this.#o.recheckWaitMs ?? 30_000);
      // Without a sync hook there is no replay position to wait for: ask again at once.
      const waits = this.#o.hooks.sync !== undefined;
      while (waits && !this.#closed && lag(this.#sync.replayed ?? {}, end) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
      }
      if (this.#closed) return;
      const [source, target] = await Promise.all([
        this.#send(this.#source, job, job.url, body),
        this.#send(this.#target, job, path, body),
      ]);
      const again = this.#compare(job.kind, source, target);
      if (again.length === 0) job.counts.settled(job.kind);
      else job.counts.mismatched(job, again);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      // Could not ask again: the first comparison stands.
      job.counts.mismatched(job, first);
    }
  }

  async #send(upstream: Upstream, job: Job, path: string, body: Buffer): Promise<Answered> {
    const answer = await upstream.send(job.method, path, job.headers, body.length === 0 ? undefined : body);
    return { status: answer.status, text: answer.body.toString("utf8") };
  }

  /** Stops at once: shadow reads still waiting on the target are cut, not awaited. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await Promise.all([this.#source.destroy(), this.#target.destroy()]);
  }
}
