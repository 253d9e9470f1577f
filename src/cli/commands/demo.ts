import type { Command } from "commander";
import { DEMO_PORT_BASE, DEMO_SANDBOX, demoJson, renderDemo, runDemo } from "../../demo/index.ts";
import { BluegreenError, EXIT } from "../../errors/index.ts";
import { renderError, toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { stopOnSignals } from "../signals.ts";
import { countOption, intOption } from "./options.ts";
import { migrationSteps } from "./run.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

/** Sized so the whole demo takes a few minutes on two cores (README: the demo's measured time). */
export const DEMO_DOCS = 200_000;

interface DemoFlags {
  keep: boolean;
  docs: number;
  json: boolean;
  portBase?: number;
  sandbox?: string;
}

export function registerDemo(program: Command, io: Output = consoleOutput): void {
  program
    .command("demo")
    .description(COMMAND_SUMMARIES.demo.description)
    .option("--keep", "leave the clusters (and the migration file) to explore afterwards", false)
    .option(
      "--docs <n>",
      "sample documents in total",
      countOption(10, 10_000_000, "a document count"),
      DEMO_DOCS,
    )
    .option(
      "--port-base <port>",
      `the demo sandbox's source HTTP port; target is +1 (default ${DEMO_PORT_BASE})`,
      intOption,
    )
    .option(
      "--sandbox <name>",
      `use this running sandbox pair instead of starting "${DEMO_SANDBOX}" (left running)`,
    )
    .option("--json", "print the outcome as JSON (progress stays on stderr)", false)
    .action(async (opts: DemoFlags) => {
      if (opts.sandbox !== undefined && opts.portBase !== undefined) {
        throw new BluegreenError("BG_USAGE", "--port-base and --sandbox do not go together.", {
          fix: "--port-base places the demo's own sandbox; an attached one already has its ports.",
        });
      }
      const stop = stopOnSignals((name) =>
        io.progress(`${name}: stopping and cleaning up (send it again to leave everything as it is)`),
      );
      try {
        const result = await runDemo({
          docs: opts.docs,
          keep: opts.keep,
          ...(opts.sandbox === undefined ? {} : { sandbox: opts.sandbox }),
          ...(opts.portBase === undefined ? {} : { portBase: opts.portBase }),
          steps: migrationSteps,
          say: (line) => io.progress(line),
          signal: stop.signal,
        });
        if (opts.json) io.out(toJson(demoJson(result)));
        else {
          io.out(renderDemo(result));
          if (result.error !== undefined) io.progress(renderError(result.error).trimEnd());
        }
        process.exitCode = result.status === "completed" ? EXIT.ok : (result.error?.exitCode ?? EXIT.failure);
      } finally {
        stop.dispose();
      }
    });
}
