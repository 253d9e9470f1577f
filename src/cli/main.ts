import type { Command } from "commander";
import { EXIT, toBluegreenError } from "../errors/index.ts";
import { backfillForWorker } from "./commands/backfill-worker.ts";
import type { CommandName } from "./commands/summaries.ts";
import { consoleOutput } from "./output.ts";

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when that command runs: loading all of them (the cluster client,
 * Kafka, the gateway, validate) cost half a second and 50-80 MB before any work, on every command, and
 * in both threads of a bounded backfill. Help and unknown commands load all, in this (the help's) order.
 */
const COMMANDS: ReadonlyArray<readonly [CommandName, () => Promise<Register>]> = [
  ["init", async () => (await import("./commands/init.ts")).registerInit],
  ["sandbox", async () => (await import("./commands/sandbox.ts")).registerSandbox],
  ["clusters", async () => (await import("./commands/clusters.ts")).registerClusters],
  ["prepare", async () => (await import("./commands/prepare.ts")).registerPrepare],
  ["backfill", async () => (await import("./commands/backfill.ts")).registerBackfill],
  ["run", async () => (await import("./commands/run.ts")).registerRun],
  ["status", async () => (await import("./commands/status.ts")).registerStatus],
  ["gateway", async () => (await import("./commands/gateway.ts")).registerGateway],
  ["replay", async () => (await import("./commands/replay.ts")).registerReplay],
  ["sync", async () => (await import("./commands/sync.ts")).registerSync],
  ["validate", async () => (await import("./commands/validate.ts")).registerValidate],
  ["cutover", async () => (await import("./commands/cutover.ts")).registerCutover],
  ["rollback", async () => (await import("./commands/rollback.ts")).registerRollback],
  ["decommission", async () => (await import("./commands/decommission.ts")).registerDecommission],
  ["report", async () => (await import("./commands/report.ts")).registerReport],
  ["demo", async () => (await import("./commands/demo.ts")).registerDemo],
];

const VERSION = ["--version", "-V"];
const HELP = ["--help", "-h", "help"];

/** `bluegreen`, `bluegreen --help` (`-h`, `help`): the list of commands and nothing else. */
export function isTopLevelHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || (argv.length === 1 && HELP.includes(argv[0] as string));
}

/**
 * The program with every command, or with only `command`'s when it names one. `listOnly`: each command
 * as its help line alone (name, terms, description), for the top-level help, with no command loaded.
 */
export async function buildProgram(command?: string, listOnly = false): Promise<Command> {
  // Loaded here, not at the top: a backfill's main thread only starts the worker, and each module it
  // loads first delays the copy (commander and the report's tables were 30-50 ms of that).
  const { Command, Help } = await import("commander");
  const program = new Command("bluegreen")
    .description(
      "Blue-green upgrades for OpenSearch: align, backfill, sync, validate, cut over, roll back, decommission",
    )
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");
  if (listOnly) {
    const { COMMAND_SUMMARIES } = await import("./commands/summaries.ts");
    const defaultTerm = Help.prototype.subcommandTerm;
    program.configureHelp({
      // The commands here have no options or arguments: their line comes from the table.
      subcommandTerm(this: InstanceType<typeof Help>, cmd: Command): string {
        const known = COMMAND_SUMMARIES[cmd.name() as CommandName] as { term: string } | undefined;
        return known?.term ?? defaultTerm.call(this, cmd);
      },
    });
    for (const [name] of COMMANDS) program.command(name).description(COMMAND_SUMMARIES[name].description);
    return program;
  }
  const one = COMMANDS.filter(([name]) => name === command);
  const which = one.length > 0 ? one : VERSION.includes(command ?? "") ? [] : COMMANDS;
  const registers = await Promise.all(which.map(([, load]) => load()));
  for (const register of registers) register(program);
  return program;
}

/** Every failure ends here: a catalogue code, a message, a fix and a documented exit code; no stack. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    // Before anything else loads: the worker loads what the copy needs, and parses the arguments.
    if (backfillForWorker(argv)) {
      const { inBoundedWorker } = await import("./commands/backfill-worker.ts");
      return await inBoundedWorker(consoleOutput, argv);
    }
    await (await buildProgram(argv[0], isTopLevelHelp(argv))).parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (thrown) {
    const { CommanderError } = await import("commander");
    if (thrown instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; commander already printed the usage problem.
      return thrown.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const error = toBluegreenError(thrown);
    const { renderError } = await import("../report/index.ts");
    process.stderr.write(renderError(error));
    if (error.code === "BG_INTERNAL" && process.env.BLUEGREEN_DEBUG !== undefined) console.error(thrown);
    return error.exitCode;
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
