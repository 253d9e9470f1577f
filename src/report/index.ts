import Table from "cli-table3";
import type { BluegreenError } from "../errors/index.ts";

export {
  clip,
  duration,
  escapeHtml,
  Html,
  html,
  int,
  plural,
  safeUrl,
  secondsBetween,
  trusted,
  when,
} from "./html-kit.ts";
export { htmlPage, pageHeader, type ReportMeta } from "./html-page.ts";
export {
  type MigrationReport,
  pauseText,
  type ReportIndex,
  type ReportStep,
  type RollbackOption,
  renderMarkdown,
  type TimelineEntry,
} from "./migration.ts";
export { renderMigrationHtml } from "./migration-html.ts";

/** Plain ASCII tables: they survive logs, CI output and narrow terminals. */
export function table(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  colWidths?: readonly number[],
): string {
  const t = new Table({
    head: [...head],
    ...(colWidths === undefined ? {} : { colWidths: [...colWidths], wordWrap: true }),
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  for (const row of rows)
    t.push(row.map((cell) => (cell === undefined || cell === null ? "-" : String(cell))));
  return t.toString();
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return "-";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** How a user-facing error prints: code and message, then the fix; never a stack. */
export function renderError(error: BluegreenError): string {
  const lines = [`error ${error.code}: ${error.message}`];
  if (error.fix !== undefined) lines.push(`fix: ${error.fix}`);
  return `${lines.join("\n")}\n`;
}
