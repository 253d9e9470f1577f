/**
 * Retiring sync at decommission. The gateway is a service clients may still reach the target
 * through (when no switch command moved them), so bluegreen does not stop it: stopping it would cut
 * those clients off, and it has no mode that forwards to the target without logging. Instead this
 * part checks the gateway forwards to the target, records where the capture log and replay stand, and
 * says what is left for the operator: stop the gateway once clients reach the target directly, stop any
 * following `bluegreen replay` (it has nothing left to apply: the source is write-blocked), and delete
 * the capture log. Decided as on call: never break live traffic to tidy up.
 */
import type { LogPosition } from "../capture/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import {
  askGateway,
  captureLogEnd,
  describeGateway,
  describeLog,
  recordedGateways,
} from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { replayPosition } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";
import { syncMethodOf } from "../sync/index.ts";

export interface SyncRetired {
  readonly method: string;
  /** The gateway still running at decommission, in words (`pid 12, http://…`), if any answered. */
  readonly gateway?: string;
  readonly gatewayPid?: number;
  /** Whether that gateway still logs the target's writes (gateway.captureInTargetMode). */
  readonly capturing: boolean;
  readonly logEnd?: LogPosition;
  readonly forward?: LogPosition;
  readonly reverse?: LogPosition;
  /** What bluegreen leaves for the operator to do, each as one instruction. */
  readonly leftForYou: readonly string[];
}

export async function retireSync(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
): Promise<SyncRetired> {
  const file = config.configPath ?? "FILE";
  const method = syncMethodOf(config, state) ?? config.sync.method;
  if (method !== "gateway") {
    return { method, capturing: false, leftForYou: [] };
  }
  const asked = await askGateway(config, state, "/_bluegreen/mode", undefined, 5_000).catch(() => undefined);
  const reached =
    asked?.answer === undefined ? undefined : { url: asked.url, mode: String(asked.answer.mode) };
  if (reached !== undefined && reached.mode !== "target") {
    throw new BluegreenError(
      "BG_DECOMMISSION_NOT_READY",
      `The gateway at ${reached.url} is in mode ${reached.mode}, not target, although cutover switched: clients going through it do not reach the target; nothing was changed.`,
      {
        fix: `Put it back with \`bluegreen gateway mode target -c ${file}\` (or roll back with \`bluegreen rollback -c ${file}\`), then run decommission again.`,
      },
    );
  }
  const running = reached === undefined ? undefined : recordedGateways(state).find((g) => g.alive !== false);
  const gateway =
    reached === undefined ? undefined : running === undefined ? reached.url : describeGateway(running);
  const logEnd = await captureLogEnd(config, state, logger).catch(() => undefined);
  const forward = replayPosition(state);
  const reverse = replayPosition(state, "reverse");
  const capturing = reached !== undefined && config.gateway.captureInTargetMode;
  const leftForYou: string[] = [];
  if (gateway !== undefined) {
    leftForYou.push(
      `The gateway (${gateway}) still forwards clients to the target${capturing ? " and logs their writes" : ""}. Once every client reaches the target directly (cutover.switchCommand, DNS or the load balancer), stop it${running === undefined ? "" : ` with \`kill -TERM ${running.pid}\``}: it finishes in-flight requests and exits 0.`,
    );
  }
  leftForYou.push(
    `Stop any \`bluegreen replay -c ${file}\` still following the capture log: it has nothing left to apply (the source is write-blocked).`,
    `Then delete the capture log (${describeLog(config)}); after that a rollback can no longer replay the target's writes back.`,
  );
  return {
    method: "gateway",
    ...(gateway === undefined ? {} : { gateway }),
    ...(running === undefined ? {} : { gatewayPid: running.pid }),
    capturing,
    ...(logEnd === undefined ? {} : { logEnd }),
    ...(forward === undefined ? {} : { forward }),
    ...(reverse === undefined ? {} : { reverse }),
    leftForYou,
  };
}
