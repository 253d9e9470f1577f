import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/**
 * BENCH_PIN=1 splits the machine's cores in two: the clusters (and this process, which drives the load)
 * on the first half, the tool under test (nginx, the gateway, the copier, elasticdump, the ceiling
 * loader) on the rest. That is the deployment an operator runs, the gateway or the copier on a host of
 * its own, approximated on one machine: without it the tool's CPU is taken from the clusters it is
 * measured against, which a native peer (nginx) or a server-side one (`_reindex`) does not pay.
 * Server-side peers get the same cluster cores and no more. The pins stay on the sandbox's JVMs until
 * `unpinClusters` (or the sandbox stops).
 */
export const PIN = process.env.BENCH_PIN === "1";

const all = cpus().length;
const half = Math.max(1, Math.floor(all / 2));
const CLUSTER_CPUS = `0-${half - 1}`;
const TOOL_CPUS = all > 1 ? `${half}-${all - 1}` : "0";

function taskset(pid: number, list: string): void {
  // -a: every thread the JVM already has; threads started later inherit the mask.
  execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
}

/** Pins the clusters' JVMs and this process to the cluster cores, when BENCH_PIN is on. */
export function pinClusters(pids: readonly (number | undefined)[]): void {
  if (!PIN) return;
  for (const pid of [...pids, process.pid]) {
    if (pid === undefined) throw new Error("BENCH_PIN=1 needs the sandbox's JVM pids; restart the sandbox");
    taskset(pid, CLUSTER_CPUS);
  }
}

/** Gives the JVMs (and this process) every core back. */
export function unpinClusters(pids: readonly (number | undefined)[]): void {
  if (!PIN) return;
  for (const pid of [...pids, process.pid]) if (pid !== undefined) taskset(pid, `0-${all - 1}`);
}

/** `cmd args` to spawn on the tool's cores when BENCH_PIN is on, else unchanged. */
export function onToolCores(cmd: string, args: readonly string[]): [string, string[]] {
  return PIN ? ["taskset", ["-c", TOOL_CPUS, cmd, ...args]] : [cmd, [...args]];
}

/** One line for a report: how the cores were split, or that they were shared. */
export function pinning(): string {
  return PIN
    ? `cores split (BENCH_PIN=1): clusters and load generator on ${CLUSTER_CPUS}, the tool under test on ${TOOL_CPUS}`
    : "cores shared by the clusters, the load generator and the tool under test";
}
