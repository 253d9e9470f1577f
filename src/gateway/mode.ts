import { BluegreenError } from "../errors/index.ts";
import type { StateStore } from "../state/index.ts";

/**
 * - `capture`: forward to the source; log every write durably before answering.
 * - `dual`: write to source and target; count divergent outcomes.
 * - `fenced`: hold writes (then 503 + Retry-After) while a cutover drains; reads still served.
 * - `target`: forward everything to the target; optionally log writes for a reverse sync.
 */
export const GATEWAY_MODES = ["capture", "dual", "fenced", "target"] as const;
export type GatewayMode = (typeof GATEWAY_MODES)[number];

export function isGatewayMode(value: unknown): value is GatewayMode {
  return typeof value === "string" && (GATEWAY_MODES as readonly string[]).includes(value);
}

export function parseMode(value: unknown): GatewayMode {
  if (isGatewayMode(value)) return value;
  throw new BluegreenError("BG_GATEWAY_MODE", `${JSON.stringify(value)} is not a gateway mode.`, {
    fix: `Use one of: ${GATEWAY_MODES.join(", ")}.`,
    details: { mode: value },
  });
}

/** Where the mode survives a restart. */
export interface ModeStore {
  load(): GatewayMode | undefined;
  save(mode: GatewayMode, previous: GatewayMode): void;
}

const STEP = "gateway";

/** The mode as a state-store checkpoint, each switch also recorded in the audit log. */
export function stateModeStore(state: StateStore): ModeStore {
  return {
    load() {
      const stored = state.getCheckpoint<unknown>(STEP, "mode");
      return isGatewayMode(stored) ? stored : undefined;
    },
    save(mode, previous) {
      state.transaction(() => {
        state.putCheckpoint(STEP, "mode", mode);
        state.appendEvent({ step: STEP, type: "gateway.mode", data: { from: previous, to: mode } });
      });
    },
  };
}
