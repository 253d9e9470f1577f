/**
 * Gathers the migration report's facts from the state file (and, for the header, the clusters'
 * versions when they answer) and writes it as Markdown and HTML. Pure reading: any command may call it.
 */
import { dirname, join } from "node:path";
import { backfillProgress } from "../backfill/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { cutoverRecord } from "../cutover/index.ts";
import type { Logger } from "../log/index.ts";
import {
  type MigrationReport,
  type ReportIndex,
  type ReportMeta,
  type RollbackOption,
  renderMarkdown,
  renderMigrationHtml,
  safeUrl,
} from "../report/index.ts";
import type { StateStore } from "../state/index.ts";
import { syncMethodOf } from "../sync/index.ts";
import { lastValidation, reportMeta, writeReportFile } from "../validate/index.ts";
import { STEP_IDS } from "../workflow/index.ts";
import { type DecommissionRecord, decommissionRecord } from "./record.ts";
import { decommissionLines, timeline } from "./timeline.ts";

export function collectReport(config: MigrationConfig, state: StateStore, meta: ReportMeta): MigrationReport {
  const cut = cutoverRecord(state);
  const dec = decommissionRecord(state);
  const validation = lastValidation(state);
  return {
    meta,
    generatedAt: new Date().toISOString(),
    headline: headline(cut, dec),
    steps: state
      .listSteps()
      .sort((a, b) => order(a.id) - order(b.id))
      .map((s) => ({
        id: s.id,
        // Decommission writes this report as its last act, before its step is marked done.
        status:
          s.id === "decommission" && s.status === "running" && dec.readonly !== undefined
            ? "finishing (writing this report)"
            : s.status,
        startedAt: s.startedAt,
        finishedAt: s.finishedAt,
        note: s.error === undefined ? via(s.summary) : `${s.error.code}: ${s.error.message}`,
      })),
    indices: indices(state, cut.drain?.counts ?? {}),
    validation:
      validation === undefined
        ? undefined
        : {
            passed: validation.passed,
            finishedAt: validation.finishedAt,
            mode: validation.mode,
            failed: validation.checks.filter((c) => !c.passed).map((c) => `${c.kind} ${c.index}`),
          },
    cutover:
      cut.gate === undefined && cut.fence === undefined
        ? undefined
        : {
            fencedAt: cut.fence?.at,
            switchedAt: cut.switch?.at,
            pauseMs: cut.switch?.pauseMs,
            blocked: Object.keys(cut.block?.previous ?? {}),
            forcedGate: cut.gate?.forced,
          },
    decommission: decommissionLines(dec as Record<string, unknown>),
    leftForYou: dec.sync?.leftForYou ?? [],
    rollback: rollbackOptions(config, state),
    timeline: timeline(state),
  };
}

function order(id: string): number {
  const i = (STEP_IDS as readonly string[]).indexOf(id);
  return i === -1 ? STEP_IDS.length : i;
}

function via(summary: unknown): string | undefined {
  const v = (summary as { via?: unknown } | null | undefined)?.via;
  return typeof v === "string" ? `by ${v}` : undefined;
}

function headline(cut: ReturnType<typeof cutoverRecord>, dec: DecommissionRecord): string {
  if ((dec.delete?.deleted.length ?? 0) > 0)
    return "Decommissioned: clients use the target; the source's indices were deleted";
  if (dec.readonly !== undefined)
    return "Decommissioned: clients use the target; the source is kept read-only";
  if (cut.switch !== undefined) return `Cut over: clients use the target since ${cut.switch.at}`;
  if (cut.fence !== undefined) return "Cutover stopped before the switch: writes are fenced";
  return "Not cut over yet: clients use the source";
}

function indices(state: StateStore, counts: Readonly<Record<string, number>>): ReportIndex[] {
  const rows = new Map<string, { targetIndex: string; method?: string; backfilled?: number }>();
  for (const p of backfillProgress(state)) {
    rows.set(p.index, { targetIndex: p.targetIndex, method: p.method, backfilled: p.docsDone });
  }
  const checks = lastValidation(state)?.checks ?? [];
  // Cluster-wide checks (index "*") belong to no index row; the validation verdict covers them.
  for (const c of checks)
    if (c.index !== "*" && !rows.has(c.index)) rows.set(c.index, { targetIndex: c.targetIndex });
  for (const index of Object.keys(counts)) if (!rows.has(index)) rows.set(index, { targetIndex: index });
  return [...rows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([index, row]) => ({
      index,
      targetIndex: row.targetIndex,
      method: row.method,
      backfilled: row.backfilled,
      atCutover: counts[index],
      validation: checks
        .filter((c) => c.index === index)
        .map((c) => ({ kind: c.kind, passed: c.passed, summary: c.summary })),
    }));
}

/** The rollback commands that still apply now, most useful first. */
export function rollbackOptions(config: MigrationConfig, state: StateStore): RollbackOption[] {
  const file = config.configPath ?? "FILE";
  const cut = cutoverRecord(state);
  const dec = decommissionRecord(state);
  const rollback = `bluegreen rollback -c ${file} --yes`;
  const options: RollbackOption[] = [];
  const snapshot = dec.snapshot;
  const restore =
    snapshot?.name === undefined
      ? undefined
      : {
          command: `curl -X POST '${safeUrl(config.source.urls[0] ?? "")}/_snapshot/${snapshot.repository}/${snapshot.name}/_restore' -H 'content-type: application/json' -d '${JSON.stringify({ indices: snapshot.indices.join(",") })}'`,
          effect: `The final snapshot ${snapshot.repository}/${snapshot.name} holds the source's indices as they were at decommission; this restores them onto the source (into indices that do not exist there; on another cluster, register the repository first).`,
        };
  if (cut.switch === undefined) {
    options.push(
      cut.fence === undefined
        ? { effect: "No cutover is recorded: clients still use the source; there is nothing to roll back." }
        : {
            command: rollback,
            effect:
              "Cutover stopped before the switch: this lifts the fence and the source write blocks; the source never stopped being authoritative.",
          },
    );
    return options;
  }
  const deleted = dec.delete?.deleted ?? [];
  if (deleted.length > 0) {
    options.push({
      effect: `The source's migrated indices were deleted at decommission (${deleted.join(", ")}): there is no rollback to the source with bluegreen.`,
    });
    if (restore !== undefined) options.push(restore);
    return options;
  }
  if (syncMethodOf(config, state) === "gateway" && config.gateway.captureInTargetMode) {
    options.push({
      command: rollback,
      effect: `Lossless while the gateway logs the target's writes (gateway.captureInTargetMode) and the capture log is kept: fences writes, lifts the source write blocks cutover set, replays the target's writes since the switch (${cut.switch.at}) back to the source, and sends clients back to it.${dec.sync === undefined ? "" : " Once you stop the gateway or delete the capture log (see Left for you), it no longer applies: later writes would be on the target only."}`,
    });
  } else {
    const blocked = Object.keys(cut.block?.previous ?? {});
    options.push({
      command: `curl -X PUT '${safeUrl(config.source.urls[0] ?? "")}/${blocked.join(",") || "INDEX"}/_settings' -H 'content-type: application/json' -d '{"index.blocks.write": null}'`,
      effect: `The target's writes since the switch (${cut.switch.at}) were not logged (gateway.captureInTargetMode is off), so \`bluegreen rollback\` refuses. To go back, copy them to the source with a reverse migration (a migration file with source and target swapped, then \`bluegreen backfill\`), lift the source write blocks as below, and move clients back.`,
    });
  }
  if (restore !== undefined) options.push(restore);
  return options;
}

export interface ReportFiles {
  readonly markdown: string;
  readonly html: string;
}

/** Next to the state file unless told otherwise: `<state dir>/<migration>-report.{md,html}`. */
export function defaultReportFiles(config: MigrationConfig): ReportFiles {
  const base = join(dirname(config.state.path), `${config.name}-report`);
  return { markdown: `${base}.md`, html: `${base}.html` };
}

export async function writeMigrationReport(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  files: Partial<ReportFiles> = defaultReportFiles(config),
): Promise<MigrationReport> {
  const report = collectReport(config, state, await reportMeta(config, logger));
  if (files.markdown !== undefined) writeReportFile(files.markdown, renderMarkdown(report));
  if (files.html !== undefined) writeReportFile(files.html, renderMigrationHtml(report));
  return report;
}
