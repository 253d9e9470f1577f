import {
  type ELDHistogram,
  type EventLoopUtilization,
  monitorEventLoopDelay,
  performance,
} from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

/** The timer the delay is sampled with, in ms: each tick reports how late it ran. */
const RESOLUTION_MS = 10;

/**
 * How busy the gateway's one thread is, for an operator and for the question of more cores: the share
 * of wall time the event loop spent running callbacks, and how late a timer ran (a request arriving
 * then waits as long). Both cover the time since the previous scrape, like prom-client's own event-loop
 * lag (the first scrape: the share since the process started, and no delay yet). The sampler starts at
 * the first scrape, so a gateway nobody scrapes (every test) pays nothing.
 */
export class EventLoopMetrics {
  #delay: ELDHistogram | undefined;
  #since: EventLoopUtilization | undefined;

  constructor(registry: Registry) {
    const self = this;
    new Gauge({
      name: "bluegreen_gateway_event_loop_utilization",
      help: "Share of the time since the previous scrape the gateway's event loop was busy (0 to 1); near 1, requests queue for the thread.",
      registers: [registry],
      collect() {
        this.set(self.#utilization());
      },
    });
    new Gauge({
      name: "bluegreen_gateway_event_loop_delay_seconds",
      help: "How late a timer ran on the gateway's event loop since the previous scrape (p50, p99, max): the wait a request arriving at that moment had before its first callback.",
      labelNames: ["quantile"] as const,
      registers: [registry],
      collect() {
        const delay = self.#takeDelay();
        if (delay === undefined) return;
        for (const [quantile, seconds] of delay) this.set({ quantile }, seconds);
      },
    });
  }

  #utilization(): number {
    const now = performance.eventLoopUtilization();
    const since = this.#since;
    this.#since = now;
    return since === undefined ? now.utilization : performance.eventLoopUtilization(now, since).utilization;
  }

  /** The delays since the last call, then a fresh start; nothing on the first call (it starts the sampler). */
  #takeDelay(): [string, number][] | undefined {
    const histogram = this.#delay;
    if (histogram === undefined) {
      this.#delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.#delay.enable();
      return undefined;
    }
    // The histogram counts the timer's whole period: what is late is the part beyond it.
    const late = (ns: number) => Math.max(0, ns / 1e9 - RESOLUTION_MS / 1000);
    const values: [string, number][] =
      histogram.count === 0
        ? []
        : [
            ["0.5", late(histogram.percentile(50))],
            ["0.99", late(histogram.percentile(99))],
            ["max", late(histogram.max)],
          ];
    histogram.reset();
    return values;
  }

  /** Stops the sampler (a later scrape starts it again). */
  close(): void {
    this.#delay?.disable();
    this.#delay = undefined;
  }
}
