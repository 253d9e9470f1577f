/**
 * The `shadow` check: what the gateway saw when it mirrored live reads to the target (docs/gateway.md,
 * "Shadow reads"), asked of the running gateway. The rate is persistent mismatches over reads
 * compared since the gateway's window opened; above `validate.shadowMismatchMax` the check fails.
 */
import type { MigrationConfig } from "../config/index.ts";
import { askGateway, describeAttempts, type ShadowHooks } from "../gateway/index.ts";
import { replayHold, replayPosition } from "../replay/index.ts";
import type { StateStore } from "../state/index.ts";
import { gatewayMaySync, syncMethodOf } from "../sync/index.ts";
import { compareAnswers, type PlannedQuery } from "./queries-compare.ts";
import type { Check, ShadowSummary } from "./report.ts";

const SHADOW_PLAN: PlannedQuery = {
  name: "shadow",
  body: {},
  compare: new Set(["total", "ids"]),
  totalTolerance: 0,
  aggTolerance: 0,
  generated: true,
};

/**
 * The gateway's search comparison: totals and first-page ids as validate compares them. Sort values
 * are field values of documents, so a line about them says only where they differ.
 */
export function compareShadowSearch(source: unknown, target: unknown): string[] {
  return compareAnswers(SHADOW_PLAN, source, target).map((line) =>
    line.startsWith("sort values") ? line.replace(/:.*$/, " differ") : line,
  );
}

/**
 * What a gateway needs for shadow reads: the comparison above and, when the gateway syncs (`gateway`,
 * or `auto` that chose or may choose it), where
 * replay stands. Before a backfill marked the log, or while one holds replay, the target is known to be
 * incomplete: nothing is mirrored, and the window opens anew once the hold is lifted.
 */
export function shadowHooks(config: MigrationConfig): (state: StateStore) => ShadowHooks {
  return (state) => ({
    compareSearch: compareShadowSearch,
    ...(!gatewayMaySync(config, state)
      ? {}
      : {
          sync: () => {
            const replayed = replayPosition(state);
            const hold = replayHold(state);
            if (replayed === undefined)
              return { ready: false, why: "no backfill has marked the capture log yet", replayed };
            if (hold !== undefined)
              return { ready: false, why: `replay is held since ${hold.since} (${hold.reason})`, replayed };
            return { ready: true, replayed };
          },
        }),
  });
}

function shadowCheck(passed: boolean, summary: string, started: number, shadow?: ShadowSummary): Check {
  return {
    index: "*",
    targetIndex: "*",
    kind: "shadow",
    passed,
    summary,
    ...(shadow === undefined ? {} : { shadow }),
    seconds: (performance.now() - started) / 1000,
  };
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 4 : 2)}%`;
}

/** Undefined when the migration does not sync through the gateway (nothing could shadow reads). */
export async function checkShadow(config: MigrationConfig, state: StateStore): Promise<Check | undefined> {
  const started = performance.now();
  if (config.gateway.shadowReads === 0) {
    if (syncMethodOf(config, state) !== "gateway") return undefined;
    return shadowCheck(true, "not configured (gateway.shadowReads is 0)", started);
  }
  const asked = await askGateway(config, state, "/_bluegreen/shadow");
  if (asked.answer === undefined) {
    const tried =
      asked.tried.length === 0 ? "none is recorded or set as gateway.listen" : describeAttempts(asked.tried);
    return shadowCheck(false, `the gateway could not be asked for its shadow reads (${tried})`, started);
  }
  const answer = asked.answer as Partial<Omit<ShadowSummary, "rate" | "max">> & { enabled?: boolean };
  if (answer.enabled !== true) {
    return shadowCheck(
      false,
      `the gateway at ${asked.url} does not mirror reads: restart it with this migration file (gateway.shadowReads ${config.gateway.shadowReads})`,
      started,
    );
  }
  const compared = answer.compared ?? 0;
  const mismatched = answer.mismatched ?? 0;
  const rate = compared === 0 ? 0 : mismatched / compared;
  const max = config.validate.shadowMismatchMax;
  const summary: ShadowSummary = {
    since: answer.since ?? "",
    why: answer.why ?? "",
    ...(answer.paused === undefined ? {} : { paused: answer.paused }),
    fraction: answer.fraction ?? config.gateway.shadowReads,
    compared,
    matched: answer.matched ?? 0,
    settled: answer.settled ?? 0,
    mismatched,
    failed: answer.failed ?? 0,
    skipped: answer.skipped ?? {},
    rate,
    max,
    recent: answer.recent ?? [],
  };
  const passed = rate <= max;
  const notes = [
    summary.settled > 0 ? `${summary.settled} settled once replay caught up` : "",
    summary.failed > 0 ? `${summary.failed} without a target answer` : "",
    summary.paused === undefined ? "" : `paused: ${summary.paused}`,
  ].filter((n) => n !== "");
  const head =
    compared === 0
      ? `no read compared since ${summary.since} (${summary.why})`
      : `${mismatched} of ${compared} mirrored read(s) differ (${percent(rate)}, max ${percent(max)}) since ${summary.since} (${summary.why})`;
  return shadowCheck(passed, [head, ...notes].join("; "), started, summary);
}
