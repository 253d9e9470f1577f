/**
 * Each command's line in `bluegreen --help`, in the help's order. A command takes its description from
 * here, and the top-level help is drawn from this table alone: loading every command to list them took
 * 0.6 s. `term` is what commander prints for the command (name, `[options]`, arguments);
 * test/unit/cli-help.test.ts fails when it no longer matches the command itself.
 */
export const COMMAND_SUMMARIES = {
  init: {
    term: "init [options] [file]",
    description: "Write a commented example migration file",
  },
  sandbox: {
    term: "sandbox",
    description: "Run a real source and target OpenSearch cluster on loopback, resolved from Maven Central",
  },
  clusters: {
    term: "clusters",
    description: "Inspect the source and target clusters",
  },
  prepare: {
    term: "prepare [options]",
    description:
      "Step 1: align the target's templates, pipelines, scripts, indices, aliases, data streams, ISM policies and security configuration with the source",
  },
  backfill: {
    term: "backfill [options]",
    description: "Step 2: copy the existing documents of the selected indices to the target (resumable)",
  },
  run: {
    term: "run [options]",
    description:
      "Run the migration from preflight to decommission, resuming where the last run stopped; cutover and decommission need approval (--yes, or a yes on the terminal)",
  },
  status: {
    term: "status [options]",
    description:
      "Where the migration stands: steps (however they were run), sync (method, paused, CCR lag per index), the gateway's mode, replay lag and hold, backfill per index",
  },
  gateway: {
    term: "gateway [options]",
    description:
      "Run the capturing gateway: clients use its URL instead of the source's during the migration",
  },
  replay: {
    term: "replay [options]",
    description: "Apply the gateway's capture log to the target, resuming from the stored position",
  },
  sync: {
    term: "sync",
    description: "Step 3 by hand: pause, resume, or show sync (CCR lag per index, or replay's lag)",
  },
  validate: {
    term: "validate [options]",
    description:
      "Step 4: prove the target holds what the source holds: counts, every document's content, metadata; records the result for the cutover gate",
  },
  cutover: {
    term: "cutover [options]",
    description:
      "Step 5: check the readiness gate, fence writes, write-block the source, drain sync, finish the target, switch clients; resumes where it stopped",
  },
  rollback: {
    term: "rollback [options]",
    description:
      "Step 6: give the source back its clients: fence, lift the write block cutover set, replay the target's writes back to the source, capture again",
  },
  decommission: {
    term: "decommission [options]",
    description:
      "Step 7, after cutover: retire sync, remove the snapshot repositories bluegreen registered, take the final snapshot if configured, leave the source read-only, write the migration report",
  },
  report: {
    term: "report [options]",
    description:
      "The migration report from the state file, at any point: timeline, per-index method, counts and validation, the cutover write pause, the rollback commands that still apply",
  },
  demo: {
    term: "demo [options]",
    description:
      "The whole migration on a sandbox in one command: sample data, clients writing through the gateway, every step to decommission, the proof, the report",
  },
} as const satisfies Record<string, { readonly term: string; readonly description: string }>;

export type CommandName = keyof typeof COMMAND_SUMMARIES;
