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

/**
 * One source → target: both nodes list `snapshotRepoPath` in `path.repo`. A pair the global setup
 * started also lists `sharedRepoPath`, the folder every test pair shares.
 */
export interface TestPair {
  readonly name: string;
  readonly source: TestCluster;
  readonly target: TestCluster;
  readonly snapshotRepoPath: string;
  readonly sharedRepoPath?: string;
}

/** The main pair (2.11 → 2.19) at top level, the legacy pair (1.3 → 2.19) and the major pair (es-7.10 → 3). */
export interface TestSandbox extends TestPair {
  readonly legacy: TestPair;
  readonly major: TestPair;
}

/**
 * The source of one pair with the target of another: a version path no pair runs as such, at no
 * start-up cost. Their common snapshot folder is the shared one.
 */
export function crossPair(name: string, source: TestCluster, target: TestCluster): TestPair {
  const shared = testSandbox().sharedRepoPath;
  if (shared === undefined)
    throw new Error("the test sandboxes were started without a shared snapshot folder");
  return { name, source, target, snapshotRepoPath: shared, sharedRepoPath: shared };
}

/**
 * Every source → target path the suite can run, by the sandbox keys, on the running pairs: the four
 * major-version paths plus the two the suite has always run.
 */
export function versionPaths(): Readonly<Record<string, TestPair>> {
  const s = testSandbox();
  return {
    "2.11 → 2.19": s,
    "1.3 → 2.19": s.legacy,
    "es-7.10 → 3": s.major,
    // The legacy pair's 2.19, not the main pair's: that one runs the ISM plugin, which the 3.x node
    // lacks, and prepare rightly blocks a source plugin the target is missing. CCR runs on all three.
    "es-7.10 → 2.19": crossPair("es-7.10 → 2.19", s.major.source, s.legacy.target),
    "2.19 → 3": crossPair("2.19 → 3", s.legacy.target, s.major.target),
    "1.3 → 3": crossPair("1.3 → 3", s.legacy.source, s.major.target),
  };
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
