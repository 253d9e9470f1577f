/**
 * A shop's clients during the migration: new orders written through the gateway at a steady rate, for
 * the whole run. Every answer is counted, and the documents behind 2xx and 503 answers are remembered,
 * so the end can check the promise cutover makes: a write answered 2xx is on the target, a write
 * answered 503 is on neither cluster.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { LIVE_INDEX, orderDoc } from "./data.ts";

export interface LoadCounts {
  /** Writes sent and answered. */
  readonly sent: number;
  readonly ok: number;
  /** 503: fenced too long (gateway.fenceHold) or the gateway was stopping. */
  readonly unavailable: number;
  /** Any other answer, or no answer at all (the outcome is unknown). */
  readonly failed: number;
  /** The slowest answer: how long one client waited at most (the fence holds writes). */
  readonly maxLatencyMs: number;
  readonly writesPerSecond: number;
  /** The first write counted in `failed`, and what came back: evidence when a run goes wrong. */
  readonly firstFailure?: string;
}

export interface WriteLoadOptions {
  readonly url: string;
  /** Writes per second across all clients. */
  readonly rate: number;
  readonly clients: number;
  /** Order numbers of the load start here, above the sample's own orders. */
  readonly firstOrder: number;
  readonly customers: number;
}

export class WriteLoad {
  readonly accepted: string[] = [];
  readonly refused: string[] = [];
  readonly #options: WriteLoadOptions;
  #url: string;
  #running = true;
  #next = 0;
  #sent = 0;
  #failed = 0;
  #maxLatencyMs = 0;
  readonly #started = performance.now();
  #stoppedAt: number | undefined;
  readonly #clients: Promise<void>[];
  #firstFailure: string | undefined;

  constructor(options: WriteLoadOptions) {
    this.#options = options;
    this.#url = options.url;
    this.#clients = Array.from({ length: options.clients }, () => this.#client());
  }

  async #client(): Promise<void> {
    const period = (1_000 * this.#options.clients) / this.#options.rate;
    while (this.#running) {
      const started = performance.now();
      const n = this.#next++;
      const id = `live-${n}`;
      await this.#write(id, orderDoc(this.#options.firstOrder + n, this.#options.customers));
      const latency = performance.now() - started;
      this.#maxLatencyMs = Math.max(this.#maxLatencyMs, latency);
      if (latency < period && this.#running) await sleep(period - latency);
    }
  }

  async #write(id: string, body: string): Promise<void> {
    this.#sent++;
    try {
      const res = await fetch(`${this.#url}/${LIVE_INDEX}/_create/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body,
      });
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) this.accepted.push(id);
      else if (res.status === 503) this.refused.push(id);
      else this.#fail(`${id}: HTTP ${res.status} ${text.slice(0, 200)}`);
    } catch (error) {
      // fetch says only "fetch failed"; what happened to the connection is in its cause.
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : "";
      this.#fail(`${id}: ${error instanceof Error ? error.message : String(error)}${cause}`);
    }
  }

  #fail(what: string): void {
    this.#failed++;
    this.#firstFailure ??= what;
  }

  /** Where the next writes go: what a DNS or load-balancer switch does to real clients. */
  retarget(url: string): void {
    this.#url = url;
  }

  counts(): LoadCounts {
    const seconds = ((this.#stoppedAt ?? performance.now()) - this.#started) / 1_000;
    return {
      sent: this.#sent,
      ok: this.accepted.length,
      unavailable: this.refused.length,
      failed: this.#failed,
      maxLatencyMs: Math.round(this.#maxLatencyMs),
      writesPerSecond: seconds > 0 ? Math.round((this.#sent / seconds) * 10) / 10 : 0,
      ...(this.#firstFailure === undefined ? {} : { firstFailure: this.#firstFailure }),
    };
  }

  /** Lets the writes in flight finish (their answers count), then stops. */
  async stop(): Promise<LoadCounts> {
    this.#running = false;
    await Promise.all(this.#clients);
    this.#stoppedAt ??= performance.now();
    return this.counts();
  }
}
