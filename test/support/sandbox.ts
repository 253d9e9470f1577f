import type { ClusterConfig } from "../../src/config/cluster-config.ts";

/**
 * How a test file finds the real clusters the global setup started. The global setup exports the
 * sandbox status as JSON in BLUEGREEN_TEST_SANDBOX; test processes inherit it.
 */
export interface TestCluster {
  readonly url: string;
  readonly version: string;
  readonly distribution: "opensearch" | "elasticsearch";
}

/** One running source → target pair; both nodes share `snapshotRepoPath` as `path.repo`. */
export interface TestPair {
  readonly name: string;
  readonly source: TestCluster;
  readonly target: TestCluster;
  readonly snapshotRepoPath: string;
}

/** The main pair (2.11 → 2.19) at top level, and the legacy pair (1.3 → 2.19). */
export interface TestSandbox extends TestPair {
  readonly legacy: TestPair;
}

export function testSandbox(): TestSandbox {
  const raw = process.env.BLUEGREEN_TEST_SANDBOX;
  if (raw === undefined || raw === "") {
    throw new Error(
      "BLUEGREEN_TEST_SANDBOX is not set: run the suite with `npm test` (its global setup starts the sandbox).",
    );
  }
  return JSON.parse(raw) as TestSandbox;
}

/** A plain-http ClusterConfig for a sandbox node, as the config pipeline would produce it. */
export function plainClusterConfig(name: string, url: string, requestTimeoutMs = 60_000): ClusterConfig {
  return {
    name,
    urls: [url],
    auth: { type: "none" },
    tls: { insecure: false },
    requestTimeoutMs,
    retry: { maxAttempts: 3, initialDelayMs: 200, maxDelayMs: 5_000 },
  };
}
