/**
 * Starts the real sandboxes the suite shares and stops them at the end:
 * - `main`: source 2.11 → target 2.19 (most tests);
 * - `legacy`: source 1.3 → target 2.19 (version-transform and 1.x backfill tests).
 * Test processes inherit BLUEGREEN_TEST_SANDBOX (JSON); tests isolate themselves by index name.
 * Two more pairs start on first use: the secure pair (test/support/secure-pair.ts, port base + 200,
 * stopped here at the end) and the REST YAML tests' own pair (port base + 400, which wipes clusters).
 *
 * Knobs for running several checkouts side by side on one machine:
 * - BLUEGREEN_TEST_SANDBOX_NAME (default "test"): sandbox name prefix; the legacy pair is `<name>-legacy`.
 * - BLUEGREEN_TEST_PORT_BASE (default 29200): main pair on base/base+1, legacy pair on base+50/base+51.
 * - BLUEGREEN_TEST_KEEP=1: leave the sandboxes running afterwards; a later run attaches to them
 *   (`sandboxUp` is idempotent), which saves the start-up on every iteration.
 */
import { type SandboxStatus, sandboxDown, sandboxUp } from "../src/sandbox/index.ts";
import type { TestPair, TestSandbox } from "./support/sandbox.ts";
import { secureTestPairDown } from "./support/secure-pair.ts";

const NAME = process.env.BLUEGREEN_TEST_SANDBOX_NAME ?? "test";
const LEGACY = `${NAME}-legacy`;
const BASE = Number(process.env.BLUEGREEN_TEST_PORT_BASE ?? "29200");
const KEEP = process.env.BLUEGREEN_TEST_KEEP === "1";

function describe(status: SandboxStatus): TestPair {
  const node = (role: "source" | "target") => ({
    url: status[role].url,
    version: status[role].version,
    distribution: status[role].distribution as "opensearch" | "elasticsearch",
  });
  return {
    name: status.name,
    source: node("source"),
    target: node("target"),
    snapshotRepoPath: status.snapshotRepoPath,
  };
}

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const say = (pair: string) => (m: string) => process.stderr.write(`[sandbox ${pair}] ${m}\n`);
  // Sequential on purpose: two JVMs starting at once on a 2-core CI box only slows both down.
  const main = await sandboxUp({ name: NAME, portBase: BASE, onProgress: say(NAME) });
  const legacy = await sandboxUp({
    name: LEGACY,
    source: "1.3",
    portBase: BASE + 50,
    onProgress: say(LEGACY),
  });
  const described: TestSandbox = { ...describe(main), legacy: describe(legacy) };
  process.env.BLUEGREEN_TEST_SANDBOX = JSON.stringify(described);
  process.stderr.write(`[sandbox] ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

export async function globalTeardown(): Promise<void> {
  if (KEEP) return;
  await sandboxDown({ name: NAME, purge: true });
  await sandboxDown({ name: LEGACY, purge: true });
  // Started by the first test file that needs it (test/support/secure-pair.ts); a no-op otherwise.
  await secureTestPairDown();
}
