/**
 * Shared set-up for the snapshot and reindex backfill tests: a BackfillContext over a real sandbox
 * pair with its own state file, and seeded source indices whose documents carry custom routing.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackfillContext, IndexTask, ProgressEvent } from "../../src/backfill/index.ts";
import { type Cluster, createCluster } from "../../src/cluster/index.ts";
import { parseConfig } from "../../src/config/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { openState, type StateStore } from "../../src/state/index.ts";
import { plainClusterConfig, type TestPair } from "../support/sandbox.ts";

export interface Harness {
  readonly source: Cluster;
  readonly target: Cluster;
  readonly events: ProgressEvent[];
  context(options?: { signal?: AbortSignal; onProgress?: (e: ProgressEvent) => void }): BackfillContext;
  /** A fresh state file: what a brand-new migration would see. */
  resetState(): void;
  close(): Promise<void>;
}

/** `backfillYaml` is the body of the `backfill:` section, indented by two spaces. */
export function harness(pair: TestPair, name: string, backfillYaml = ""): Harness {
  const yaml =
    `version: 1\nname: ${name}\nsource: { url: '${pair.source.url}' }\ntarget: { url: '${pair.target.url}' }\n` +
    `indices: { include: ['${name}-*'] }\n${backfillYaml === "" ? "" : `backfill:\n${backfillYaml}`}`;
  const config = parseConfig(yaml, { baseDir: "/tmp", env: {} });
  const source = createCluster(plainClusterConfig("source", pair.source.url));
  const target = createCluster(plainClusterConfig("target", pair.target.url));
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  let generation = 0;
  const open = () =>
    openState(join(dir, `state-${generation++}.db`), { migrationName: name, fingerprint: "t" });
  let state: StateStore = open();
  const events: ProgressEvent[] = [];
  const logger = createLogger({ level: "silent" });
  return {
    source,
    target,
    events,
    context: (options = {}) => ({
      config,
      source,
      target,
      state,
      logger,
      signal: options.signal ?? new AbortController().signal,
      onProgress: (event) => {
        events.push(event);
        options.onProgress?.(event);
      },
    }),
    resetState: () => {
      state.close();
      state = open();
    },
    close: async () => {
      state.close();
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([source.close(), target.close()]);
    },
  };
}

/** Creates `index` on the source with `docs` documents; every third one has a custom routing value. */
export async function seedIndex(
  source: Cluster,
  index: string,
  docs: number,
  options: { shards?: number } = {},
): Promise<void> {
  await source.request({
    method: "PUT",
    path: `/${index}`,
    body: {
      settings: { number_of_shards: options.shards ?? 2, number_of_replicas: 0 },
      mappings: {
        properties: {
          title: { type: "text" },
          tag: { type: "keyword" },
          n: { type: "long" },
          at: { type: "date" },
          nested: { properties: { deep: { type: "keyword" } } },
        },
      },
    },
  });
  const lines: unknown[] = [];
  const start = Date.parse("2024-01-01T00:00:00Z");
  for (let i = 0; i < docs; i++) {
    const routing = i % 3 === 0 ? { routing: `user-${i % 7}` } : {};
    lines.push({ index: { _index: index, _id: `doc-${i}`, ...routing } });
    const body: Record<string, unknown> = {
      title: `Document ${i} – ünïcode ✓`,
      tag: `t${i % 5}`,
      nested: { deep: `v${i}` },
    };
    // Some documents lack the range fields: range splitting must still copy them.
    if (i % 11 !== 0) {
      body.n = i * 3;
      body.at = new Date(start + i * 60_000).toISOString();
    }
    lines.push(body);
  }
  for (let i = 0; i < lines.length; i += 1000) {
    const response = await source.request<{ errors: boolean }>({
      method: "POST",
      path: "/_bulk",
      bulkBody: lines.slice(i, i + 1000),
      querystring: { refresh: "true" },
    });
    if (response.body.errors) throw new Error(`seeding ${index} failed`);
  }
}

export async function taskFor(
  source: Cluster,
  index: string,
  method: IndexTask["method"],
  targetIndex = index,
): Promise<IndexTask> {
  const [info] = await source.indices(index);
  return {
    index,
    targetIndex,
    method,
    reason: "test",
    docs: info?.docsCount ?? 0,
    bytes: info?.primaryStoreSizeBytes ?? 0,
  };
}

/** Removes every index and snapshot repository whose name starts with `prefix`. */
export async function cleanupPrefix(cluster: Cluster, prefix: string): Promise<void> {
  await cluster.request({ method: "DELETE", path: `/${prefix}-*`, allowStatus: [404] });
  const repos = await cluster.request<Record<string, unknown>>({ method: "GET", path: "/_snapshot" });
  for (const name of Object.keys(repos.body).filter((n) => n.startsWith(prefix))) {
    const snaps = await cluster.request<{ snapshots?: { snapshot: string }[] }>({
      method: "GET",
      path: `/_snapshot/${name}/_all`,
      allowStatus: [404, 500],
    });
    for (const s of snaps.body.snapshots ?? []) {
      await cluster.request({
        method: "DELETE",
        path: `/_snapshot/${name}/${s.snapshot}`,
        allowStatus: [404, 500],
      });
    }
    await cluster.request({ method: "DELETE", path: `/_snapshot/${name}`, allowStatus: [404] });
  }
}

export async function repositoriesWithPrefix(cluster: Cluster, prefix: string): Promise<string[]> {
  const repos = await cluster.request<Record<string, unknown>>({ method: "GET", path: "/_snapshot" });
  return Object.keys(repos.body).filter((n) => n.startsWith(prefix));
}

/**
 * Deletes the repository folders this test's runs left in the pair's shared path.repo: unregistering a
 * repository leaves its folder behind, and the dev sandboxes live on between runs.
 */
export function removeRepositoryFolders(pair: TestPair, prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(pair.snapshotRepoPath);
  } catch {
    return;
  }
  for (const entry of entries.filter((e) => e.startsWith(`${prefix}-`))) {
    rmSync(join(pair.snapshotRepoPath, entry), { recursive: true, force: true });
  }
}
