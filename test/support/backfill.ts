/** Helpers for the backfill tests: seeded source indices, migration files, the CLI as a child process. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { plainClusterConfig, type TestPair } from "./sandbox.ts";

export const BIN = new URL("../../bin/bluegreen.js", import.meta.url).pathname;

export function prefix(): string {
  return `bf-${randomBytes(4).toString("hex")}`;
}

export interface PairClusters {
  readonly source: Cluster;
  readonly target: Cluster;
  close(): Promise<void>;
}

export function clustersOf(pair: TestPair): PairClusters {
  const source = createCluster(plainClusterConfig("source", pair.source.url));
  const target = createCluster(plainClusterConfig("target", pair.target.url));
  return { source, target, close: async () => void (await Promise.all([source.close(), target.close()])) };
}

/** A deterministic document with the mix of fields real indices have. */
export function makeDoc(i: number): Record<string, unknown> {
  return {
    title: `Item ${i} ${["red", "green", "blue"][i % 3]}`,
    n: i,
    price: Math.round(((i * 7919) % 10_000) * 1.37) / 100,
    tags: [`t${i % 7}`, `t${i % 11}`],
    created: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    nested: { a: i % 5, b: `k${i % 13}`, ok: i % 2 === 0 },
    text: "lorem ipsum ".repeat(1 + (i % 5)),
  };
}

/** Explicit, so parallel bulk shards never race on dynamic mapping (`price` as long vs float). */
export const DOC_MAPPINGS = {
  properties: {
    title: { type: "text" },
    n: { type: "integer" },
    price: { type: "float" },
    tags: { type: "keyword" },
    created: { type: "date" },
    nested: { properties: { a: { type: "integer" }, b: { type: "keyword" }, ok: { type: "boolean" } } },
    text: { type: "text" },
  },
};

export interface SeedOptions {
  readonly shards?: number;
  /** Every n-th document gets a custom routing. */
  readonly routeEvery?: number;
  readonly mappings?: unknown;
}

export async function seed(
  cluster: Cluster,
  index: string,
  docs: number,
  options: SeedOptions = {},
): Promise<void> {
  await cluster.request({
    method: "PUT",
    path: `/${index}`,
    body: {
      settings: { number_of_shards: options.shards ?? 2, number_of_replicas: 0 },
      mappings: options.mappings ?? DOC_MAPPINGS,
    },
  });
  for (let start = 0; start < docs; start += 1000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(docs, start + 1000); i++) {
      const routed = options.routeEvery !== undefined && i % options.routeEvery === 0;
      lines.push(JSON.stringify({ index: { _id: `d${i}`, ...(routed ? { routing: `r${i % 4}` } : {}) } }));
      lines.push(JSON.stringify(makeDoc(i)));
    }
    const res = await cluster.request<{ errors: boolean }>({
      method: "POST",
      path: `/${index}/_bulk`,
      bulkBody: `${lines.join("\n")}\n`,
    });
    assert.equal(res.body.errors, false, JSON.stringify(res.body).slice(0, 600));
  }
  await cluster.request({ method: "POST", path: `/${index}/_refresh` });
}

export async function count(cluster: Cluster, index: string): Promise<number> {
  await cluster.request({ method: "POST", path: `/${index}/_refresh` });
  const res = await cluster.request<{ count: number }>({ method: "GET", path: `/${index}/_count` });
  return res.body.count;
}

export async function dropAll(cluster: Cluster, pattern: string): Promise<void> {
  await cluster.request({
    method: "DELETE",
    path: `/${pattern}`,
    querystring: { expand_wildcards: "all", allow_no_indices: true },
    allowStatus: [404],
  });
}

/** A migration file for one pair, selecting `<prefix>-*`, in a fresh temp dir; `extra` is appended YAML. */
export function migrationFile(
  name: string,
  pair: TestPair,
  include: string,
  extra = "",
): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), "bg-backfill-"));
  const file = join(dir, "migration.yaml");
  writeFileSync(
    file,
    `version: 1\nname: ${name}\nsource: { url: '${pair.source.url}' }\ntarget: { url: '${pair.target.url}' }\nindices: { include: ['${include}'] }\n${extra}`,
  );
  return { dir, file };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function bluegreen(args: readonly string[], cwd: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "silent" },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting; `done` resolves with its exit code (or the signal that ended it). */
export function start(
  args: readonly string[],
  cwd: string,
): { child: ChildProcess; done: Promise<CliResult & { signal: string | null }> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, BLUEGREEN_LOG_LEVEL: "silent" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<CliResult & { signal: string | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { child, done };
}
