/** What a demo run found, and how it reads on a terminal; `--json` prints the same object. */

import type { ReportFiles } from "../decommission/index.ts";
import type { BluegreenError } from "../errors/index.ts";
import { table } from "../report/index.ts";
import type { StepOutcome } from "../workflow/index.ts";
import type { LoadCounts } from "./load.ts";
import type { DemoProof } from "./proof.ts";
import type { PairDescription } from "./sandbox.ts";

export interface DemoStep {
  readonly id: string;
  readonly outcome: StepOutcome;
  readonly durationMs?: number;
  readonly error?: Record<string, unknown>;
}

export interface DemoResult {
  readonly status: "completed" | "failed" | "cancelled";
  /** From the start to the end of the cleanup. */
  readonly durationMs: number;
  readonly workDir: string;
  readonly kept: boolean;
  readonly sandbox?: PairDescription;
  readonly configFile?: string;
  readonly dataset?: readonly { readonly index: string; readonly docs: number }[];
  readonly steps?: readonly DemoStep[];
  readonly writes?: LoadCounts;
  readonly writePauseMs?: number;
  readonly validation?: {
    readonly passed: boolean;
    readonly mode: string;
    readonly checks: number;
    readonly failed: readonly string[];
  };
  readonly proof?: DemoProof;
  readonly report?: ReportFiles;
  readonly error?: BluegreenError;
  /** What cleaning up could not do (the demo's outcome stands; these need a hand). */
  readonly cleanupProblems?: readonly string[];
}

/** Status first: a reader of mixed output finds the object by its opening `{ "status"`. */
export function demoJson(result: DemoResult): unknown {
  const { status, durationMs, error, ...rest } = result;
  return { status, durationMs, ...rest, error: error?.toJSON() };
}

function secs(ms: number | undefined): string {
  if (ms === undefined) return "-";
  const s = ms / 1_000;
  return s < 120 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function proofLines(proof: DemoProof): string[] {
  const docs = proof.indices.reduce((s, i) => s + i.sourceDocs, 0);
  const after = proof.indices.reduce((s, i) => s + i.writtenAfterSwitch, 0);
  const lines = [
    `source ≡ target: ${proof.equal ? "equal" : "DIFFERENT"} content digests over ${proof.indices.length} indices, ${docs} documents on the source (every _id, _routing and _source, numbers as written)`,
  ];
  for (const i of proof.indices) {
    const note = i.writtenAfterSwitch > 0 ? ` (+${i.writtenAfterSwitch} written after the switch)` : "";
    const diff = i.equal
      ? ""
      : `; missing ${i.missingOnTarget.join(" ")} extra ${i.extraOnTarget.join(" ")} different ${i.different.join(" ")}`;
    lines.push(
      `  ${i.index}: ${i.sourceDocs} → ${i.targetDocs}${note}, digest ${i.sourceDigest.slice(0, 16)}…${i.equal ? " on both" : ` vs ${i.targetDigest.slice(0, 16)}…${diff}`}`,
    );
  }
  lines.push(
    after === 0
      ? "  no client write landed after the switch"
      : `  the ${after} order(s) clients wrote after the switch are on the target only, as they should be (the source is write-blocked)`,
    proof.acceptedOnTarget
      ? "  every write answered 2xx is on the target"
      : `  writes answered 2xx but NOT on the target: ${proof.acceptedMissing.join(", ")}`,
    proof.refusedAbsent
      ? "  no write answered 503 is on either cluster"
      : `  writes answered 503 but found on a cluster: ${proof.refusedFound.join(", ")}`,
  );
  return lines;
}

/**
 * The summary printed at the end: per-step outcome, the load, the pause, validation, the proof, where
 * things are. An error is not in it: it goes to stderr, as every command's does.
 */
export function renderDemo(result: DemoResult): string {
  const out: string[] = [""];
  const docs = result.dataset?.reduce((s, i) => s + i.docs, 0);
  const pair = result.sandbox;
  out.push(
    `bluegreen demo ${result.status}${docs === undefined ? "" : `: ${docs} documents`}${pair === undefined ? "" : ` from ${pair.source.version} to ${pair.target.version}`} in ${secs(result.durationMs)}`,
  );
  if (result.steps !== undefined) {
    out.push(
      table(
        ["step", "outcome", "time"],
        result.steps.map((s) => [s.id, s.outcome, secs(s.durationMs)]),
      ),
    );
  }
  const w = result.writes;
  if (w !== undefined) {
    out.push(
      `client writes through the gateway: ${w.sent} at ${w.writesPerSecond}/s: ${w.ok} answered 2xx, ${w.unavailable} answered 503, ${w.failed} failed; the longest wait was ${secs(w.maxLatencyMs)}`,
    );
  }
  if (result.writePauseMs !== undefined)
    out.push(`write pause (fence → switch): ${secs(result.writePauseMs)}`);
  const v = result.validation;
  if (v !== undefined) {
    out.push(
      `validation: ${v.passed ? "passed" : "FAILED"}, ${v.mode} mode, ${v.checks} checks (counts, every document's content, metadata, queries)${v.failed.length === 0 ? "" : `; failed: ${v.failed.join("; ")}`}`,
    );
  }
  if (result.proof !== undefined) out.push(...proofLines(result.proof));
  if (result.report !== undefined)
    out.push(`report: ${result.report.html}`, `        ${result.report.markdown}`);
  if (result.kept && pair !== undefined && result.configFile !== undefined) {
    out.push(
      "",
      "kept running (--keep):",
      `  source  ${pair.source.url}  ${pair.source.version} (write-blocked by the cutover)`,
      `  target  ${pair.target.url}  ${pair.target.version}`,
      `  migration file  ${result.configFile}`,
      "explore:",
      `  npx bluegreen status -c ${result.configFile}`,
      `  npx bluegreen report -c ${result.configFile}`,
      `  curl '${pair.target.url}/_cat/indices/demo-*?v'`,
      `  curl '${pair.target.url}/demo-orders/_search?q=status:returned&size=1&pretty'`,
      ...(pair.attached
        ? []
        : [`when done: npx bluegreen sandbox down --name ${pair.name} --purge; rm -r ${result.workDir}`]),
    );
  } else if (!result.kept) {
    const clusters =
      pair === undefined
        ? ""
        : pair.attached
          ? "the demo's indices and template removed; "
          : `sandbox "${pair.name}" stopped and purged; `;
    out.push(
      `cleaned up: ${clusters}${result.report === undefined ? "work folder removed" : "work folder removed but the report"}`,
    );
  }
  for (const p of result.cleanupProblems ?? []) out.push(`cleanup: ${p}`);
  return `${out.join("\n")}\n`;
}
