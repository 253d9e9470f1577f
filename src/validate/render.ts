import { table } from "../report/index.ts";
import type { Check, ValidationReport } from "./report.ts";

/** One line per index and check, failures first; differences and drift listed under the table. */
export function renderReport(report: ValidationReport): string {
  const rows = report.checks.map((c) => [
    c.passed ? "ok" : "FAIL",
    c.index === c.targetIndex ? c.index : `${c.index} → ${c.targetIndex}`,
    c.kind,
    c.summary,
    `${c.seconds.toFixed(1)}s`,
  ]);
  const out = [table(["", "index", "check", "result", "time"], rows)];
  for (const c of report.checks.filter((x) => !x.passed)) out.push(...details(c));
  if (report.sample !== undefined) out.push(`sample: ${report.sample.how} ${report.sample.confidence}`);
  const failed = report.checks.filter((c) => !c.passed).length;
  out.push(
    failed === 0
      ? `validation passed: ${report.checks.length} check(s), ${report.mode} (${report.finishedAt})`
      : `validation FAILED: ${failed} of ${report.checks.length} check(s)${report.differencesFile === undefined ? "" : `; every difference is in ${report.differencesFile}`}`,
  );
  return out.join("\n");
}

function details(c: Check): string[] {
  const lines: string[] = [];
  if (c.items !== undefined) lines.push(`${c.kind} drift:`, ...c.items.map((i) => `  ${i}`));
  const failedQueries = (c.queries ?? []).filter((q) => !q.passed);
  if (failedQueries.length > 0)
    lines.push(`${c.index}: queries that differ:`, ...failedQueries.map((q) => `  ${q.name}: ${q.detail}`));
  const probes = (c.probes ?? []).filter((p) => !p.passed);
  if (probes.length > 0)
    lines.push(
      `permissions of ${c.user ?? "the probe user"} that differ:`,
      ...probes.map((p) => `  ${p.method} ${p.path}: source ${p.source}, target ${p.target}`),
    );
  if (c.shadow !== undefined && c.shadow.recent.length > 0)
    lines.push(
      "latest shadow-read mismatches:",
      ...c.shadow.recent.map((m) => `  ${m.at} ${m.kind} ${m.method} ${m.path}: ${m.differences.join("; ")}`),
    );
  if (c.first !== undefined && c.first.length > 0) {
    lines.push(`${c.index}: first differences (${c.differences ?? c.first.length} in all):`);
    for (const d of c.first) {
      const key = d.routing === undefined ? d.id : `${d.id} (routing ${d.routing})`;
      if (d.kind === "missing") lines.push(`  missing on target  ${key}`);
      else if (d.kind === "extra") lines.push(`  extra on target    ${key}`);
      else
        lines.push(
          `  content differs    ${key} at ${d.path}: ${d.source ?? "(absent)"} ≠ ${d.target ?? "(absent)"}`,
        );
    }
  }
  return lines;
}
