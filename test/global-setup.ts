/**
 * Starts one real sandbox (source 2.11 → target 2.19) for the whole suite and stops it at the end. Test
 * processes inherit BLUEGREEN_TEST_SANDBOX; tests isolate themselves by index name. Tests needing other
 * shapes (secure, 1.3) start their own named sandboxes on other ports.
 */
import { sandboxDown, sandboxUp } from "../src/sandbox/index.ts";

const NAME = "test";

export async function globalSetup(): Promise<void> {
  const started = Date.now();
  const status = await sandboxUp({
    name: NAME,
    portBase: 29200,
    onProgress: (m) => process.stderr.write(`[sandbox] ${m}\n`),
  });
  const describe = (role: "source" | "target") => ({
    url: status[role].url,
    version: status[role].version,
    distribution: status[role].distribution,
  });
  process.env.BLUEGREEN_TEST_SANDBOX = JSON.stringify({
    source: describe("source"),
    target: describe("target"),
  });
  process.stderr.write(`[sandbox] ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
}

export async function globalTeardown(): Promise<void> {
  await sandboxDown({ name: NAME, purge: true });
}
