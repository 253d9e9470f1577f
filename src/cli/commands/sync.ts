import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { parseListen } from "../../gateway/index.ts";
import { createLogger, type Logger } from "../../log/index.ts";
import { serveMetrics } from "../../replay/index.ts";
import { table, toJson } from "../../report/index.ts";
import { openMigrationState, type StateStore } from "../../state/index.ts";
import {
  type IndexLag,
  type PauseOutcome,
  pauseSync,
  resumeSync,
  SyncMetrics,
  type SyncStatusReport,
  syncStatus,
} from "../../sync/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { stopOnSignals } from "../signals.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

function behind(i: Pick<IndexLag, "operationsBehind" | "secondsBehind" | "secondsBehindAtLeast">): string {
  if (i.operationsBehind === 0) return "0 s";
  const most = i.secondsBehind === undefined ? "unknown until the next reading" : `≤ ${i.secondsBehind} s`;
  return `${most} (≥ ${i.secondsBehindAtLeast} s)`;
}

/** The sync lines of `bluegreen status` and `bluegreen sync status`. */
export function renderSync(s: SyncStatusReport): string {
  const how =
    s.method === undefined
      ? "sync: auto, not decided yet (the backfill or the sync step decides it)"
      : `sync: ${s.method}${s.reason === undefined ? "" : ` (${s.reason})`}`;
  const state =
    s.method === "none"
      ? "nothing carries writes over"
      : s.stoppedAt !== undefined
        ? `stopped at cutover ${s.stoppedAt}`
        : s.paused !== undefined
          ? `PAUSED since ${s.paused.at} (bluegreen sync resume)`
          : "not paused";
  const lines = [`${how}; ${state}`];
  if (s.lagError !== undefined) lines.push(`lag unknown: ${s.lagError}`);
  const lag = s.lag;
  if (lag === undefined || s.method !== "ccr") return lines.join("\n");
  lines.push(
    `ccr lag: ${lag.lagRecords} operation(s) behind, ${behind({ operationsBehind: lag.lagRecords, secondsBehind: lag.secondsBehind, secondsBehindAtLeast: lag.secondsBehindAtLeast ?? 0 })}`,
    table(
      ["index", "follower", "status", "operations behind", "seconds behind"],
      (lag.indices ?? []).map((i) => [i.index, i.followerIndex, i.status, i.operationsBehind, behind(i)]),
    ),
  );
  return lines.join("\n");
}

async function withState<T>(
  file: string,
  work: (c: MigrationConfig, s: StateStore, l: Logger) => Promise<T>,
) {
  const config = await loadConfig(file);
  const state = openMigrationState(config);
  try {
    return await work(config, state, createLogger({ level: process.env.BLUEGREEN_LOG_LEVEL ?? "warn" }));
  } finally {
    state.close();
  }
}

function said(verb: "paused" | "resumed", o: PauseOutcome): string {
  const what =
    o.method === "ccr" ? "cross-cluster replication (every follower)" : "replay of the capture log";
  return o.changed ? `${verb} ${what}` : `already ${verb}: ${what} (the cluster was asked again)`;
}

/** Serves the metrics until SIGINT/SIGTERM, reading both clusters at every scrape. */
async function serve(file: string, listen: string, io: Output): Promise<void> {
  const at = parseListen(listen);
  const metrics = new SyncMetrics();
  const refresh = () =>
    withState(file, syncStatus).then(
      (report) => metrics.set(report),
      () => metrics.set(undefined),
    );
  const server = await serveMetrics(metrics.registry, at.host, at.port, refresh);
  const stop = stopOnSignals();
  io.progress(`serving sync metrics on ${server.url} (Ctrl-C stops)`);
  try {
    await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
  } finally {
    stop.dispose();
    await server.close();
  }
}

export function registerSync(program: Command, io: Output = consoleOutput): void {
  const sync = program.command("sync").description(COMMAND_SUMMARIES.sync.description);
  sync
    .command("status")
    .description(
      "The sync method, whether it is paused, and the lag (CCR: operations and seconds behind per index)",
    )
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--json", "print as JSON", false)
    .option(
      "--prometheus",
      "print Prometheus text exposition (for a node_exporter textfile collector)",
      false,
    )
    .option("--metrics <host:port>", "serve Prometheus metrics on http://HOST:PORT/metrics until stopped")
    .action(async (opts: { config: string; json: boolean; prometheus: boolean; metrics?: string }) => {
      if (opts.metrics !== undefined) return serve(opts.config, opts.metrics, io);
      const report = await withState(opts.config, syncStatus);
      if (opts.prometheus) {
        const metrics = new SyncMetrics();
        metrics.set(report);
        io.out(await metrics.registry.metrics());
      } else io.out(opts.json ? toJson(report) : renderSync(report));
    });
  for (const [verb, done, run] of [
    ["pause", "paused", pauseSync],
    ["resume", "resumed", resumeSync],
  ] as const) {
    sync
      .command(verb)
      .description(
        verb === "pause"
          ? "Pause sync (CCR: every follower; gateway: replay holds); idempotent, recorded in the state file"
          : "Resume what `sync pause` paused; idempotent, recorded in the state file",
      )
      .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
      .option("--json", "print as JSON", false)
      .action(async (opts: { config: string; json: boolean }) => {
        const outcome = await withState(opts.config, run);
        io.out(opts.json ? toJson(outcome) : said(done, outcome));
      });
  }
}
