/** What each decommission part recorded when done: the resume point, and the report's source. */
import type { StateStore } from "../state/index.ts";
import type { SyncRetired } from "./retire-sync.ts";

export const DECOMMISSION_PARTS = [
  "sync",
  "snapshot",
  "repositories",
  "remote",
  "readonly",
  "delete",
] as const;
export type DecommissionPart = (typeof DECOMMISSION_PARTS)[number];

export const DECOMMISSION_STEP = "decommission";

export interface DecommissionRecord {
  readonly sync?: SyncRetired & { readonly at: string };
  readonly snapshot?: {
    readonly at: string;
    readonly repository?: string;
    readonly name?: string;
    readonly indices: readonly string[];
  };
  readonly repositories?: {
    readonly at: string;
    readonly removed: readonly string[];
    readonly alreadyGone: readonly string[];
  };
  readonly remote?: { readonly at: string; readonly removed: readonly string[] };
  readonly readonly?: {
    readonly at: string;
    readonly indices: readonly string[];
    readonly blockedNow: readonly string[];
  };
  readonly delete?: { readonly at: string; readonly cluster: string; readonly deleted: readonly string[] };
}

export function decommissionRecord(state: StateStore): DecommissionRecord {
  return state.getCheckpoint<DecommissionRecord>(DECOMMISSION_STEP, "parts") ?? {};
}
