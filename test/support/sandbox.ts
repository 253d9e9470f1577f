/**
 * How a test file finds the real clusters the global setup started. The global setup exports the
 * sandbox status as JSON in BLUEGREEN_TEST_SANDBOX; test processes inherit it.
 */
export interface TestCluster {
  readonly url: string;
  readonly version: string;
  readonly distribution: "opensearch" | "elasticsearch";
}

export interface TestSandbox {
  readonly source: TestCluster;
  readonly target: TestCluster;
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
