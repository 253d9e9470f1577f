/** Step 5 as the workflow runs it: the same parts as `bluegreen cutover`, resumed from the same record. */
import type { MigrationConfig } from "../config/index.ts";
import { createLogger, type Logger } from "../log/index.ts";
import { openMigrationState } from "../state/index.ts";
import type { Step } from "../workflow/index.ts";
import { CUTOVER_PARTS, type CutoverResult, cutoverRecord, runCutover } from "./cutover.ts";

export const CUTOVER_APPROVAL = "fences writes, write-blocks the source and switches clients to the target";

export function cutoverStep(config: MigrationConfig, logger: Logger = createLogger()): Step {
  return {
    id: "cutover",
    title: "Cutover: gate, fence, write-block the source, drain, finish the target, switch",
    approval: CUTOVER_APPROVAL,
    async plan(ctx) {
      const record = ctx.checkpoint.get<Record<string, unknown>>("parts") ?? {};
      const left = CUTOVER_PARTS.filter((p) => record[p] === undefined);
      return {
        kind: "apply",
        summary: `parts left: ${left.join(", ") || "none"}`,
        actions: left.map((p) => ({ description: p, destructive: p === "block" || p === "switch" })),
      };
    },
    async apply(ctx) {
      const state = openMigrationState(config);
      try {
        const result = await runCutover(config, state, logger, {
          signal: ctx.signal,
          onPart: (part, phase) => {
            if (phase !== "start")
              logger.info(`cutover ${part}: ${phase === "done" ? "done" : "already done"}`);
          },
        });
        return { kind: "done", summary: cutoverSummary(result) };
      } finally {
        state.close();
      }
    },
    async verify() {
      const state = openMigrationState(config);
      try {
        return cutoverRecord(state).switch === undefined
          ? { ok: false, reason: "the switch is not recorded", retryable: false }
          : { ok: true };
      } finally {
        state.close();
      }
    },
  };
}

/** What `status` shows for a done cutover. */
export function cutoverSummary(result: CutoverResult): Record<string, unknown> {
  return { pauseMs: result.pauseMs, blocked: Object.keys(result.record.block?.previous ?? {}).length };
}
