/**
 * Which implementation keeps the target current. `gateway` and `ccr` are taken as configured; `auto`
 * is decided once, from both clusters (CCR when it can serve them, else the gateway, with the
 * reason), and recorded (step `sync`, key `method`) so every later command agrees with it.
 */
import type { Cluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { StateStore } from "../state/index.ts";
import { ccrBlockers } from "./ccr/blockers.ts";
import { type CcrFinding, describeFindings } from "./ccr/preflight.ts";
import type { ConcreteSyncMethod } from "./types.ts";

export interface SyncChoice {
  readonly method: ConcreteSyncMethod | "none";
  readonly reason: string;
  /** Why CCR was not taken (auto), each with its fix. */
  readonly findings?: readonly CcrFinding[];
}

const STEP = "sync";
const KEY = "method";

export function recordedSyncChoice(state: StateStore): SyncChoice | undefined {
  return state.getCheckpoint<SyncChoice>(STEP, KEY);
}

/** The method without asking the clusters: configured, or what `auto` decided (undefined: not yet). */
export function syncMethodOf(config: MigrationConfig, state: StateStore): SyncChoice["method"] | undefined {
  if (config.sync.method !== "auto") return config.sync.method;
  return recordedSyncChoice(state)?.method;
}

/**
 * Whether the gateway keeps (or may yet keep) the target current: `gateway`, or `auto` before it is
 * decided. Replay then waits for the backfill's mark, which is always safe: if `auto` takes CCR, the
 * gateway's replay is not needed at all.
 */
export function gatewayMaySync(config: MigrationConfig, state: StateStore): boolean {
  const method = syncMethodOf(config, state);
  return method === "gateway" || (method === undefined && config.sync.method === "auto");
}

export function ccrImpossible(findings: readonly CcrFinding[]): BluegreenError {
  return new BluegreenError(
    "BG_SYNC_CCR_IMPOSSIBLE",
    `sync.method is ccr, but cross-cluster replication cannot serve these clusters: ${describeFindings(findings)}.`,
    {
      fix: [...new Set(findings.map((f) => f.fix))].join(" "),
      details: { checks: findings.map((f) => f.check) },
    },
  );
}

/** Decides (once) and records the method; `ccr` that cannot work is an error naming every reason. */
export async function resolveSyncMethod(
  config: MigrationConfig,
  state: StateStore,
  source: Cluster,
  target: Cluster,
): Promise<SyncChoice> {
  const recorded = recordedSyncChoice(state);
  if (recorded !== undefined && (config.sync.method === "auto" || config.sync.method === recorded.method)) {
    return recorded;
  }
  let choice: SyncChoice;
  if (config.sync.method === "none" || config.sync.method === "gateway") {
    choice = { method: config.sync.method, reason: `sync.method is ${config.sync.method}` };
  } else {
    const { findings } = await ccrBlockers(config, state, source, target);
    if (config.sync.method === "ccr" && findings.length > 0) throw ccrImpossible(findings);
    choice =
      findings.length === 0
        ? {
            method: "ccr",
            reason: "both clusters run cross-cluster replication and the target reaches the source",
          }
        : {
            method: "gateway",
            reason: `sync.method auto: the gateway, because cross-cluster replication cannot serve these clusters: ${describeFindings(findings)}`,
            findings,
          };
  }
  state.transaction(() => {
    state.putCheckpoint(STEP, KEY, choice);
    state.appendEvent({ step: STEP, type: "sync.method", data: choice });
  });
  return choice;
}
