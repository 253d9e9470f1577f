/**
 * Step 3 as Prometheus metrics, for an operator who runs CCR without a gateway (and so without the
 * gateway's /metrics): `bluegreen sync status --prometheus` prints them once (a node_exporter textfile
 * collector), `bluegreen sync status --metrics HOST:PORT` serves them, read anew at every scrape.
 */
import { Gauge, Registry } from "prom-client";
import type { SyncStatusReport } from "./control.ts";

const FOLLOWER = ["index", "follower"] as const;

export class SyncMetrics {
  readonly registry = new Registry();
  readonly up = new Gauge({
    name: "bluegreen_sync_up",
    help: "1 when the last reading of both clusters succeeded, else 0 (and the other series are dropped).",
    registers: [this.registry],
  });
  readonly method = new Gauge({
    name: "bluegreen_sync_method",
    help: "1 for the method that keeps the target current (gateway, ccr, none; undecided while auto waits for the backfill).",
    labelNames: ["method"] as const,
    registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: "bluegreen_sync_paused",
    help: "1 while sync is paused by `bluegreen sync pause`.",
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: "bluegreen_sync_lag",
    help: "What the target is behind: operations with CCR, capture-log records with the gateway.",
    registers: [this.registry],
  });
  readonly ccrOperations = new Gauge({
    name: "bluegreen_ccr_lag_operations",
    help: "Operations a follower lacks: the leader's global checkpoint minus the follower's, summed over shards.",
    labelNames: FOLLOWER,
    registers: [this.registry],
  });
  readonly ccrSeconds = new Gauge({
    name: "bluegreen_ccr_lag_seconds",
    help: "At most this many seconds behind (bluegreen's sightings of the leader's checkpoints); absent until a reading bounds it.",
    labelNames: FOLLOWER,
    registers: [this.registry],
  });
  readonly ccrSecondsAtLeast = new Gauge({
    name: "bluegreen_ccr_lag_seconds_at_least",
    help: "At least this many seconds behind.",
    labelNames: FOLLOWER,
    registers: [this.registry],
  });
  readonly ccrStatus = new Gauge({
    name: "bluegreen_ccr_follower_status",
    help: "1 for a follower's replication status (SYNCING, BOOTSTRAPPING, PAUSED, FAILED, NOT_REPLICATING).",
    labelNames: [...FOLLOWER, "status"] as const,
    registers: [this.registry],
  });

  /** Sets every series from one reading; undefined (the reading failed) leaves only `up 0`. */
  set(report: SyncStatusReport | undefined): void {
    this.registry.resetMetrics();
    this.up.set(report === undefined ? 0 : 1);
    if (report === undefined) return;
    this.method.set({ method: report.method ?? "undecided" }, 1);
    this.paused.set(report.paused === undefined ? 0 : 1);
    if (report.lag === undefined) return;
    this.lag.set(report.lag.lagRecords);
    for (const i of report.lag.indices ?? []) {
      const labels = { index: i.index, follower: i.followerIndex };
      this.ccrOperations.set(labels, i.operationsBehind);
      if (i.secondsBehind !== undefined) this.ccrSeconds.set(labels, i.secondsBehind);
      this.ccrSecondsAtLeast.set(labels, i.secondsBehindAtLeast);
      this.ccrStatus.set({ ...labels, status: i.status }, 1);
    }
  }
}
