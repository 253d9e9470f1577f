import { once } from "node:events";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { callAdmin, parseListen, parseMode, serveGateway } from "../../gateway/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";
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
      const log = config.gateway.log;
      const where = log.kind === "kafka" ? `kafka topic ${log.topic}` : `log ${log.dir}`;
      io.out(`gateway listening on ${running.url} (mode ${running.gateway.mode}, ${where})`);
      const stop = new AbortController();
      const background = opts.replay ? replayInBackground(config, running, logger, stop.signal) : undefined;
      const stopped: Promise<unknown>[] = [once(process, "SIGINT"), once(process, "SIGTERM")];
      // A replay failure (the target down for good) stops the gateway too, loudly, rather than silently lagging.
      await Promise.race(background === undefined ? stopped : [...stopped, background]);
      stop.abort();
      await background;
      await running.close();
    });

  gateway
    .command("mode [mode]")
    .description("Show the running gateway's mode, or switch it: capture, dual, fenced, target")
    .option("--url <url>", "the gateway's URL (default: http://<gateway.listen>)")
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
  const base = url ?? (config.gateway.listen === undefined ? undefined : `http://${config.gateway.listen}`);
  if (base === undefined) {
    throw new BluegreenError("BG_USAGE", "No gateway URL to talk to.", {
      fix: "Pass --url http://HOST:PORT or set gateway.listen in the migration file.",
    });
  }
  const token = config.gateway.adminToken;
  if (token === undefined) {
    throw new BluegreenError("BG_GATEWAY_ADMIN", "The migration file sets no gateway.adminToken.", {
      fix: "Set gateway.adminToken (e.g. from an environment variable) for both the gateway and this command.",
    });
  }
  return callAdmin(base, token, "/_bluegreen/mode", mode === undefined ? undefined : { mode });
}
