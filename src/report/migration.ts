/**
 * The migration report: what was done, when, and what can still be undone. Written at decommission
 * (and by `bluegreen report` at any time) from the state file alone, as Markdown for tickets and
 * change records and as one self-contained HTML page. This module only renders; the facts come in
 * as `MigrationReport`, gathered by the decommission step.
 */
import { safeUrl } from "./html-kit.ts";
import type { ReportMeta } from "./html-page.ts";

export interface TimelineEntry {
  readonly at: string;
  readonly step: string | undefined;
  readonly text: string;
  /** `bad`: a failure or an override worth a second look; `milestone`: a step or cutover part done. */
  readonly tone: "info" | "milestone" | "bad";
}

export interface ReportStep {
  readonly id: string;
  readonly status: string;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly note: string | undefined;
}

export interface ReportIndex {
  readonly index: string;
  readonly targetIndex: string;
  /** How the backfill copied it (snapshot, reindex, stream), when it did. */
  readonly method: string | undefined;
  readonly backfilled: number | undefined;
  /** Documents on both sides after cutover's drain (equal, or cutover would have stopped). */
  readonly atCutover: number | undefined;
  /** The last validation's checks of this index, `kind: summary`, and whether all passed. */
  readonly validation: readonly {
    readonly kind: string;
    readonly passed: boolean;
    readonly summary: string;
  }[];
}

export interface RollbackOption {
  /** What to run; absent when there is nothing to run (the text says why). */
  readonly command?: string;
  readonly effect: string;
}

export interface MigrationReport {
  readonly meta: ReportMeta;
  readonly generatedAt: string;
  /** In one sentence: where the migration stands. */
  readonly headline: string;
  readonly steps: readonly ReportStep[];
  readonly indices: readonly ReportIndex[];
  readonly validation:
    | {
        readonly passed: boolean;
        readonly finishedAt: string;
        readonly mode: string;
        readonly failed: readonly string[];
      }
    | undefined;
  readonly cutover:
    | {
        readonly fencedAt: string | undefined;
        readonly switchedAt: string | undefined;
        readonly pauseMs: number | undefined;
        readonly blocked: readonly string[];
        readonly forcedGate: string | undefined;
      }
    | undefined;
  /** Each decommission part done, in words. */
  readonly decommission: readonly string[];
  readonly leftForYou: readonly string[];
  readonly rollback: readonly RollbackOption[];
  readonly timeline: readonly TimelineEntry[];
}

export function pauseText(ms: number | undefined): string {
  return ms === undefined ? "not measured" : `${(ms / 1000).toFixed(2)} s`;
}

/** Table cells hold one line and no pipe; everything else is plain text. */
function cell(value: unknown): string {
  if (value === undefined || value === null || value === "") return "–";
  return String(value).replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function mdTable(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

function side(c: ReportMeta["source"]): string {
  return `${safeUrl(c.url)}${c.version === undefined ? "" : ` (${c.version})`}`;
}

export function renderMarkdown(r: MigrationReport): string {
  const out: string[] = [
    `# Migration report — ${r.meta.migration}`,
    "",
    `${side(r.meta.source)} → ${side(r.meta.target)}`,
    "",
    `**${r.headline}**`,
    "",
    `Written ${r.generatedAt} by bluegreen from the migration's state file.`,
    "",
    "## Cutover",
    "",
  ];
  const c = r.cutover;
  if (c === undefined) out.push("No cutover is recorded.");
  else {
    out.push(
      `- write pause (fence to switch): **${pauseText(c.pauseMs)}**`,
      `- fenced: ${c.fencedAt ?? "–"}; switched: ${c.switchedAt ?? "not yet"}`,
      `- source indices write-blocked: ${c.blocked.length === 0 ? "none" : c.blocked.join(", ")}`,
    );
    if (c.forcedGate !== undefined)
      out.push(`- the readiness gate was overridden (--force): ${c.forcedGate}`);
  }
  const v = r.validation;
  out.push(
    "",
    "## Validation",
    "",
    v === undefined
      ? "No finished validation is recorded."
      : `${v.passed ? "Passed" : "FAILED"} at ${v.finishedAt} (${v.mode})${v.failed.length === 0 ? "" : `: ${v.failed.join(", ")}`}.`,
    "",
    "## Indices",
    "",
    mdTable(
      ["index", "target", "method", "copied", "at cutover", "validation"],
      r.indices.map((i) => [
        i.index,
        i.targetIndex,
        i.method,
        i.backfilled,
        i.atCutover,
        i.validation.map((c) => `${c.passed ? "✓" : "✗"} ${c.kind}: ${c.summary}`).join("; "),
      ]),
    ),
    "",
    "## Steps",
    "",
    mdTable(
      ["step", "status", "started", "finished", "note"],
      r.steps.map((s) => [s.id, s.status, s.startedAt, s.finishedAt, s.note]),
    ),
    "",
    "## Decommission",
    "",
    ...(r.decommission.length === 0 ? ["Not decommissioned."] : r.decommission.map((d) => `- ${d}`)),
  );
  if (r.leftForYou.length > 0) out.push("", "### Left for you", "", ...r.leftForYou.map((d) => `- ${d}`));
  out.push("", "## Rollback: what still applies", "");
  for (const option of r.rollback) {
    out.push(`- ${option.effect}`, "");
    if (option.command !== undefined) out.push("  ```sh", `  ${option.command}`, "  ```", "");
  }
  out.push(
    "## Timeline",
    "",
    mdTable(
      ["at (UTC)", "step", "what"],
      r.timeline.map((t) => [t.at, t.step, t.tone === "bad" ? `**${t.text}**` : t.text]),
    ),
    "",
  );
  return out.join("\n");
}
