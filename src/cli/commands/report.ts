import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { collectReport } from "../../decommission/index.ts";
import { createLogger } from "../../log/index.ts";
import { renderMarkdown, renderMigrationHtml, toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { checkReportPath, reportMeta, writeReportFile } from "../../validate/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface ReportFlags {
  config: string;
  md?: string;
  html?: string;
  json: boolean;
}

export function registerReport(program: Command, io: Output = consoleOutput): void {
  program
    .command("report")
    .description(COMMAND_SUMMARIES.report.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--md <file>", "write it as Markdown to this file (default: print it)")
    .option("--html <file>", "write it as one self-contained HTML page to this file")
    .option("--json", "print the report's facts as JSON", false)
    .action(async (opts: ReportFlags) => {
      const config = await loadConfig(opts.config);
      const html = opts.html === undefined ? undefined : checkReportPath(opts.html);
      const state = openMigrationState(config);
      try {
        const report = collectReport(config, state, await reportMeta(config, createLogger()));
        if (html !== undefined) {
          writeReportFile(html, renderMigrationHtml(report));
          io.progress(`HTML report: ${html}`);
        }
        if (opts.md !== undefined) {
          writeReportFile(opts.md, renderMarkdown(report));
          io.progress(`Markdown report: ${opts.md}`);
        }
        if (opts.json) io.out(toJson(report));
        else if (opts.md === undefined && html === undefined) io.out(renderMarkdown(report));
      } finally {
        state.close();
      }
    });
}
