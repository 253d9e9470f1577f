import type { Command } from "commander";
import { createCluster } from "../../cluster/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { openMigrationState, openReplayLog, parseListen, type RunningGateway } from "../../gateway/index.ts";
import { createLogger, type Logger } from "../../log/index.ts";
import { ReplayMetrics, type ReplayReport, replay, serveMetrics } from "../../replay/index.ts";
import { toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";

function render(report: ReplayReport): string {
  return [
    `applied ${report.applied}, skipped ${report.skipped} (refused by the source), resolved from the source ${report.resolved}, dead-lettered ${report.deadLettered}`,
    `lag ${report.lagRecords} record(s), ${report.lagSeconds.toFixed(1)} s; position ${JSON.stringify(report.position)}`,
  ].join("\n");
}

export function registerReplay(program: Command, io: Output = consoleOutput): void {
  program
    .command("replay")
    .description("Apply the gateway's capture log to the target, resuming from the stored position")
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--until-caught-up", "stop once everything logged so far is applied", false)
    .option(
      "--reverse",
      "apply the writes the target took after cutover back to the source (rollback)",
      false,
    )
    .option("--metrics <host:port>", "serve Prometheus metrics on http://HOST:PORT/metrics")
    .option("--json", "print the report as JSON", false)
    .action(
      async (opts: {
        config: string;
        untilCaughtUp: boolean;
        reverse: boolean;
        metrics?: string;
        json: boolean;
      }) => {
        const config = await loadConfig(opts.config);
        const logger = createLogger({ level: process.env.BLUEGREEN_LOG_LEVEL ?? "info" });
        const state = openMigrationState(config);
        const source = createCluster(config.source, { logger });
        const target = createCluster(config.target, { logger });
        const metrics = new ReplayMetrics();
        const served = opts.metrics === undefined ? undefined : parseListen(opts.metrics);
        const server =
          served === undefined ? undefined : await serveMetrics(metrics.registry, served.host, served.port);
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        process.once("SIGINT", onSignal);
        process.once("SIGTERM", onSignal);
        try {
          const log = await openReplayLog(config, logger);
          try {
            const report = await replay({
              log,
              state,
              // Reverse: the target is authoritative and the source receives its writes.
              source: opts.reverse ? target : source,
              target: opts.reverse ? source : target,
              direction: opts.reverse ? "reverse" : "forward",
              settings: opts.reverse
                ? {
                    ...config.replay,
                    indexRename: Object.fromEntries(
                      Object.entries(config.replay.indexRename).map(([a, b]) => [b, a]),
                    ),
                  }
                : config.replay,
              logger,
              metrics,
              untilCaughtUp: opts.untilCaughtUp,
              signal: stop.signal,
              awaitMark: !opts.reverse && config.sync.method === "gateway",
            });
            io.out(opts.json ? toJson(report) : render(report));
          } finally {
            await log.close();
          }
        } finally {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          await server?.close();
          await Promise.all([source.close(), target.close()]);
          state.close();
        }
      },
    );
}

/**
 * Replay inside the gateway process (`bluegreen gateway --replay`): the file log has one owner, so a
 * replayer next to a running gateway shares its log instead of opening it a second time.
 */
export async function replayInBackground(
  config: MigrationConfig,
  running: RunningGateway,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  const metrics = new ReplayMetrics();
  running.gateway.metrics.attached.push(metrics.registry);
  try {
    await replay({
      log: running.log,
      state: running.state,
      source,
      target,
      settings: config.replay,
      logger,
      metrics,
      signal,
      awaitMark: config.sync.method === "gateway",
    });
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}
