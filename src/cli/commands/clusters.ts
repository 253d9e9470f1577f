import type { Command } from "commander";
import { planBackfillFromClusters } from "../../backfill/index.ts";
import { createCluster, describeVersion, formatVersion } from "../../cluster/index.ts";
import { DEFAULT_CONFIG_FILE, loadConfig, type MigrationConfig } from "../../config/index.ts";
import { isBluegreenError, toBluegreenError } from "../../errors/index.ts";
import { createLogger, type Logger } from "../../log/index.ts";
import {
  type CheckReport,
  type ClusterInventory,
  checkClusters,
  type IndexPlan,
  preflightResult,
  preflightStep,
} from "../../preflight/index.ts";
import { formatBytes, table, toJson } from "../../report/index.ts";
import { openMigrationState, type StateStore } from "../../state/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

function side(c: ClusterInventory): Record<string, string> {
  const f = c.facts;
  if (f === undefined) return { reachable: `no (${c.error?.code ?? "error"})` };
  const enabled = Object.entries(f.capabilities)
    .filter(([, on]) => on)
    .map(([name]) => name);
  return {
    reachable: "yes",
    distribution: `${f.distribution} ${formatVersion(f.version)}`,
    cluster: f.clusterName,
    health: `${f.health.status} (${f.health.numberOfNodes} node${f.health.numberOfNodes === 1 ? "" : "s"})`,
    plugins: f.plugins.length === 0 ? "(none)" : f.plugins.join(", "),
    modules: f.modules.join(", "),
    capabilities: enabled.join(", "),
    "selected indices": String(c.indices?.length ?? 0),
  };
}

/** What `backfill` with the configured method would do per index, or why it could not plan. */
export type AutoPlan =
  | { readonly tasks: readonly { index: string; method: string; reason: string }[] }
  | { readonly error: { readonly code: string; readonly message: string; readonly fix?: string } };

/** The matrix per index (each method yes, or no with its rule), then each distinct refusal spelled out. */
function renderPlan(plan: readonly IndexPlan[]): string[] {
  if (plan.length === 0) return [];
  const methods = plan[0]?.verdicts.map((v) => v.method) ?? [];
  const rows = plan.map((p) => [
    p.index,
    p.created === undefined ? "unknown" : describeVersion(p.created),
    ...p.verdicts.map((v) => (v.allowed ? "yes" : `no: ${v.rule}`)),
  ]);
  const why = new Map<string, string>();
  for (const v of plan.flatMap((p) => p.verdicts)) {
    if (!v.allowed)
      why.set(`${v.method} ${v.rule}`, `  ${v.method}, ${v.rule}: ${v.reason}; instead: ${v.instead}`);
  }
  return [
    "\ncompatibility (what each method can do with each selected index on this path)",
    table(["index", "created by", ...methods], rows),
    ...why.values(),
  ];
}

function renderAuto(auto: AutoPlan): string[] {
  if ("error" in auto)
    return [
      "\nbackfill plan: none",
      `  ${auto.error.code}: ${auto.error.message}`,
      `  fix: ${auto.error.fix ?? ""}`,
    ];
  return ["\nbackfill plan", ...auto.tasks.map((t) => `  ${t.index}: ${t.reason}`)];
}

export function renderCheck(report: CheckReport, auto?: AutoPlan): string {
  const s = side(report.source);
  const t = side(report.target);
  const keys = [...new Set([...Object.keys(s), ...Object.keys(t)])];
  const lines = [
    table(
      [
        "",
        `source: ${report.source.name} ${report.source.url}`,
        `target: ${report.target.name} ${report.target.url}`,
      ],
      keys.map((k) => [k, s[k], t[k]]),
      [18, 48, 48],
    ),
  ];
  for (const c of [report.source, report.target]) {
    if (c.indices === undefined || c.indices.length === 0) continue;
    lines.push(
      `\n${c.role} indices`,
      table(
        ["index", "health", "docs", "size"],
        c.indices.map((i) => [i.name, i.health, i.docs, formatBytes(i.bytes)]),
      ),
    );
  }
  lines.push(...renderPlan(report.plan ?? []));
  if (auto !== undefined) lines.push(...renderAuto(auto));
  const findings = [
    ...report.blockers.map((b) => ["BLOCKER", b.rule, b.message, b.fix]),
    ...report.warnings.map((w) => ["warning", w.rule, w.message, w.fix]),
  ];
  lines.push(
    findings.length === 0
      ? "\nno blockers"
      : `\n${table(["level", "rule", "finding", "fix"], findings, [9, 26, 60, 40])}`,
  );
  return lines.join("\n");
}

/**
 * The backfill planner's choice per index, with the clusters' setup (repository, allowlist, module) on
 * top of the matrix; only where both clusters answered and there is something to copy.
 */
async function autoPlan(
  config: MigrationConfig,
  report: CheckReport,
  logger: Logger,
): Promise<AutoPlan | undefined> {
  if (report.plan === undefined || report.plan.length === 0) return undefined;
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  try {
    const tasks = await planBackfillFromClusters({ config, source, target });
    return { tasks: tasks.map((t) => ({ index: t.index, method: t.method, reason: t.reason })) };
  } catch (thrown) {
    const error = toBluegreenError(thrown);
    return {
      error: {
        code: error.code,
        message: error.message,
        ...(error.fix === undefined ? {} : { fix: error.fix }),
      },
    };
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/**
 * `clusters check` is the preflight step run by hand: its verdict goes into the state file, so
 * `status` and `run` know it. Best effort: an inspection must work even where the state cannot
 * be written (the command says so).
 */
async function recordPreflight(
  config: MigrationConfig,
  report: CheckReport,
  logger: Logger,
  io: Output,
): Promise<void> {
  let state: StateStore;
  try {
    state = openMigrationState(config);
  } catch (error) {
    io.progress(`(not recorded in the state file: ${toBluegreenError(error).message})`);
    return;
  }
  const signal = new AbortController().signal;
  try {
    await recordStepRun(
      preflightStep(config, logger),
      { state, logger, signal, via: "clusters check" },
      async (ctx) => ({ value: undefined, result: preflightResult(report, ctx) }),
    );
  } catch (error) {
    // Recorded as failed; the report above already shows the blockers and the exit code is 1.
    if (!isBluegreenError(error, "BG_PREFLIGHT_BLOCKED")) throw error;
  } finally {
    state.close();
  }
}

export function registerClusters(program: Command, io: Output = consoleOutput): void {
  const clusters = program.command("clusters").description(COMMAND_SUMMARIES.clusters.description);
  clusters
    .command("check")
    .description("Both clusters side by side: reachability, version, health, plugins, indices and blockers")
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--json", "print as JSON", false)
    .action(async (opts: { config: string; json: boolean }) => {
      const config = await loadConfig(opts.config);
      const logger = createLogger();
      const report = await checkClusters(config, logger);
      const auto = await autoPlan(config, report, logger);
      io.out(
        opts.json
          ? toJson(auto === undefined ? report : { ...report, backfill: auto })
          : renderCheck(report, auto),
      );
      if (report.blockers.length > 0) process.exitCode = 1;
      await recordPreflight(config, report, logger, io);
    });
}
