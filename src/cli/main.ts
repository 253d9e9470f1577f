import { Command, CommanderError } from "commander";
import { EXIT, toBluegreenError } from "../errors/index.ts";
import { renderError } from "../report/index.ts";
import { registerBackfill } from "./commands/backfill.ts";
import { registerClusters } from "./commands/clusters.ts";
import { registerCutover } from "./commands/cutover.ts";
import { registerDecommission } from "./commands/decommission.ts";
import { registerDemo } from "./commands/demo.ts";
import { registerGateway } from "./commands/gateway.ts";
import { registerInit } from "./commands/init.ts";
import { registerPrepare } from "./commands/prepare.ts";
import { registerReplay } from "./commands/replay.ts";
import { registerReport } from "./commands/report.ts";
import { registerRollback } from "./commands/rollback.ts";
import { registerRun } from "./commands/run.ts";
import { registerSandbox } from "./commands/sandbox.ts";
import { registerStatus } from "./commands/status.ts";
import { registerSync } from "./commands/sync.ts";
import { registerValidate } from "./commands/validate.ts";

export function buildProgram(): Command {
  const program = new Command("bluegreen")
    .description(
      "Blue-green upgrades for OpenSearch: align, backfill, sync, validate, cut over, roll back, decommission",
    )
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  registerInit(program);
  registerSandbox(program);
  registerClusters(program);
  registerPrepare(program);
  registerBackfill(program);
  registerRun(program);
  registerStatus(program);
  registerGateway(program);
  registerReplay(program);
  registerSync(program);
  registerValidate(program);
  registerCutover(program);
  registerRollback(program);
  registerDecommission(program);
  registerReport(program);
  registerDemo(program);
  return program;
}

/** Every failure ends here: a catalogue code, a message, a fix and a documented exit code; no stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (thrown) {
    if (thrown instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; commander already printed the usage problem.
      return thrown.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const error = toBluegreenError(thrown);
    process.stderr.write(renderError(error));
    if (error.code === "BG_INTERNAL" && process.env.BLUEGREEN_DEBUG !== undefined) console.error(thrown);
    return error.exitCode;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
