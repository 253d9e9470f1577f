import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BluegreenError } from "../errors/index.ts";
import { fetchArtifact, fetchWithDependencies } from "./artifacts.ts";
import { exec, tail } from "./exec.ts";
import { findJava } from "./java.ts";
import { assertPortFree, isAlive } from "./node.ts";
import { sandboxHome } from "./paths.ts";
import { asUser, chownTree, ensureRunAs } from "./user.ts";

/**
 * A single-node Kafka (KRaft: one process is broker and controller) for the capture log's tests, built
 * from Maven Central jars like the OpenSearch sandbox: no tarball, no Docker. kafkajs 2.2.4 talks to it
 * (it negotiates protocol versions that Kafka 4 still serves).
 */
export const KAFKA_VERSION = "4.4.0";

export interface KafkaUpOptions {
  /** Names the broker's folder; two brokers need two names. */
  readonly name: string;
  /** The client (PLAINTEXT) port; the controller listens on `controllerPort` (default port + 1). */
  readonly port: number;
  readonly controllerPort?: number;
  readonly version?: string;
  readonly home?: string;
  readonly heapMb?: number;
}

export interface KafkaBroker {
  readonly name: string;
  readonly version: string;
  /** host:port list for a Kafka client's `brokers`. */
  readonly brokers: readonly string[];
  readonly pid: number;
  readonly dir: string;
  /** True when a broker of that name was already running and was reused. */
  readonly reused: boolean;
}

function layout(name: string, version: string, home: string) {
  const dir = join(home, "kafka", name);
  return {
    dir,
    libs: join(home, "installs", `kafka-${version}`, "libs"),
    properties: join(dir, "server.properties"),
    data: join(dir, "data"),
    pidFile: join(dir, "broker.pid"),
    logFile: join(dir, "broker.log"),
    portFile: join(dir, "port"),
  };
}

/** Starts the broker (or reuses a running one of that name) and resolves once it accepts clients. */
export async function kafkaUp(options: KafkaUpOptions): Promise<KafkaBroker> {
  const version = options.version ?? KAFKA_VERSION;
  const home = options.home ?? sandboxHome();
  const controllerPort = options.controllerPort ?? options.port + 1;
  const paths = layout(options.name, version, home);
  const result = (pid: number, reused: boolean): KafkaBroker => ({
    name: options.name,
    version,
    brokers: [`127.0.0.1:${options.port}`],
    pid,
    dir: paths.dir,
    reused,
  });
  const running = readPid(paths.pidFile);
  if (isAlive(running) && readText(paths.portFile) === String(options.port) && (await portOpen(options.port)))
    return result(running as number, true);
  await kafkaDown({ name: options.name, home });
  await assertPortFree(options.port, "Kafka broker");
  await assertPortFree(controllerPort, "Kafka controller");
  const java = findJava([17, 21, 25], `Kafka ${version}`);
  const libs = await ensureJars(version, paths.libs);
  const runAs = await ensureRunAs(home);

  mkdirSync(paths.data, { recursive: true });
  writeFileSync(paths.properties, serverProperties(options.port, controllerPort, paths.data));
  writeFileSync(paths.portFile, String(options.port));
  chownTree(paths.dir, runAs);
  const javaBin = join(java.home, "bin", "java");
  const classpath = `${libs}/*`;
  // Kafka's own id format: 16 random bytes, base64url without padding. One id in 64 starts with "-",
  // which the format tool's argument parser takes for an option ("-t: expected one argument"), so
  // such ids are drawn again, as Kafka's own Uuid does.
  let clusterId = randomBytes(16).toString("base64url");
  while (clusterId.startsWith("-")) clusterId = randomBytes(16).toString("base64url");
  const [formatCommand, formatArgs] = asUser(runAs, javaBin, [
    "-cp",
    classpath,
    "kafka.tools.StorageTool",
    "format",
    "-t",
    clusterId,
    "-c",
    paths.properties,
  ]);
  const formatted = await exec(formatCommand, formatArgs, { cwd: paths.dir });
  if (formatted.code !== 0)
    throw startFailed(options.name, `formatting storage failed:\n${tail(formatted.stderr, 10)}`, paths.dir);

  const pid = await launch(options.name, options.port, paths, javaBin, classpath, runAs, options.heapMb);
  return result(pid, false);
}

/**
 * Stops the broker of that name and starts it again on the same data (its topics and offsets kept),
 * as a broker restart in production does: clients see their connections drop and come back.
 * `whileDown` runs between the two, so a test can watch clients while the broker is surely down (a
 * restart alone can be over before a slow client noticed it); the broker starts again even if it throws.
 */
export async function kafkaRestart(
  options: KafkaUpOptions,
  whileDown?: () => Promise<unknown>,
): Promise<KafkaBroker> {
  const version = options.version ?? KAFKA_VERSION;
  const home = options.home ?? sandboxHome();
  const paths = layout(options.name, version, home);
  const running = readPid(paths.pidFile);
  if (!isAlive(running))
    throw new BluegreenError("BG_SANDBOX_NOT_RUNNING", `The Kafka broker "${options.name}" is not running.`, {
      fix: "Start it with kafkaUp first.",
    });
  await stopPids(new Set([running as number]));
  let failed: { error: unknown } | undefined;
  try {
    await whileDown?.();
  } catch (error) {
    failed = { error };
  }
  const java = findJava([17, 21, 25], `Kafka ${version}`);
  const runAs = await ensureRunAs(home);
  const pid = await launch(
    options.name,
    options.port,
    paths,
    join(java.home, "bin", "java"),
    `${paths.libs}/*`,
    runAs,
    options.heapMb,
  );
  if (failed !== undefined) throw failed.error;
  return {
    name: options.name,
    version,
    brokers: [`127.0.0.1:${options.port}`],
    pid,
    dir: paths.dir,
    reused: false,
  };
}

async function launch(
  name: string,
  port: number,
  paths: ReturnType<typeof layout>,
  javaBin: string,
  classpath: string,
  runAs: Awaited<ReturnType<typeof ensureRunAs>>,
  heapMb: number | undefined,
): Promise<number> {
  // Only what this start logs counts: after a restart the log already says "started" once.
  const logged = readText(paths.logFile)?.length ?? 0;
  const heap = heapMb ?? 512;
  const out = openSync(paths.logFile, "a");
  try {
    // sh records its own pid and then execs java in place, so the pid file names the JVM itself
    // (runuser would otherwise stand between us and it).
    const [command, args] = asUser(runAs, "sh", [
      "-c",
      'echo $$ > "$0"; exec "$@"',
      paths.pidFile,
      javaBin,
      `-Xms${Math.min(heap, 128)}m`,
      `-Xmx${heap}m`,
      "-XX:+UseG1GC",
      "-XX:MaxGCPauseMillis=20",
      "-Djava.awt.headless=true",
      "-Dorg.slf4j.simpleLogger.showDateTime=true",
      "-cp",
      classpath,
      "kafka.Kafka",
      paths.properties,
    ]);
    const child = spawn(command, args, { cwd: paths.dir, detached: true, stdio: ["ignore", out, out] });
    child.unref();
  } finally {
    closeSync(out);
  }
  return waitStarted(name, port, paths, logged);
}

/** Stops the broker of that name (SIGTERM, then SIGKILL after 30 s) and deletes its data. */
export async function kafkaDown(options: { readonly name: string; readonly home?: string }): Promise<void> {
  const paths = layout(options.name, KAFKA_VERSION, options.home ?? sandboxHome());
  const pids = new Set([readPid(paths.pidFile), ...strayPids(paths.properties)].filter(isAlive) as number[]);
  await stopPids(pids);
  rmSync(paths.dir, { recursive: true, force: true });
}

/**
 * SIGTERM (after a SIGCONT: a stopped process would not act on it), then SIGKILL after 30 s; resolves
 * once every one is gone. An exited process its parent has not reaped yet (a zombie) counts as gone:
 * a parent that is itself stopped would never reap it, and waiting on it would never end.
 */
async function stopPids(pids: ReadonlySet<number>): Promise<void> {
  const running = (pid: number) => isAlive(pid) && !isZombie(pid);
  for (const pid of pids) {
    process.kill(pid, "SIGCONT");
    process.kill(pid, "SIGTERM");
  }
  const deadline = Date.now() + 30_000;
  while ([...pids].some(running) && Date.now() < deadline) await sleep(200);
  for (const pid of pids) if (running(pid)) process.kill(pid, "SIGKILL");
  while ([...pids].some(running)) await sleep(100);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}

function serverProperties(port: number, controllerPort: number, data: string): string {
  const settings: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "log.dirs": data,
    "num.partitions": 1,
    // One node: every internal topic must fit on it.
    "offsets.topic.replication.factor": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "group.initial.rebalance.delay.ms": 0,
    // The capture log creates its topic explicitly, with its partition count.
    "auto.create.topics.enable": false,
  };
  return `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")}\n`;
}

/**
 * Kafka's runtime dependencies bring slf4j-api but no backend (it is compileOnly upstream), so the
 * broker would log nothing; slf4j-simple of the matching major is added next to them.
 */
async function ensureJars(version: string, libs: string): Promise<string> {
  const marker = join(libs, ".complete");
  if (existsSync(marker)) return libs;
  const staging = `${libs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await fetchWithDependencies(
    { groupId: "org.apache.kafka", artifactId: "kafka_2.13", version },
    staging,
    `${staging}-pom`,
  );
  const api = readdirSync(staging).find((f) => /^slf4j-api-\d/.test(f));
  const simple = api?.startsWith("slf4j-api-1.") === true ? "1.7.36" : "2.0.17";
  await fetchArtifact({ groupId: "org.slf4j", artifactId: "slf4j-simple", version: simple }, staging);
  rmSync(libs, { recursive: true, force: true });
  renameSync(staging, libs);
  rmSync(`${staging}-pom`, { recursive: true, force: true });
  writeFileSync(marker, `kafka_2.13 ${version}\n`);
  return libs;
}

async function waitStarted(
  name: string,
  port: number,
  paths: ReturnType<typeof layout>,
  logged: number,
): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(250);
    const pid = readPid(paths.pidFile);
    if (pid !== undefined && !isAlive(pid))
      throw startFailed(name, "the JVM exited during startup", paths.dir, paths.logFile);
    if (
      pid !== undefined &&
      /Kafka Server started/.test((readText(paths.logFile) ?? "").slice(logged)) &&
      (await portOpen(port))
    )
      return pid;
  }
  throw startFailed(name, "it did not report started within 120 s", paths.dir, paths.logFile);
}

function startFailed(name: string, why: string, dir: string, logFile?: string): BluegreenError {
  const log = logFile === undefined ? "" : `\n${tail(readText(logFile) ?? "", 15)}`;
  return new BluegreenError(
    "BG_SANDBOX_START_FAILED",
    `The Kafka broker "${name}" did not start: ${why}.${log}`,
    {
      fix: `Read the broker's log in ${dir}.`,
    },
  );
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function readPid(file: string): number | undefined {
  const pid = Number(readText(file)?.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** JVMs started with this broker's properties file, so `down` leaves nothing behind. */
function strayPids(properties: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").includes(properties))
        pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
