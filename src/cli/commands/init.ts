import { existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, exampleConfig } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

export function registerInit(program: Command, io: Output = consoleOutput): void {
  program
    .command("init")
    .description(COMMAND_SUMMARIES.init.description)
    .argument("[file]", "where to write it", DEFAULT_CONFIG_FILE)
    .option("--print", "print the example instead of writing a file", false)
    .option("--force", "overwrite an existing file", false)
    .action((file: string, opts: { print: boolean; force: boolean }) => {
      if (opts.print) {
        io.out(exampleConfig());
        return;
      }
      if (existsSync(file) && !opts.force) {
        throw new BluegreenError("BG_CONFIG_EXISTS", `${file} already exists.`, {
          fix: "Pass --force to overwrite it, or name another file: bluegreen init other.yaml",
        });
      }
      // Exclusive create unless forced, so a race with another writer cannot clobber a file.
      writeFileSync(file, exampleConfig(), { flag: opts.force ? "w" : "wx" });
      io.out(`wrote ${file}; edit source and target, then run: bluegreen clusters check -c ${file}`);
    });
}
