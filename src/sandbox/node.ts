import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { stringify } from "yaml";
import { BluegreenError } from "../errors/index.ts";
import type { DistributionSpec } from "./distributions.ts";
import { exec, tail } from "./exec.ts";
import { copyConfig } from "./install.ts";
import type { JavaHome } from "./java.ts";
import { type ProbeTarget, probe } from "./probe.ts";
import { ADMIN_DN, NODE_DN, type TlsFiles } from "./tls.ts";
import { asUser, chownTree, type RunAs } from "./user.ts";

export type Role = "source" | "target";

export interface NodeLayout {
  readonly role: Role;
  readonly spec: DistributionSpec;
  readonly install: string;
  readonly dir: string;
  readonly httpPort: number;
  readonly transportPort: number;
  readonly clusterName: string;
  /** path.repo: the sandbox's own snapshot folder first, then any folder shared with other sandboxes. */
  readonly repos: readonly string[];
  readonly secure: boolean;
}

const configDir = (n: NodeLayout) => join(n.dir, "config");
const pidFile = (n: NodeLayout) => join(n.dir, "node.pid");

export function nodeUrl(n: NodeLayout): string {
  return `${n.secure ? "https" : "http"}://127.0.0.1:${n.httpPort}`;
}

function securitySettings(): Record<string, unknown> {
  return {
    "plugins.security.ssl.transport.pemcert_filepath": "node.pem",
    "plugins.security.ssl.transport.pemkey_filepath": "node-key.pem",
    "plugins.security.ssl.transport.pemtrustedcas_filepath": "root-ca.pem",
    "plugins.security.ssl.transport.enforce_hostname_verification": false,
    "plugins.security.ssl.http.enabled": true,
    "plugins.security.ssl.http.pemcert_filepath": "node.pem",
    "plugins.security.ssl.http.pemkey_filepath": "node-key.pem",
    "plugins.security.ssl.http.pemtrustedcas_filepath": "root-ca.pem",
    "plugins.security.allow_default_init_securityindex": true,
    "plugins.security.authcz.admin_dn": [ADMIN_DN],
    "plugins.security.nodes_dn": [NODE_DN],
    "plugins.security.restapi.roles_enabled": ["all_access", "security_rest_api_access"],
    "plugins.security.check_snapshot_restore_write_privileges": true,
    "plugins.security.enable_snapshot_restore_privilege": true,
    "plugins.security.system_indices.enabled": true,
  };
}

/** The security index is seeded from these files on first start (allow_default_init_securityindex). */
function internalUsers(adminHash: string): string {
  return stringify({
    _meta: { type: "internalusers", config_version: 2 },
    admin: {
      hash: adminHash,
      reserved: true,
      backend_roles: ["admin"],
      description: "bluegreen sandbox administrator",
    },
  });
}

export interface SecureInputs {
  readonly tls: TlsFiles;
  readonly adminHash: string;
}

/** Writes the node's config folder. Rewritten on every `up` so port or setting changes take effect. */
export function configureNode(n: NodeLayout, runAs: RunAs, secure?: SecureInputs): void {
  const conf = configDir(n);
  if (!existsSync(join(conf, n.spec.configFile))) {
    copyConfig(n.install, conf);
    // The launcher runs from the shared, read-only install; point gc.log, heap dumps and error files
    // at this node's own folders instead of paths relative to it.
    const jvmOptions = join(conf, "jvm.options");
    const options = readFileSync(jvmOptions, "utf8")
      .replaceAll("logs/", `${join(n.dir, "logs")}/`)
      .replaceAll("HeapDumpPath=data", `HeapDumpPath=${join(n.dir, "data")}`)
      // 3.x loads its security agent by a path relative to the working directory, which is the node's.
      .replaceAll("-javaagent:agent/", `-javaagent:${join(n.install, "agent")}/`);
    writeFileSync(jvmOptions, options);
  }
  for (const sub of ["data", "logs"]) mkdirSync(join(n.dir, sub), { recursive: true });
  for (const repo of n.repos) mkdirSync(repo, { recursive: true });
  const settings: Record<string, unknown> = {
    "cluster.name": n.clusterName,
    "node.name": `${n.role}-0`,
    "network.host": "127.0.0.1",
    "http.port": n.httpPort,
    "transport.port": n.transportPort,
    "discovery.type": "single-node",
    "path.data": join(n.dir, "data"),
    "path.logs": join(n.dir, "logs"),
    "path.repo": [...n.repos],
    // Sandboxes live on shared developer disks; the default watermarks would make them read-only.
    "cluster.routing.allocation.disk.threshold_enabled": false,
  };
  for (const module of n.spec.modules) Object.assign(settings, module.settings ?? {});
  if (secure !== undefined) {
    Object.assign(settings, securitySettings());
    for (const file of [secure.tls.ca, secure.tls.nodeCert, secure.tls.nodeKey]) {
      copyFileSync(file, join(conf, file.split("/").at(-1) ?? file));
    }
    writeFileSync(join(conf, "opensearch-security", "internal_users.yml"), internalUsers(secure.adminHash));
  }
  writeFileSync(join(conf, n.spec.configFile), stringify(settings));
  mkdirSync(join(conf, "jvm.options.d"), { recursive: true });
  writeFileSync(join(conf, "jvm.options.d", "heap.options"), "-Xms512m\n-Xmx512m\n");
  chownTree(n.dir, runAs);
  for (const repo of n.repos) chownTree(repo, runAs);
}

export function readPid(n: NodeLayout): number | undefined {
  if (!existsSync(pidFile(n))) return undefined;
  const pid = Number(readFileSync(pidFile(n), "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", () =>
      reject(
        new BluegreenError(
          "BG_SANDBOX_PORT_IN_USE",
          `Port ${port} (${what}) on 127.0.0.1 is already taken by another process.`,
          {
            fix: `Stop whatever listens there (ss -ltnp 'sport = :${port}') or choose other ports with --port-base.`,
            details: { port },
          },
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

export async function startNode(n: NodeLayout, java: JavaHome, runAs: RunAs): Promise<void> {
  const env = [
    `${n.spec.env.javaHome}=${java.home}`,
    `JAVA_HOME=${java.home}`,
    `${n.spec.env.pathConf}=${configDir(n)}`,
    `${n.spec.env.javaOpts}=`,
    `PATH=${process.env.PATH ?? "/usr/bin:/bin"}`,
  ];
  const [command, args] = asUser(runAs, "env", [
    "-i",
    ...env,
    join(n.install, n.spec.executable),
    "-d",
    "-p",
    pidFile(n),
  ]);
  const result: { code: number; stdout: string } = await exec(command, args, {
    cwd: n.dir,
    outputFile: join(n.dir, "logs", "launcher.out"),
  });
  // The launcher backgrounds the JVM and returns at once, exit 0 even when the JVM then refuses an
  // option; the pid file the JVM writes once bootstrapped is the proof of a start.
  const deadline = Date.now() + 90_000;
  while (result.code === 0 && readPid(n) === undefined && Date.now() < deadline) {
    if (/ERROR:|Exception in thread/.test(readFileSync(join(n.dir, "logs", "launcher.out"), "utf8"))) break;
    await sleep(250);
  }
  if (result.code !== 0 || readPid(n) === undefined) {
    result.stdout = readFileSync(join(n.dir, "logs", "launcher.out"), "utf8");
    throw new BluegreenError(
      "BG_SANDBOX_START_FAILED",
      `The ${n.role} node (${n.spec.distribution} ${n.spec.version}) failed to start:\n${tail(result.stdout, 15)}\n${logTail(n)}`,
      {
        fix: `Read the node's log in ${join(n.dir, "logs")}.`,
      },
    );
  }
}

function logTail(n: NodeLayout): string {
  const file = join(n.dir, "logs", `${n.clusterName}.log`);
  return existsSync(file) ? tail(readFileSync(file, "utf8"), 20) : "";
}

export async function waitHealthy(n: NodeLayout, target: ProbeTarget, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (!isAlive(readPid(n))) {
      throw new BluegreenError(
        "BG_SANDBOX_START_FAILED",
        `The ${n.role} node exited during startup.\n${logTail(n)}`,
        {
          fix: `Read the node's log in ${join(n.dir, "logs")}.`,
        },
      );
    }
    try {
      const res = await probe(target, "/_cluster/health?wait_for_status=yellow&timeout=2s");
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(500);
  }
  throw new BluegreenError(
    "BG_SANDBOX_START_FAILED",
    `The ${n.role} node at ${target.url} was not healthy after ${timeoutMs / 1000}s (last: ${last}).\n${logTail(n)}`,
    {
      fix: `Read the node's log in ${join(n.dir, "logs")}.`,
    },
  );
}

/** Every JVM started with this node's config folder, found via /proc, so `down` leaves nothing behind. */
function strayPids(n: NodeLayout): number[] {
  const needle = configDir(n);
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids.filter((p) => p !== process.pid);
}

export async function stopNode(n: NodeLayout): Promise<void> {
  const pids = new Set(
    [readPid(n), ...strayPids(n)].filter((p): p is number => p !== undefined && isAlive(p)),
  );
  for (const pid of pids) process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 30_000;
  while ([...pids].some(isAlive) && Date.now() < deadline) await sleep(200);
  for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  while ([...pids].some(isAlive)) await sleep(100);
  rmSync(pidFile(n), { force: true });
}

export async function hashPassword(install: string, java: JavaHome, password: string): Promise<string> {
  const tool = join(install, "plugins", "opensearch-security", "tools", "hash.sh");
  const result = await exec("bash", [tool, "-env", "BLUEGREEN_HASH_INPUT"], {
    env: {
      ...process.env,
      JAVA_HOME: java.home,
      OPENSEARCH_JAVA_HOME: java.home,
      BLUEGREEN_HASH_INPUT: password,
    },
  });
  const hash = result.stdout.trim().split("\n").at(-1) ?? "";
  if (result.code !== 0 || !hash.startsWith("$2")) {
    throw new BluegreenError(
      "BG_SANDBOX_START_FAILED",
      `Hashing the sandbox admin password failed: ${tail(result.stderr, 5)}`,
      {
        fix: "Delete the sandbox cache's installs/ folder so the security plugin is installed again.",
      },
    );
  }
  return hash;
}
