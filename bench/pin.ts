import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/**
 * Splits the machine's cores in two, as a deployment spreads the parts over hosts:
 * - BENCH_PIN=1: the clusters (and this process, which drives the load) on the first half, the tool
 *   under test (nginx, the gateway, the copier, elasticdump, the ceiling loader) on the rest: the
 *   gateway or the copier on a host of its own. Without it the tool's CPU is taken from the clusters
 *   it is measured against, which a native peer (nginx) or a server-side one (`_reindex`) does not pay.
 * - BENCH_PIN=target: the target cluster alone on the first half; the source, this process and the
 *   tool on the rest. Source and target are separate clusters on separate hosts in a migration, so the
 *   source's cost of serving reads does not come out of the target's indexing, as it does when the two
 *   share cores; sharing its cores with the tool makes this layout, if anything, harder on the tool.
 * Server-side peers get the same cluster cores and no more. The pins stay on the sandbox's JVMs until
 * `unpinClusters` (or the sandbox stops).
 */
const LAYOUTS: Readonly<Record<string, "split" | "target" | undefined>> = {
  "": undefined,
  "0": undefined,
  "1": "split",
  target: "target",
};
const asked = process.env.BENCH_PIN ?? "";
if (!Object.hasOwn(LAYOUTS, asked))
  throw new Error(
    `BENCH_PIN=${asked} is not a layout: use 1 (clusters | tool), target (target | source and tool) or leave it unset`,
  );
const LAYOUT = LAYOUTS[asked];
export const PIN = LAYOUT !== undefined;

const all = cpus().length;
const half = Math.max(1, Math.floor(all / 2));
const FIRST_CPUS = `0-${half - 1}`;
const TOOL_CPUS = all > 1 ? `${half}-${all - 1}` : "0";

export interface ClusterPids {
  readonly source: number | undefined;
  readonly target: number | undefined;
}

function taskset(pid: number, list: string): void {
  // -a: every thread the JVM already has; threads started later inherit the mask.
  execFileSync("taskset", ["-a", "-p", "-c", list, String(pid)], { stdio: "ignore" });
}

function pidOf(pid: number | undefined): number {
  if (pid === undefined) throw new Error("BENCH_PIN needs the sandbox's JVM pids; restart the sandbox");
  return pid;
}

/** Pins the clusters' JVMs and this process as the layout says, when BENCH_PIN is on. */
export function pinClusters(jvms: ClusterPids): void {
  if (LAYOUT === undefined) return;
  const sourceCpus = LAYOUT === "split" ? FIRST_CPUS : TOOL_CPUS;
  taskset(pidOf(jvms.source), sourceCpus);
  taskset(pidOf(jvms.target), FIRST_CPUS);
  taskset(process.pid, sourceCpus);
}

/** Gives the JVMs (and this process) every core back. */
export function unpinClusters(jvms: ClusterPids): void {
  if (LAYOUT === undefined) return;
  for (const pid of [jvms.source, jvms.target, process.pid])
    if (pid !== undefined) taskset(pid, `0-${all - 1}`);
}

/** `cmd args` to spawn on the tool's cores when BENCH_PIN is on, else unchanged. */
export function onToolCores(cmd: string, args: readonly string[]): [string, string[]] {
  return PIN ? ["taskset", ["-c", TOOL_CPUS, cmd, ...args]] : [cmd, [...args]];
}

/** One line for a report: how the cores were split, or that they were shared. */
export function pinning(): string {
  if (LAYOUT === "split")
    return `cores split (BENCH_PIN=1): clusters and load generator on ${FIRST_CPUS}, the tool under test on ${TOOL_CPUS}`;
  if (LAYOUT === "target")
    return `cores split (BENCH_PIN=target): the target cluster alone on ${FIRST_CPUS}; the source, the load generator and the tool under test on ${TOOL_CPUS}`;
  return "cores shared by the clusters, the load generator and the tool under test";
}
