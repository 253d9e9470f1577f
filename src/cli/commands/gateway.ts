import { once } from "node:events";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { describeLog, gatewayMode, parseListen, parseMode, serveGateway } from "../../gateway/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { shadowHooks } from "../../validate/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { stopOnSignals } from "../signals.ts";
import { replayInBackground } from "./replay.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface GatewayOpts {
  config: string;
  listen?: string;
  replay: boolean;
}

export function registerGateway(program: Command, io: Output = consoleOutput): void {
  const gateway = program
    .command("gateway")
    .description(COMMAND_SUMMARIES.gateway.description)
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
      const running = await serveGateway(config, parseListen(text), logger, shadowHooks(config));
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
          : answer.shared !== undefined
            ? describeShared(answer, wanted !== undefined)
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
  const state = openMigrationState(config);
  try {
    return await gatewayMode(config, state, mode, url);
  } finally {
    state.close();
  }
}

/** The shared mode in words: the decision, then one line per gateway the control topic knows. */
function describeShared(answer: Record<string, unknown>, switched: boolean): string {
  const members = (answer.members ?? []) as {
    id: string;
    url?: string;
    mode: string;
    epoch: number;
    silentMs: number;
    live: boolean;
  }[];
  const excluded = new Set(((answer.excluded ?? []) as { id: string }[]).map((e) => e.id));
  const head = switched
    ? `mode ${String(answer.previous)} → ${String(answer.mode)} (epoch ${String(answer.epoch)} on ${String(answer.shared)}; confirmed by ${(answer.acknowledged as unknown[]).length} gateway(s)${excluded.size > 0 ? `, ${excluded.size} silent one(s) left out` : ""}${superseded(answer)})`
    : `mode ${String(answer.mode)} (epoch ${String(answer.epoch)} on ${String(answer.shared)})`;
  const lines = members.map(
    (m) =>
      `  ${m.id}${m.url === undefined ? "" : ` ${m.url}`}: ${m.mode} at epoch ${m.epoch}, last heard ${Math.round(m.silentMs / 100) / 10}s ago${excluded.has(m.id) ? " (left out: silent too long)" : m.live ? "" : " (silent: not live)"}`,
  );
  return [head, ...lines].join("\n");
}

function superseded(answer: Record<string, unknown>): string {
  const later = answer.superseded as { mode: string; epoch: number; by?: string } | undefined;
  return later === undefined
    ? ""
    : `; since superseded by ${later.mode} at epoch ${later.epoch}${later.by === undefined ? "" : ` (by ${later.by})`}`;
}
