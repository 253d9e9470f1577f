/**
 * The REST API YAML tests through a capturing gateway: their own sandbox pair (the runner wipes the
 * whole cluster after every test, so it must never share the suite's pairs), the gateway rig, and the
 * checkpoint server that proves source ≡ target while a test's data still exists.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import type { FileCaptureLog } from "../../src/capture/index.ts";
import { type ClusterRequest, createCluster, type Requester } from "../../src/cluster/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { markBackfillStart, type ReplayReport, replay } from "../../src/replay/index.ts";
import { type SandboxStatus, sandboxDown, sandboxUp } from "../../src/sandbox/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import { compareDigests, digestIndex } from "../../src/validate/index.ts";
import { type GatewayRig, LOG_FACTORIES, startGateway } from "./gateway-harness.ts";
import { type RestYamlOptions, type RestYamlRun, runRestYaml, type YamlFlavour } from "./rest-yaml.ts";
import { plainClusterConfig, type TestPair, type TestSandbox } from "./sandbox.ts";

const PREFIX = process.env.BLUEGREEN_TEST_SANDBOX_NAME ?? "test";
const PORT_BASE = Number(process.env.BLUEGREEN_TEST_PORT_BASE ?? "29200");
const KEEP = process.env.BLUEGREEN_TEST_KEEP === "1";

/**
 * Each flavour's own pair: 2.11 → 2.19 for OpenSearch 2's suite (port base + 400); Elasticsearch
 * 7.10.2 → OpenSearch 3 for Elasticsearch's (port base + 410), the path where replay drops the types;
 * 3 → 3 for OpenSearch 3's (port base + 420), the gateway in front of a 3.x cluster, as it is in
 * front of a 3.x target after cutover.
 */
const PAIRS: Readonly<
  Record<YamlFlavour, { suffix: string; offset: number; source: string; target: string }>
> = {
  opensearch: { suffix: "yaml", offset: 400, source: "2.11", target: "2.19" },
  "elasticsearch-7": { suffix: "yaml-es", offset: 410, source: "es-7.10", target: "3" },
  "opensearch-3": { suffix: "yaml-3", offset: 420, source: "3", target: "3" },
};

/** Starts (or attaches to) the flavour's own pair. */
export async function yamlPairUp(
  flavour: YamlFlavour,
  onProgress?: (message: string) => void,
): Promise<SandboxStatus> {
  const pair = PAIRS[flavour];
  return sandboxUp({
    name: `${PREFIX}-${pair.suffix}`,
    portBase: PORT_BASE + pair.offset,
    source: pair.source,
    target: pair.target,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}

/** Stops and purges the pair, unless BLUEGREEN_TEST_KEEP=1 asks to reuse it next time. */
export async function yamlPairDown(flavour: YamlFlavour): Promise<void> {
  if (KEEP) return;
  await sandboxDown({ name: `${PREFIX}-${PAIRS[flavour].suffix}`, purge: true });
}

/** `host:port` of a sandbox URL, the form `tests.rest.cluster` takes. */
export function hostPort(url: string): string {
  return new URL(url).host;
}

/**
 * The gateway harness reads its clusters from BLUEGREEN_TEST_SANDBOX; pointing that at this pair (in
 * this process only) lets the YAML tests reuse the harness unchanged.
 */
function useForGatewayHarness(pair: SandboxStatus): void {
  const describe = (role: "source" | "target") => ({
    url: pair[role].url,
    version: pair[role].version,
    distribution: pair[role].distribution as "opensearch" | "elasticsearch",
  });
  const described: TestPair = {
    name: pair.name,
    source: describe("source"),
    target: describe("target"),
    snapshotRepoPath: pair.snapshotRepoPath,
  };
  const sandbox: TestSandbox = { ...described, legacy: described, major: described };
  process.env.BLUEGREEN_TEST_SANDBOX = JSON.stringify(sandbox);
}

/**
 * Deletes what clients can create (data streams, user indices, templates) on both nodes of the pair.
 * The runner's own wipe goes through the gateway, so a run through a broken gateway can leave the
 * source dirty, and a kept pair (BLUEGREEN_TEST_KEEP=1) carries state from the last run.
 */
export async function resetPair(pair: SandboxStatus): Promise<void> {
  for (const role of ["source", "target"] as const) {
    const cluster = createCluster(plainClusterConfig(role, pair[role].url));
    try {
      // 405: Elasticsearch OSS has no data stream API, so the path matches another route.
      const gone = [400, 403, 404, 405];
      await cluster.request({ method: "DELETE", path: "/_data_stream/*", allowStatus: gone });
      const names = [...(await userIndices(cluster)).keys()];
      // A test that ended early can leave an index read-only, and that also refuses its deletion.
      const unblock = { "index.blocks.read_only": null, "index.blocks.metadata": null };
      for (const name of names) {
        const path = `/${encodeURIComponent(name)}/_settings`;
        await cluster.request({ method: "PUT", path, body: unblock, allowStatus: gone });
      }
      for (let i = 0; i < names.length; i += 50) {
        const batch = names
          .slice(i, i + 50)
          .map(encodeURIComponent)
          .join(",");
        await cluster.request({ method: "DELETE", path: `/${batch}`, allowStatus: gone });
      }
      for (const kind of ["_index_template", "_component_template", "_template"]) {
        await cluster.request({ method: "DELETE", path: `/${kind}/*`, allowStatus: gone });
      }
    } finally {
      await cluster.close();
    }
  }
}

interface CatIndex {
  readonly index: string;
  readonly status: string;
}

async function userIndices(cluster: Requester): Promise<Map<string, string>> {
  const response = await cluster.request<CatIndex[]>({
    method: "GET",
    path: "/_cat/indices",
    querystring: { format: "json", h: "index,status", expand_wildcards: "all" },
  });
  // System and hidden indices (`.tasks`, `.opensearch-*`, data stream backing indices) differ
  // between versions by design; only what clients wrote is compared.
  return new Map(response.body.filter((i) => !i.index.startsWith(".")).map((i) => [i.index, i.status]));
}

async function digestOrError(cluster: Requester, index: string) {
  try {
    return await digestIndex(cluster, index, { keepDocuments: true });
  } catch (error) {
    return new Error((error as Error).message.split("\n")[0]);
  }
}

/**
 * Every difference between the two clusters' user indices: an index on one side only, a different
 * open/closed status, or different documents (by content digest). Empty when they are equal.
 */
export async function compareClusters(source: Requester, target: Requester): Promise<string[]> {
  const [a, b] = await Promise.all([userIndices(source), userIndices(target)]);
  const problems: string[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const left = a.get(name);
    const right = b.get(name);
    if (left === undefined || right === undefined) {
      const [side, cluster] = left === undefined ? ["target", target] : ["source", source];
      const count = await cluster
        .request<{ count: number }>({ method: "GET", path: `/${encodeURIComponent(name)}/_count` })
        .then((r) => `${r.body.count} docs`)
        .catch(() => "closed or unreadable");
      problems.push(`index ${name} only on the ${side} (${count})`);
      continue;
    }
    if (left !== right) {
      problems.push(`index ${name} is ${left} on the source, ${right} on the target`);
      continue;
    }
    if (left !== "open") continue;
    const refresh: ClusterRequest = {
      method: "POST",
      path: `/${encodeURIComponent(name)}/_refresh`,
      allowStatus: [400, 403, 404],
    };
    await Promise.all([source.request(refresh), target.request(refresh)]);
    const [x, y] = await Promise.all([digestOrError(source, name), digestOrError(target, name)]);
    // An index neither side lets us read (a read block, say) cannot be compared, only counted as present.
    if (x instanceof Error && y instanceof Error) continue;
    if (x instanceof Error || y instanceof Error) {
      problems.push(`index ${name}: digest failed on one side: ${(x instanceof Error ? x : y).toString()}`);
      continue;
    }
    const comparison = compareDigests(x, y, 5);
    if (!comparison.equal) {
      const { sourceCount, targetCount, missingOnTarget, extraOnTarget, different } = comparison;
      problems.push(
        `index ${name}: ${sourceCount} docs on the source, ${targetCount} on the target; ` +
          `missing ${JSON.stringify(missingOnTarget)}, extra ${JSON.stringify(extraOnTarget)}, ` +
          `different ${JSON.stringify(different)}`,
      );
    }
  }
  return problems;
}

export interface Checkpoint {
  /** The YAML test that had just finished. */
  readonly test: string;
  readonly ms: number;
  /** Of `ms`, the part replay took (the rest is listing and digesting). */
  readonly replayMs: number;
  readonly deadLettered: number;
  /** Differences found (or the replay's error); empty when source ≡ target. */
  readonly problems: readonly string[];
}

export interface GatewayRun {
  readonly run: RestYamlRun;
  readonly checkpoints: readonly Checkpoint[];
  /** Dead letters over every replay, with the file's lines for the failure message. */
  readonly deadLettered: number;
  readonly deadLetters: readonly string[];
  /** Source vs target once the run finished and the log was replayed to its end. */
  readonly finalProblems: readonly string[];
  /** The gateway's error log lines (failed upstream requests), for diagnosis. */
  readonly gatewayErrors: readonly string[];
}

export type GatewayRunOptions = Omit<RestYamlOptions, "cluster" | "checkpointUrl"> & {
  /** 0 turns the checkpoints off. Default 1 (after every test). */
  readonly checkpointEvery?: number;
};

/**
 * Runs the YAML tests through a gateway in capture mode (file log, fsync on) in front of the pair's
 * source. After every Nth test, before the runner wipes the cluster, the log is replayed to the target
 * until caught up and the two clusters are compared.
 */
export async function runThroughGateway(
  pair: SandboxStatus,
  options: GatewayRunOptions,
): Promise<GatewayRun> {
  useForGatewayHarness(pair);
  await resetPair(pair);
  const factory = LOG_FACTORIES.file;
  if (factory === undefined) throw new Error("the gateway harness has no file log factory");
  const rig = await startGateway(`yaml-${Date.now()}`, factory);
  const replayToEnd = replayer(rig, pair);
  const checkpoints: Checkpoint[] = [];
  const compare = async (): Promise<{ replayMs: number; deadLettered: number; problems: string[] }> => {
    const started = performance.now();
    let report: ReplayReport;
    try {
      // The runner has every answer, so every outcome is appended; those logged behind their answer
      // may still wait for the next commit: made durable now, so replay sees them as before.
      await (rig.log as FileCaptureLog).flush();
      report = await replayToEnd.run();
    } catch (error) {
      const problem = `replay gave up (both clusters emptied, replay restarted at the log's end): ${(error as Error).message}`;
      await replayToEnd.restartAtEnd();
      return { replayMs: performance.now() - started, deadLettered: 0, problems: [problem] };
    }
    const replayMs = performance.now() - started;
    try {
      const problems = await compareClusters(rig.source, rig.target);
      return { replayMs, deadLettered: report.deadLettered, problems };
    } catch (error) {
      return {
        replayMs,
        deadLettered: report.deadLettered,
        problems: [`compare failed: ${(error as Error).message}`],
      };
    }
  };
  const server = checkpointServer(async (test) => {
    const started = performance.now();
    const result = await compare();
    checkpoints.push({ test, ms: performance.now() - started, ...result });
    return result.problems.length === 0 && result.deadLettered === 0;
  });
  try {
    const every = options.checkpointEvery ?? 1;
    const url = every > 0 ? await server.listen() : undefined;
    const run = await runRestYaml({
      ...options,
      cluster: hostPort(rig.url),
      ...(url === undefined ? {} : { checkpointUrl: url, checkpointEvery: every }),
    });
    const final = await compare();
    const deadLetters = readLines(join(rig.dir, "dead.ndjson"));
    return {
      run,
      checkpoints,
      deadLettered: deadLetters.length,
      deadLetters,
      finalProblems: final.problems,
      gatewayErrors: rig.logLines.filter((l) => /"level":(50|60)/.test(l)),
    };
  } finally {
    await server.close();
    await replayToEnd.close();
    await rig.close();
    // A kept pair must come back healthy: an index the target could not allocate leaves it red,
    // and `sandbox up` waits for health.
    await resetPair(pair).catch(() => undefined);
  }
}

/**
 * Replay until caught up, as the rig's own `replay()` does, with changes for checkpoints:
 * - No wait for outcomes. A checkpoint runs only after the runner got every answer, so each outcome
 *   the gateway will ever log is appended already (the checkpoint flushes those still riding with the
 *   next commit); one that is missing (the gateway logs none for
 *   a `_bulk` answered in SMILE or CBOR) is resolved from the source at once, instead of after the
 *   harness's 1 s, which adds up to minutes over a run.
 * - A short retry budget against the target. Some tests leave an index the target cannot allocate
 *   (allocation filtered to the source node's id); with the product's budget replay would retry its
 *   writes for many minutes. Here it gives up in about a minute and the run reports it.
 * - `restartAtEnd` after such a give-up: replay would stay stuck on that write, so the clusters are
 *   emptied and replay continues from the log's end with a fresh state file, and the checkpoints
 *   after it still mean something.
 */
function replayer(rig: GatewayRig, pair: SandboxStatus) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      rig.logLines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "warn", destination: sink });
  const base = plainClusterConfig("target", pair.target.url, 20_000);
  const target = createCluster({ ...base, retry: { ...base.retry, maxAttempts: 1 } });
  const states: StateStore[] = [];
  let state = rig.state;
  return {
    run: (): Promise<ReplayReport> =>
      replay({
        log: rig.log,
        state,
        source: rig.source,
        target,
        settings: { ...rig.config.replay, outcomeWaitMs: 0, requestOutcomeWaitMs: 0, maxAttempts: 3 },
        logger,
        untilCaughtUp: true,
        pollMs: 10,
      }),
    async restartAtEnd(): Promise<void> {
      await resetPair(pair);
      const path = join(rig.dir, `state-${states.length + 1}.db`);
      state = openState(path, { migrationName: rig.config.name, fingerprint: rig.config.fingerprint });
      states.push(state);
      await markBackfillStart(rig.log, state);
    },
    async close(): Promise<void> {
      for (const s of states) s.close();
      await target.close();
    },
  };
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, "utf8")
      .split("\n")
      .filter((l) => l !== "");
  } catch {
    return [];
  }
}

/**
 * A loopback HTTP server the Java side POSTs each finished test's path to; it answers only once the
 * check ran (200 equal, 500 not), so the runner's wipe waits for it. Checks run one at a time.
 */
export function checkpointServer(check: (test: string) => Promise<boolean>) {
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const test = Buffer.concat(chunks).toString("utf8");
      const done = queue.then(() => check(test));
      queue = done.catch(() => undefined);
      done.then(
        (equal) => res.writeHead(equal ? 200 : 500).end(equal ? "equal\n" : "different\n"),
        (error: Error) => res.writeHead(500).end(`${error.message}\n`),
      );
    });
  });
  return {
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    },
    async close(): Promise<void> {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
