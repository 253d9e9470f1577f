/**
 * Step 7 as the workflow runs it. `bluegreen run` never deletes the source's data: that takes
 * `bluegreen decommission --delete-source` with the cluster's name typed back.
 */
import type { MigrationConfig } from "../config/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { openMigrationState } from "../state/index.ts";
import type { Step } from "../workflow/index.ts";
import { type DecommissionResult, decommissionAllowed, runDecommission } from "./decommission.ts";
import { decommissionRecord } from "./record.ts";

export const DECOMMISSION_APPROVAL =
  "retires the source: removes the repositories bluegreen registered, takes the final snapshot if configured, and leaves the source read-only";

export function decommissionStep(config: MigrationConfig, logger: Logger = createLogger()): Step {
  const withState = async <T>(fn: (state: ReturnType<typeof openMigrationState>) => Promise<T>) => {
    const state = openMigrationState(config);
    try {
      return await fn(state);
    } finally {
      state.close();
    }
  };
  return {
    id: "decommission",
    title:
      "Decommission: retire sync, remove what bluegreen registered, leave the source read-only, write the report",
    approval: DECOMMISSION_APPROVAL,
    async plan() {
      return withState(async (state) => {
        try {
          decommissionAllowed(config, state);
        } catch (error) {
          return { kind: "skip", reason: error instanceof Error ? error.message : String(error) };
        }
        return {
          kind: "apply",
          summary: DECOMMISSION_APPROVAL,
          actions: [{ description: DECOMMISSION_APPROVAL, destructive: true }],
        };
      });
    },
    async apply(ctx) {
      return withState(async (state) => {
        const result = await runDecommission(config, state, logger, { signal: ctx.signal });
        return { kind: "done", summary: decommissionSummary(result) };
      });
    },
    async verify() {
      return withState(async (state) =>
        decommissionRecord(state).readonly === undefined
          ? { ok: false, reason: "the source was not left read-only", retryable: false }
          : { ok: true },
      );
    },
  };
}

/** What `status` shows for a done decommission. */
export function decommissionSummary(result: DecommissionResult): Record<string, unknown> {
  return {
    readOnly: result.record.readonly?.indices.length ?? 0,
    deleted: result.record.delete?.deleted.length ?? 0,
    report: result.reportFiles.markdown,
  };
}
