import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import {
  DECOMMISSION_APPROVAL,
  decommissionAllowed,
  decommissionStep,
  decommissionSummary,
  runDecommission,
} from "../../decommission/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import { createLogger } from "../../log/index.ts";
import { toJson } from "../../report/index.ts";
import { openMigrationState } from "../../state/index.ts";
import { recordStepRun } from "../../workflow/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { askLine, confirm, isTerminal } from "./confirm.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

interface DecommissionFlags {
  config: string;
  yes: boolean;
  json: boolean;
  deleteSource: boolean;
  confirmClusterName?: string;
}

/** The cluster name typed back, from the flag or the terminal; refused before anything runs. */
async function typedClusterName(opts: DecommissionFlags): Promise<string | undefined> {
  if (!opts.deleteSource) {
    if (opts.confirmClusterName !== undefined) {
      throw new BluegreenError("BG_USAGE", "--confirm-cluster-name only goes with --delete-source.", {
        fix: "Add --delete-source to delete the source's migrated indices, or drop --confirm-cluster-name.",
      });
    }
    return undefined;
  }
  if (opts.confirmClusterName !== undefined) return opts.confirmClusterName;
  if (!isTerminal()) {
    throw new BluegreenError(
      "BG_CONFIRM",
      "--delete-source deletes the source's migrated indices and needs the source cluster's name typed back; nothing was changed.",
      { fix: "Run it on a terminal and type the name when asked, or pass --confirm-cluster-name NAME." },
    );
  }
  return askLine("Type the source cluster's name (its cluster_name) to delete its migrated indices: ");
}

export function registerDecommission(program: Command, io: Output = consoleOutput): void {
  program
    .command("decommission")
    .description(COMMAND_SUMMARIES.decommission.description)
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--yes", "do not ask for confirmation", false)
    .option(
      "--delete-source",
      "also delete the migrated indices on the source (needs the cluster's name typed back)",
      false,
    )
    .option(
      "--confirm-cluster-name <name>",
      "the source cluster's name, typed back, for --delete-source off a terminal",
    )
    .option("--json", "print the result as JSON", false)
    .action(async (opts: DecommissionFlags) => {
      const config = await loadConfig(opts.config);
      const state = openMigrationState(config);
      try {
        // Refusals first, so nothing is asked or recorded for a decommission that cannot run yet.
        decommissionAllowed(config, state);
        const confirmedName = await typedClusterName(opts);
        const what = `${DECOMMISSION_APPROVAL}${confirmedName === undefined ? "" : ", and DELETES the source's migrated indices"}`;
        if (!opts.yes && !(await confirm("Decommission", what))) {
          io.progress("decommission not started");
          process.exitCode = 1;
          return;
        }
        const logger = createLogger();
        const result = await recordStepRun(
          decommissionStep(config, logger),
          { state, logger, signal: new AbortController().signal, via: "decommission" },
          async () => {
            const done = await runDecommission(config, state, logger, {
              ...(confirmedName === undefined ? {} : { deleteSource: { confirmedName } }),
              onPart: (part, phase) => {
                if (!opts.json)
                  io.progress(
                    `${part}: ${phase === "done" ? "done" : phase === "already" ? "already done" : "nothing to do"}`,
                  );
              },
            });
            return {
              value: done,
              result: { kind: "done", summary: decommissionSummary(done) },
            };
          },
        );
        if (opts.json) {
          io.out(
            toJson({
              record: result.record,
              reportFiles: result.reportFiles,
              rollback: result.report.rollback,
            }),
          );
          return;
        }
        const { record } = result;
        const deleted = record.delete?.deleted ?? [];
        io.out(
          [
            deleted.length > 0
              ? `decommissioned: deleted ${deleted.length} source index(es) on ${record.delete?.cluster}`
              : `decommissioned: the source is read-only (${record.readonly?.indices.length ?? 0} index(es) write-blocked); its data is kept`,
            `snapshot repositories removed: ${record.repositories?.removed.join(", ") || "none"}`,
            ...(record.snapshot?.name === undefined
              ? []
              : [`final snapshot: ${record.snapshot.repository}/${record.snapshot.name}`]),
            `report: ${result.reportFiles.markdown}, ${result.reportFiles.html}`,
            ...(record.sync?.leftForYou ?? []).map((l) => `left for you: ${l}`),
          ].join("\n"),
        );
      } finally {
        state.close();
      }
    });
}
