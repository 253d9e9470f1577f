import { dirname, join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import {
  checkReportPath,
  renderHtml,
  renderReport,
  reportMeta,
  runValidation,
  type ValidateMode,
  validateFailed,
  validateStep,
  writeReportFile,
} from "../../validate/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface ValidateOptions {
  config: string;
  json: boolean;
  full?: boolean;
  sample?: number;
  seed?: number;
  index?: string[];
  differences?: string;
  queries?: string;
  report?: string;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new InvalidArgumentError(`"${value}" is not a sample size: use a whole number from 1 to 1000000.`);
  return n;
}

function seed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 2_147_483_647)
    throw new InvalidArgumentError(`"${value}" is not a seed: use a whole number from 0 to 2147483647.`);
  return n;
}

export function registerValidate(program: Command, io: Output = consoleOutput): void {
  program
    .command("validate")
    .description(COMMAND_SUMMARIES.validate.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--full", "compare every document (the default unless validate.mode is sample)")
    .option("--sample <n>", "compare a seeded random sample of n documents per index and side", positive)
    .option("--seed <n>", "the sample's seed (default validate.seed)", seed)
    .option("--index <names...>", "only these source indices")
    .option(
      "--differences <file>",
      "where every difference is written as NDJSON (default: next to the state file)",
    )
    .option(
      "--queries <file>",
      "searches and aggregations to compare on both sides (default validate.queries)",
    )
    .option("--report <file.html>", "also write the report as one self-contained HTML page")
    .option("--json", "print the report as JSON (schema: docs/validate-report.schema.json)", false)
    .action(async (opts: ValidateOptions) => {
      if (opts.full === true && opts.sample !== undefined)
        throw new BluegreenError("BG_USAGE", "--full and --sample exclude each other.", {
          fix: "Give one of them (or neither: validate.mode in the migration file decides).",
        });
      const config = await loadConfig(opts.config);
      const htmlPath = opts.report === undefined ? undefined : checkReportPath(opts.report);
      const settings = config.validate;
      const sampled = opts.sample !== undefined || (opts.full !== true && settings.mode === "sample");
      const mode: ValidateMode = sampled
        ? { kind: "sample", size: opts.sample ?? settings.sampleSize, seed: opts.seed ?? settings.seed }
        : { kind: "full" };
      const state = openMigrationState(config);
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error("interrupted"));
      process.once("SIGINT", onSignal);
      try {
        const logger = createLogger();
        // Recorded as the workflow's validate step (a validation of some indices only leaves it as it was).
        await recordStepRun(
          validateStep(config, logger),
          { state, logger, signal: controller.signal, via: "validate" },
          async () => {
            const report = await runValidation(config, state, logger, {
              mode,
              ...(opts.index === undefined ? {} : { indices: opts.index }),
              ...(opts.queries === undefined ? {} : { queriesFile: opts.queries }),
              differencesFile:
                opts.differences ?? join(dirname(config.state.path), "validate-differences.ndjson"),
              signal: controller.signal,
              onSettle: (w) =>
                io.progress(
                  `${w.index}: ${w.differences} document(s) differ while sync runs; waiting up to ${Math.round(w.waitMs / 1000)}s for it to catch up, then checking them again`,
                ),
              onCheck: (c) => {
                if (!opts.json)
                  io.progress(`${c.passed ? "ok  " : "FAIL"} ${c.index} ${c.kind}: ${c.summary}`);
              },
            });
            io.out(opts.json ? toJson(report) : renderReport(report));
            if (htmlPath !== undefined) {
              writeReportFile(htmlPath, renderHtml(report, await reportMeta(config)));
              io.progress(`HTML report: ${htmlPath}`);
            }
            if (!report.passed) throw validateFailed(report);
            const whole = opts.index === undefined;
            return {
              value: report,
              result: whole
                ? { kind: "done", summary: { checks: report.checks.length, mode: report.mode } }
                : undefined,
            };
          },
        );
      } finally {
        process.off("SIGINT", onSignal);
        state.close();
      }
    });
}
