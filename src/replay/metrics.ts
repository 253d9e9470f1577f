import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/** The replayer's Prometheus metrics, on their own registry. */
export class ReplayMetrics {
  readonly registry = new Registry();
  readonly records = new Counter({
    name: "bluegreen_replay_writes_total",
    help: "Logged writes by result: applied, skipped (the source refused them, or they changed nothing there: a rollover that did not roll), superseded (the source applied a later write to the document that was already replayed), resolved (re-read from the source), dead_letter.",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly lagRecords = new Gauge({
    name: "bluegreen_replay_lag_records",
    help: "Log records behind the end of the log that the replayer has not applied.",
    registers: [this.registry],
  });
  readonly lagSeconds = new Gauge({
    name: "bluegreen_replay_lag_seconds",
    help: "Age of the oldest logged write not yet applied to the target.",
    registers: [this.registry],
  });
  readonly applyDelay = new Histogram({
    name: "bluegreen_replay_apply_delay_seconds",
    help: "From the gateway accepting a write to the target acknowledging its replay.",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });
  readonly batchLatency = new Histogram({
    name: "bluegreen_replay_batch_duration_seconds",
    help: "Time to apply one batch to the target (including source reads and retries).",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: "bluegreen_replay_retries_total",
    help: "Batches re-sent to the target after a transient failure.",
    registers: [this.registry],
  });
}

/**
 * A tiny listener serving `GET /metrics` for a registry (the replayer has no other HTTP surface);
 * `beforeScrape` refreshes values read elsewhere (sync status reads both clusters per scrape).
 */
export async function serveMetrics(
  registry: Registry,
  host: string,
  port: number,
  beforeScrape: () => Promise<void> = async () => {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    beforeScrape()
      .then(() => registry.metrics())
      .then(
        (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
  });
  server.listen(port, host);
  await once(server, "listening");
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
