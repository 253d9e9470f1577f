import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { StateStore } from "../state/index.ts";
import { callAdmin } from "./admin-client.ts";
import { parseMode } from "./mode.ts";
import { askGateway, describeAttempts } from "./registry.ts";
import { sharedModeStatus, switchSharedMode } from "./shared/switch.ts";

/**
 * Shows (no `mode`) or switches the running gateway's mode: at `url` when given, else the gateway the
 * state file records (whatever address it listens on), else `gateway.listen`. A switch returns once
 * the writes of the previous mode drained. With `gateway.shared` the mode lives on the Kafka control
 * topic instead: the switch is written there and returns once every live gateway applied it (`url`
 * is not needed then: no single gateway holds the mode).
 */
export async function gatewayMode(
  config: MigrationConfig,
  state: StateStore,
  mode?: string,
  url?: string,
): Promise<Record<string, unknown>> {
  if (config.gateway.shared !== undefined)
    return {
      ...(mode === undefined
        ? await sharedModeStatus(config)
        : await switchSharedMode(config, parseMode(mode))),
    };
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
}
