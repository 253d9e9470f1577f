import { once } from "node:events";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import {
  askGateway,
  callAdmin,
  describeAttempts,
  describeLog,
  parseListen,
  parseMode,
  serveGateway,
} from "../../gateway/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { stopOnSignals } from "../signals.ts";
import { replayInBackground } from "./replay.ts";

interface GatewayOpts {
  config: string;
  listen?: string;
  replay: boolean;
}

export function registerGateway(program: Command, io: Output = consoleOutput): void {
  const gateway = program
    .command("gateway")
    .description(
      "Run the capturing gateway: clients use its URL instead of the source's during the migration",
    )
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--listen <host:port>", "address to serve clients on (default: gateway.listen)")
    .option("--replay", "also replay the log to the target in this process", false)
    .action(async (opts: GatewayOpts) => {
      const config = await loadConfig(opts.config);
      const text = opts.listen ?? config.gateway.listen;
      if (text === undefined) {
        throw new BluegreenError("BG_USAGE", "The gateway has no address to listen on.", {
          fix: "Pass --listen HOST:PORT or set gateway.listen in the migration file.",
        });
      }
      const logger = createLogger({ level: process.env.BLUEGREEN_LOG_LEVEL ?? "info" });
      const running = await serveGateway(config, parseListen(text), logger);
      const stop = stopOnSignals((name) =>
        io.progress(`${name}: stopping (draining writes in flight; send it again to exit at once)`),
      );
      io.out(`gateway listening on ${running.url} (mode ${running.gateway.mode}, ${describeLog(config)})`);
      const background = opts.replay
        ? replayInBackground(config, running, logger, stop.signal, opts.config)
        : undefined;
      // A replay failure (the target down for good) stops the gateway too, loudly, rather than silently
      // lagging; its error is rethrown below, once the gateway is closed.
      await Promise.race([
        once(stop.signal, "abort"),
        ...(background === undefined ? [] : [background.catch(() => undefined)]),
      ]);
      // Replay stops after its current batch (its position stored); then the gateway drains and the log closes.
      const [replayed] = await Promise.allSettled([background]);
      const [closed] = await Promise.allSettled([running.close()]);
      stop.dispose();
      if (closed.status === "fulfilled")
        io.progress(
          `gateway stopped${closed.value.drained ? "" : " (some requests were still in progress and were cut)"}; capture log closed`,
        );
      if (replayed.status === "rejected") throw replayed.reason;
      if (closed.status === "rejected") throw closed.reason;
    });

  gateway
    .command("mode [mode]")
    .description("Show the running gateway's mode, or switch it: capture, dual, fenced, target")
    .option("--url <url>", "the gateway's URL (default: the running gateway, found in the state file)")
    .option("--json", "print as JSON", false)
    .action(async (mode: string | undefined, _opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<{ config: string; url?: string; json: boolean }>();
      const config = await loadConfig(opts.config);
      const wanted = mode === undefined ? undefined : parseMode(mode);
      const answer = await adminCall(config, opts.url, wanted);
      io.out(
        opts.json
          ? toJson(answer)
          : wanted === undefined
            ? `mode ${String(answer.mode)} (${String(answer.inflightWrites)} write(s) in flight)`
            : `mode ${String(answer.previous)} → ${String(answer.mode)}${answer.drained === false ? " (writes from the previous mode still in flight)" : ""}`,
      );
    });
}

async function adminCall(
  config: MigrationConfig,
  url: string | undefined,
  mode: string | undefined,
): Promise<Record<string, unknown>> {
  const token = config.gateway.adminToken;
  if (token === undefined) {
    throw new BluegreenError("BG_GATEWAY_ADMIN", "The migration file sets no gateway.adminToken.", {
      fix: "Set gateway.adminToken (e.g. from an environment variable) for both the gateway and this command.",
    });
  }
  const body = mode === undefined ? undefined : { mode };
  // A switch returns once writes of the previous mode drained, which takes up to the request timeout.
  const timeoutMs = config.gateway.requestTimeoutMs + 15_000;
  if (url !== undefined) return callAdmin(url, token, "/_bluegreen/mode", body, timeoutMs);
  const state = openMigrationState(config);
  try {
    const asked = await askGateway(config, state, "/_bluegreen/mode", body, timeoutMs);
    if (asked.answer !== undefined) return asked.answer;
    throw new BluegreenError(
      "BG_GATEWAY_ADMIN",
      asked.tried.length === 0
        ? "No gateway of this migration is running (none is recorded in the state file) and gateway.listen is not set."
        : `No gateway of this migration answered (${describeAttempts(asked.tried)}).`,
      {
        fix: "Start it with `bluegreen gateway -c FILE`, or pass --url http://HOST:PORT of the running gateway.",
        retryable: true,
      },
    );
  } finally {
    state.close();
  }
}
