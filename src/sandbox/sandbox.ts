import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { DEFAULT_SOURCE, DEFAULT_TARGET, type DistributionSpec, findDistribution } from "./distributions.ts";
import { ensureInstall, type Flavor } from "./install.ts";
import { findJava, type JavaHome } from "./java.ts";
import {
  assertPortFree,
  configureNode,
  hashPassword,
  isAlive,
  type NodeLayout,
  nodeUrl,
  type Role,
  readPid,
  startNode,
  stopNode,
  waitHealthy,
} from "./node.ts";
import { type SandboxPaths, sandboxPaths } from "./paths.ts";
import { isPluginSet, PLUGIN_SETS, type PluginSet } from "./plugin-zips.ts";
import { type ProbeTarget, probe } from "./probe.ts";
import { ensureTls } from "./tls.ts";
import { chownTree, ensureRunAs } from "./user.ts";

export interface UpOptions {
  readonly name?: string;
  readonly source?: string;
  readonly target?: string;
  readonly secure?: boolean;
  /** Source HTTP port; target is +1, transport ports are +100. */
  readonly portBase?: number;
  /**
   * A snapshot folder the nodes list in path.repo besides their own, so nodes of different sandboxes
   * (e.g. one sandbox's source and another's target) can restore each other's snapshots.
   */
  readonly sharedRepo?: string;
  /**
   * Optional plugins on both clusters: `ccr` (cross-cluster replication), `ism` (job-scheduler + ISM);
   * on the OpenSearch node only of a pair with an Elasticsearch source.
   */
  readonly plugins?: readonly string[];
  readonly onProgress?: (message: string) => void;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
  /** Path of the sandbox CA's PEM file, for `tls.ca`. */
  readonly ca: string;
}

/** What `sandbox.json` holds: enough to find, probe and stop the nodes without re-deriving anything. */
interface SandboxRecord {
  readonly name: string;
  readonly secure: boolean;
  readonly nodes: Readonly<
    Record<Role, { readonly key: string; readonly httpPort: number; readonly transportPort: number }>
  >;
  readonly credentials?: Credentials;
  readonly sharedRepo?: string;
  /** Absent in records written before plugins existed: none. */
  readonly plugins?: readonly PluginSet[];
}

export interface NodeStatus {
  readonly url: string;
  readonly distribution: string;
  readonly version: string;
  readonly healthy: boolean;
  readonly health?: string;
  readonly pid?: number;
  readonly httpPort: number;
  readonly transportPort: number;
}

export interface SandboxStatus {
  readonly name: string;
  readonly secure: boolean;
  readonly source: NodeStatus;
  readonly target: NodeStatus;
  readonly credentials?: Credentials;
  readonly snapshotRepoPath: string;
  /** The folder shared with other sandboxes (`sharedRepo`), when there is one. */
  readonly sharedRepoPath?: string;
  /** The plugin sets installed on both clusters (`--plugins`). */
  readonly plugins: readonly PluginSet[];
}

export const DEFAULT_NAME = "default";
const ROLES: readonly Role[] = ["source", "target"];

function defaultPortBase(secure: boolean): number {
  return secure ? 9210 : 9200;
}

function layout(paths: SandboxPaths, record: SandboxRecord, role: Role, install: string): NodeLayout {
  const n = record.nodes[role];
  return {
    role,
    spec: findDistribution(n.key),
    install,
    dir: join(paths.sandbox, role),
    httpPort: n.httpPort,
    transportPort: n.transportPort,
    clusterName: `bluegreen-${record.name}-${role}`,
    repos: record.sharedRepo === undefined ? [paths.repo] : [paths.repo, record.sharedRepo],
    secure: record.secure,
  };
}

function readRecord(paths: SandboxPaths): SandboxRecord | undefined {
  if (!existsSync(paths.stateFile)) return undefined;
  return JSON.parse(readFileSync(paths.stateFile, "utf8")) as SandboxRecord;
}

function writeRecord(paths: SandboxPaths, record: SandboxRecord): void {
  mkdirSync(paths.sandbox, { recursive: true, mode: 0o755 });
  const tmp = `${paths.stateFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  // Credentials live here, so the file stays owner-only even if it existed with wider bits.
  chmodSync(tmp, 0o600);
  writeFileSync(paths.stateFile, readFileSync(tmp));
  chmodSync(paths.stateFile, 0o600);
  rmSync(tmp);
}

function probeTarget(n: NodeLayout, record: SandboxRecord): ProbeTarget {
  if (record.credentials === undefined) return { url: nodeUrl(n) };
  return {
    url: nodeUrl(n),
    ca: readFileSync(record.credentials.ca, "utf8"),
    username: record.credentials.username,
    password: record.credentials.password,
  };
}

/** Generated passwords satisfy the security plugin's strength rules: all four classes, 24 chars. */
function generatePassword(): string {
  const body = randomBytes(18).toString("base64url").replace(/[-_]/g, "x");
  return `Bg${body}7!`;
}

function sameShape(a: SandboxRecord, b: SandboxRecord): boolean {
  return (
    a.secure === b.secure &&
    a.sharedRepo === b.sharedRepo &&
    (a.plugins ?? []).join(",") === (b.plugins ?? []).join(",") &&
    ROLES.every((r) => a.nodes[r].key === b.nodes[r].key && a.nodes[r].httpPort === b.nodes[r].httpPort)
  );
}

/** `["ism", "ccr", "ccr"]` → `["ccr", "ism"]`; an unknown name is a usage error naming the known ones. */
export function pluginSets(names: readonly string[]): PluginSet[] {
  const unknown = names.filter((n) => !isPluginSet(n));
  if (unknown.length > 0) {
    throw new BluegreenError("BG_USAGE", `--plugins: no plugin set named ${unknown.join(", ")}.`, {
      fix: `Use a comma-separated list of: ${Object.keys(PLUGIN_SETS).join(", ")}.`,
    });
  }
  return [...new Set(names as PluginSet[])].sort();
}

export async function sandboxUp(options: UpOptions = {}): Promise<SandboxStatus> {
  const say = options.onProgress ?? (() => {});
  const plugins = pluginSets(options.plugins ?? []);
  const name = options.name ?? DEFAULT_NAME;
  const secure = options.secure ?? false;
  const paths = sandboxPaths(name);
  const specs: Record<Role, DistributionSpec> = {
    source: findDistribution(options.source ?? DEFAULT_SOURCE),
    target: findDistribution(options.target ?? DEFAULT_TARGET),
  };
  const base = options.portBase ?? defaultPortBase(secure);
  const wanted: SandboxRecord = {
    name,
    secure,
    nodes: {
      source: { key: specs.source.key, httpPort: base, transportPort: base + 100 },
      target: { key: specs.target.key, httpPort: base + 1, transportPort: base + 101 },
    },
    ...(options.sharedRepo === undefined ? {} : { sharedRepo: options.sharedRepo }),
    ...(plugins.length === 0 ? {} : { plugins }),
  };
  const existing = readRecord(paths);
  if (existing !== undefined && !sameShape(existing, wanted)) {
    throw new BluegreenError(
      "BG_USAGE",
      `Sandbox "${name}" already exists with source ${existing.nodes.source.key}, target ${existing.nodes.target.key}${existing.secure ? " (secure)" : ""}${(existing.plugins ?? []).length === 0 ? "" : ` with plugins ${existing.plugins?.join(",")}`} on port ${existing.nodes.source.httpPort}${existing.sharedRepo === undefined ? "" : `, sharing ${existing.sharedRepo}`}.`,
      {
        fix: `Remove it first with \`bluegreen sandbox down --name ${name} --purge\`, or pick another --name.`,
      },
    );
  }
  const runAs = await ensureRunAs(paths.home);
  mkdirSync(paths.home, { recursive: true, mode: 0o755 });
  const javas: Record<Role, JavaHome> = {
    source: findJava(specs.source.javaMajors, `${specs.source.distribution} ${specs.source.version}`),
    target: findJava(specs.target.javaMajors, `${specs.target.distribution} ${specs.target.version}`),
  };
  const flavor: Flavor = secure ? "secure" : "plain";
  const installs: Partial<Record<Role, string>> = {};
  // The sets are OpenSearch plugins: the Elasticsearch node of a mixed pair runs without them (and
  // says so); a pair with no OpenSearch node at all is refused by the install.
  const someOpenSearch = ROLES.some((r) => specs[r].distribution === "opensearch");
  for (const role of ROLES) {
    const skip = someOpenSearch && specs[role].distribution !== "opensearch" && plugins.length > 0;
    const mine = skip ? [] : plugins;
    const extra = skip
      ? ` without ${plugins.join(", ")}: OpenSearch plugins`
      : mine.length === 0
        ? ""
        : ` with ${mine.join(", ")}`;
    say(`preparing ${specs[role].distribution} ${specs[role].version} (${flavor}${extra}) for the ${role}`);
    installs[role] = await ensureInstall(specs[role], flavor, javas[role], paths, mine);
  }
  let record = existing ?? wanted;
  if (secure && record.credentials === undefined) {
    const tls = await ensureTls(join(paths.sandbox, "tls"));
    record = { ...record, credentials: { username: "admin", password: generatePassword(), ca: tls.ca } };
  }
  // Ports are checked before anything is recorded, so a busy port leaves no half-made sandbox behind.
  for (const role of ROLES) {
    const node = layout(paths, record, role, installs[role] ?? "");
    if (isAlive(readPid(node))) continue;
    await assertPortFree(node.httpPort, `${role} HTTP`);
    await assertPortFree(node.transportPort, `${role} transport`);
  }
  writeRecord(paths, record);
  for (const role of ROLES) {
    const node = layout(paths, record, role, installs[role] ?? "");
    const target = probeTarget(node, record);
    if (isAlive(readPid(node))) {
      say(`${role} already running at ${node.httpPort}`);
      await waitHealthy(node, target);
      continue;
    }
    let secureInputs: Parameters<typeof configureNode>[2];
    if (record.credentials !== undefined) {
      const tls = await ensureTls(join(paths.sandbox, "tls"));
      secureInputs = {
        tls,
        adminHash: await hashPassword(node.install, javas[role], record.credentials.password),
      };
    }
    configureNode(node, runAs, secureInputs);
    say(`starting ${role} (${node.spec.distribution} ${node.spec.version}) on ${nodeUrl(node)}`);
    await startNode(node, javas[role], runAs);
    await waitHealthy(node, target);
  }
  for (const repo of [paths.repo, record.sharedRepo]) if (repo !== undefined) chownTree(repo, runAs);
  return sandboxStatus(name);
}

export async function sandboxStatus(name = DEFAULT_NAME): Promise<SandboxStatus> {
  const paths = sandboxPaths(name);
  const record = readRecord(paths);
  if (record === undefined) {
    throw new BluegreenError("BG_SANDBOX_NOT_RUNNING", `There is no sandbox named "${name}".`, {
      fix: `Start it with \`bluegreen sandbox up${name === DEFAULT_NAME ? "" : ` --name ${name}`}\`.`,
    });
  }
  const nodes = {} as Record<Role, NodeStatus>;
  for (const role of ROLES) {
    const node = layout(paths, record, role, "");
    const pid = readPid(node);
    let health: string | undefined;
    let version = node.spec.version;
    if (isAlive(pid)) {
      try {
        const target = probeTarget(node, record);
        const info = await probe(target, "/");
        const h = await probe(target, "/_cluster/health");
        version = (info.body as { version?: { number?: string } }).version?.number ?? version;
        health = (h.body as { status?: string }).status;
      } catch {
        health = undefined;
      }
    }
    nodes[role] = {
      url: nodeUrl(node),
      distribution: node.spec.distribution,
      version,
      healthy: health === "green" || health === "yellow",
      ...(health === undefined ? {} : { health }),
      ...(pid === undefined || !isAlive(pid) ? {} : { pid }),
      httpPort: node.httpPort,
      transportPort: node.transportPort,
    };
  }
  return {
    name,
    secure: record.secure,
    source: nodes.source,
    target: nodes.target,
    ...(record.credentials === undefined ? {} : { credentials: record.credentials }),
    snapshotRepoPath: paths.repo,
    ...(record.sharedRepo === undefined ? {} : { sharedRepoPath: record.sharedRepo }),
    plugins: record.plugins ?? [],
  };
}

export interface DownOptions {
  readonly name?: string;
  /** Also delete data, logs, certificates and the shared snapshot folder. */
  readonly purge?: boolean;
}

export async function sandboxDown(options: DownOptions = {}): Promise<{ stopped: Role[]; purged: boolean }> {
  const name = options.name ?? DEFAULT_NAME;
  const paths = sandboxPaths(name);
  const record = readRecord(paths);
  const stopped: Role[] = [];
  if (record !== undefined) {
    for (const role of ROLES) {
      const node = layout(paths, record, role, "");
      const wasAlive = isAlive(readPid(node));
      await stopNode(node);
      if (wasAlive) stopped.push(role);
    }
  }
  if (options.purge === true) rmSync(paths.sandbox, { recursive: true, force: true });
  return { stopped, purged: options.purge === true };
}
