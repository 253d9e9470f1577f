import { resolve } from "node:path";
import type { Command } from "commander";
import { table, toJson } from "../../report/index.ts";
import {
  DEFAULT_NAME,
  DEFAULT_SOURCE,
  DEFAULT_TARGET,
  DISTRIBUTIONS,
  PLUGIN_DIR_ENV,
  PLUGIN_SETS,
  type SandboxStatus,
  sandboxDown,
  sandboxStatus,
  sandboxUp,
} from "../../sandbox/index.ts";
import { consoleOutput, type Output } from "../output.ts";
import { intOption } from "./options.ts";
import { COMMAND_SUMMARIES } from "./summaries.ts";

function render(status: SandboxStatus): string {
  const rows = (["source", "target"] as const).map((role) => {
    const n = status[role];
    return [
      role,
      n.url,
      `127.0.0.1:${n.transportPort}`,
      `${n.distribution} ${n.version}`,
      n.health ?? (n.pid === undefined ? "stopped" : "unknown"),
    ];
  });
  const lines = [table(["cluster", "url", "transport", "version", "health"], rows)];
  if (status.plugins.length > 0) {
    const es = status.source.distribution !== "opensearch";
    lines.push(`plugins on ${es ? "the target (OpenSearch) only" : "both"}: ${status.plugins.join(", ")}`);
  }
  if (status.credentials !== undefined) {
    lines.push(
      `username: ${status.credentials.username}`,
      `password: ${status.credentials.password}`,
      `ca:       ${status.credentials.ca}`,
    );
  }
  lines.push(`snapshot repository path (path.repo on both): ${status.snapshotRepoPath}`);
  if (status.sharedRepoPath !== undefined) {
    lines.push(`shared with other sandboxes (also in path.repo): ${status.sharedRepoPath}`);
  }
  return lines.join("\n");
}

/** The JSON contract other tools read: stable keys, credentials only for the secure variant. */
function statusJson(status: SandboxStatus): unknown {
  const node = (role: "source" | "target") => {
    const n = status[role];
    return {
      url: n.url,
      distribution: n.distribution,
      version: n.version,
      healthy: n.healthy,
      health: n.health ?? null,
      httpPort: n.httpPort,
      transportPort: n.transportPort,
      transportAddress: `127.0.0.1:${n.transportPort}`,
      ...(status.credentials === undefined ? {} : status.credentials),
    };
  };
  return {
    name: status.name,
    secure: status.secure,
    source: node("source"),
    target: node("target"),
    snapshotRepoPath: status.snapshotRepoPath,
    ...(status.sharedRepoPath === undefined ? {} : { sharedRepoPath: status.sharedRepoPath }),
    plugins: status.plugins,
  };
}

export function registerSandbox(program: Command, io: Output = consoleOutput): void {
  const sandbox = program.command("sandbox").description(COMMAND_SUMMARIES.sandbox.description);
  const versions = `${DISTRIBUTIONS.map((d) => d.key).join(", ")}; a bare major such as 3 for its newest`;
  sandbox
    .command("up")
    .description("Start (or keep) the sandbox clusters and wait until they are healthy")
    .option("--name <name>", "sandbox name, to run several side by side", DEFAULT_NAME)
    .option("--source <version>", `source version (${versions})`, DEFAULT_SOURCE)
    .option("--target <version>", `target version (${versions})`, DEFAULT_TARGET)
    .option("--secure", "security plugin with TLS and a generated admin password", false)
    .option(
      "--port-base <port>",
      "source HTTP port; target is +1, transport ports +100 (default 9200, secure 9210)",
      intOption,
    )
    .option(
      "--shared-repo <dir>",
      "another snapshot folder for path.repo, shared with other sandboxes so they restore each other's snapshots",
    )
    .option(
      "--plugins <sets>",
      `optional plugins on both clusters (the OpenSearch one of a pair with an Elasticsearch source), comma-separated: ${Object.keys(PLUGIN_SETS).join(", ")} (zips from $${PLUGIN_DIR_ENV}, else the official download)`,
    )
    .option("--json", "print status as JSON", false)
    .action(
      async (opts: {
        plugins?: string;
        name: string;
        source: string;
        target: string;
        secure: boolean;
        portBase?: number;
        sharedRepo?: string;
        json: boolean;
      }) => {
        const status = await sandboxUp({
          name: opts.name,
          source: opts.source,
          target: opts.target,
          secure: opts.secure,
          ...(opts.portBase === undefined ? {} : { portBase: opts.portBase }),
          ...(opts.sharedRepo === undefined ? {} : { sharedRepo: resolve(opts.sharedRepo) }),
          ...(opts.plugins === undefined ? {} : { plugins: opts.plugins.split(",").map((p) => p.trim()) }),
          onProgress: (m) => io.progress(m),
        });
        io.out(opts.json ? toJson(statusJson(status)) : render(status));
      },
    );
  sandbox
    .command("status")
    .description("Show the sandbox clusters' URLs, versions, health (and credentials when secure)")
    .option("--name <name>", "sandbox name", DEFAULT_NAME)
    .option("--json", "print as JSON", false)
    .action(async (opts: { name: string; json: boolean }) => {
      const status = await sandboxStatus(opts.name);
      io.out(opts.json ? toJson(statusJson(status)) : render(status));
      const healthy = status.source.healthy && status.target.healthy;
      if (!healthy) process.exitCode = 1;
    });
  sandbox
    .command("down")
    .description("Stop the sandbox clusters (no process is left behind)")
    .option("--name <name>", "sandbox name", DEFAULT_NAME)
    .option("--purge", "also delete data, logs, certificates and snapshots", false)
    .action(async (opts: { name: string; purge: boolean }) => {
      const result = await sandboxDown({ name: opts.name, purge: opts.purge });
      io.out(
        `stopped: ${result.stopped.length === 0 ? "nothing was running" : result.stopped.join(", ")}${result.purged ? "; data purged" : ""}`,
      );
    });
}
