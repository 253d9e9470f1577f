/**
 * Starts the real sandboxes the suite shares and stops them at the end:
 * - `main`: source 2.11 → target 2.19 (most tests), with the CCR and ISM plugins on both (`plugins`);
 * - `legacy`: source 1.3 → target 2.19 (version-transform and 1.x backfill tests), with the CCR plugin on
 *   both (1.3 → 2.19 through CCR; there is no ISM zip for 1.3);
 * - `major`: source Elasticsearch 7.10 OSS → target OpenSearch 3.x (the major-version paths), the CCR
 *   plugin on the 3.x node: every pair crossing from the legacy pair (CCR on both) to it must have it.
 * All three list one shared snapshot folder in path.repo besides their own, so the version-matrix tests
 * cross pairs without starting more nodes: es-7.10 → 2.19 is `major`'s source with `main`'s target,
 * 2.19 → 3 is `main`'s target with `major`'s, 1.3 → 3 is `legacy`'s source with `major`'s target.
 * Test processes inherit BLUEGREEN_TEST_SANDBOX (JSON); tests isolate themselves by index name.
 * Two more pairs start on first use: the secure pair (test/support/secure-pair.ts, port base + 250,
 * stopped here at the end) and the REST YAML tests' own pairs (port base + 400 and + 410, which wipe
 * clusters; see test/support/rest-yaml-gateway.ts).
 *
 * Knobs for running several checkouts side by side on one machine:
 * - BLUEGREEN_TEST_SANDBOX_NAME (default "test"): sandbox name prefix; the legacy pair is `<name>-legacy`.
 * - BLUEGREEN_TEST_PORT_BASE (default 29200): main pair on base/base+1, legacy pair on base+50/base+51,
 *   major pair on base+200/base+201 (transport ports are +100, so base+100..base+151 are taken).
 * - BLUEGREEN_TEST_KEEP=1: leave the sandboxes running afterwards; a later run attaches to them
 *   (`sandboxUp` is idempotent), which saves the start-up on every iteration.
 */
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { type SandboxStatus, sandboxDown, sandboxHome, sandboxUp } from "../src/sandbox/index.ts";
import type { TestPair, TestSandbox } from "./support/sandbox.ts";
import { secureTestPairDown } from "./support/secure-pair.ts";

const NAME = process.env.BLUEGREEN_TEST_SANDBOX_NAME ?? "test";
const LEGACY = `${NAME}-legacy`;
const MAJOR = `${NAME}-major`;
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
    ...(status.sharedRepoPath === undefined ? {} : { sharedRepoPath: status.sharedRepoPath }),
  };
}

export async function globalSetup(): Promise<void> {
  // CI and this machine keep the CCR/ISM zips Maven Central lacks beside the checkout (see docs/sync.md).
  process.env.BLUEGREEN_SANDBOX_PLUGINS ??= resolve(import.meta.dirname, "../../shared/opensearch-plugins");
  const started = Date.now();
  const say = (pair: string) => (m: string) => process.stderr.write(`[sandbox ${pair}] ${m}\n`);
  const sharedRepo = join(sandboxHome(), "sandboxes", `${NAME}-shared-snapshots`);
  // Sequential on purpose: two JVMs starting at once on a 2-core CI box only slows both down.
  const main = await sandboxUp({
    name: NAME,
    portBase: BASE,
    sharedRepo,
    plugins: ["ccr", "ism"],
    onProgress: say(NAME),
  });
  const legacy = await sandboxUp({
    name: LEGACY,
    source: "1.3",
    portBase: BASE + 50,
    sharedRepo,
    plugins: ["ccr"],
    onProgress: say(LEGACY),
  });
  const majorStarted = Date.now();
  const major = await sandboxUp({
    name: MAJOR,
    source: "es-7.10",
    target: "3",
    portBase: BASE + 200,
    sharedRepo,
    plugins: ["ccr"],
    onProgress: say(MAJOR),
  });
  process.stderr.write(`[sandbox ${MAJOR}] ready in ${((Date.now() - majorStarted) / 1000).toFixed(1)}s\n`);
  const described: TestSandbox = {
    ...describe(main),
    legacy: describe(legacy),
    major: describe(major),
  };
  process.env.BLUEGREEN_TEST_SANDBOX = JSON.stringify(described);
  process.stderr.write(`[sandbox] ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

export async function globalTeardown(): Promise<void> {
  if (KEEP) return;
  await sandboxDown({ name: NAME, purge: true });
  await sandboxDown({ name: LEGACY, purge: true });
  await sandboxDown({ name: MAJOR, purge: true });
  rmSync(join(sandboxHome(), "sandboxes", `${NAME}-shared-snapshots`), { recursive: true, force: true });
  // Started by the first test file that needs it (test/support/secure-pair.ts); a no-op otherwise.
  await secureTestPairDown();
}
