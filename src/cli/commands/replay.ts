import { setTimeout as delay } from "node:timers/promises";
import type { Command } from "commander";
import { createCluster } from "../../cluster/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { isBluegreenError } from "../../errors/index.ts";
import { openReplayLog, parseListen, type RunningGateway } from "../../gateway/index.ts";
import { createLogger, type Logger } from "../../log/index.ts";
import {
  OWNER_BEAT_MS,
  ReplayMetrics,
  type ReplayOptions,
  type ReplayReport,
  type ReplayStatus,
  replay,
  serveMetrics,
  waitKind,
} from "../../replay/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { gatewayMaySync } from "../../sync/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { stopOnSignals } from "../signals.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

function render(report: ReplayReport): string {
  return [
    `applied ${report.applied}, skipped ${report.skipped} (refused by the source), resolved from the source ${report.resolved}, dead-lettered ${report.deadLettered}`,
    `lag ${report.lagRecords} record(s), ${report.lagSeconds.toFixed(1)} s; position ${JSON.stringify(report.position)}`,
  ].join("\n");
}

/** How often a waiting or catching-up replay says where it stands. */
export const REPORT_EVERY_MS = { tty: 5_000, json: 5_000, plain: 30_000 } as const;

function seconds(s: number): string {
  return s < 120 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/**
 * Says what replay waits for (and how long it has waited) when a wait starts and every `everyMs`
 * after; while applying, says how far behind it is (on a TTY and as JSON only: a log file needs no
 * heartbeat of a run that is making progress).
 */
export function replayReporter(
  io: Output,
  mode: { json: boolean; tty: boolean },
  everyMs = mode.json ? REPORT_EVERY_MS.json : mode.tty ? REPORT_EVERY_MS.tty : REPORT_EVERY_MS.plain,
  now: () => number = Date.now,
): (status: ReplayStatus) => void {
  let kind: string | undefined;
  let last = now();
  return (status) => {
    const { waiting } = status;
    const next = waitKind(waiting) ?? "applying";
    const changed = next !== kind;
    kind = next;
    const due = now() - last >= everyMs;
    if (waiting === undefined ? !due || (!mode.json && !mode.tty) : !changed && !due) return;
    last = now();
    if (mode.json) {
      const { waiting: w, ...report } = status;
      io.out(
        JSON.stringify(
          w === undefined
            ? { event: "progress", ...report }
            : {
                event: "waiting",
                for: w.for,
                message: w.message,
                waitedSeconds: Math.round(w.waitedSeconds),
                lagRecords: status.lagRecords,
                ...(w.heldSince === undefined ? {} : { heldSince: w.heldSince }),
                ...(w.holder === undefined ? {} : { holder: w.holder }),
              },
        ),
      );
    } else if (waiting !== undefined) {
      io.progress(
        `replay: ${waiting.message}; waited ${seconds(waiting.waitedSeconds)}, ${status.lagRecords} record(s) behind`,
      );
    } else {
      io.progress(
        `replay: applied ${status.applied}; ${status.lagRecords} record(s) behind (${status.lagSeconds.toFixed(1)} s)`,
      );
    }
  };
}

export function registerReplay(program: Command, io: Output = consoleOutput): void {
  program
    .command("replay")
    .description(COMMAND_SUMMARIES.replay.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--until-caught-up", "stop once everything logged so far is applied", false)
    .option(
      "--reverse",
      "apply the writes the target took after cutover back to the source (rollback)",
      false,
    )
    .option("--metrics <host:port>", "serve Prometheus metrics on http://HOST:PORT/metrics")
    .option("--json", "NDJSON on stdout: waiting/progress events, then the report", false)
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
        const stop = stopOnSignals((name) =>
          io.progress(`${name}: stopping after the current batch (its position is stored)`),
        );
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
              awaitMark: !opts.reverse && gatewayMaySync(config, state),
              liftCommand: `bluegreen backfill -c ${opts.config}`,
              onStatus: replayReporter(io, { json: opts.json, tty: process.stderr.isTTY === true }),
            });
            io.out(opts.json ? JSON.stringify({ event: "report", ...report }) : render(report));
          } finally {
            await log.close();
          }
        } finally {
          stop.dispose();
          await server?.close();
          await Promise.all([source.close(), target.close()]);
          state.close();
        }
      },
    );
}

/** A replay inside a long-running service logs what it waits for once a minute, not on every poll. */
const BACKGROUND_REPORT_MS = 60_000;

/**
 * Replay inside the gateway process (`bluegreen gateway --replay`): the file log has one owner, so a
 * replayer next to a running gateway shares its log instead of opening it a second time.
 */
export async function replayInBackground(
  config: MigrationConfig,
  running: RunningGateway,
  logger: Logger,
  signal: AbortSignal,
  configFile: string,
): Promise<void> {
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  const metrics = new ReplayMetrics();
  running.gateway.metrics.attached.push(metrics.registry);
  let reported = 0;
  let kind: string | undefined;
  const options: ReplayOptions = {
    log: running.log,
    state: running.state,
    source,
    target,
    settings: config.replay,
    logger,
    metrics,
    signal,
    awaitMark: gatewayMaySync(config, running.state),
    liftCommand: `bluegreen backfill -c ${configFile}`,
    onStatus: ({ waiting, lagRecords }) => {
      const next = waitKind(waiting);
      const changed = next !== kind;
      kind = next;
      if (waiting === undefined || waiting.for === "outcome") return;
      if (!changed && Date.now() - reported < BACKGROUND_REPORT_MS) return;
      reported = Date.now();
      logger.info(
        { waitingFor: waiting.for, waitedSeconds: Math.round(waiting.waitedSeconds), lagRecords },
        `replay: ${waiting.message}`,
      );
    },
  };
  try {
    // Another replayer of this migration runs (another gateway's, or `bluegreen replay`): this one
    // stands by and takes over once that one is gone, rather than replaying the same records twice.
    let standingBy = false;
    while (!signal.aborted) {
      try {
        await replay(options);
        return;
      } catch (error) {
        if (!isBluegreenError(error, "BG_REPLAY_RUNNING")) throw error;
        if (!standingBy) logger.info({ owner: error.details?.owner }, `replay stands by: ${error.message}`);
        standingBy = true;
        await delay(OWNER_BEAT_MS, undefined, { signal }).catch(() => undefined);
      }
    }
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}
