import { type SandboxStatus, sandboxDown, sandboxUp } from "../../src/sandbox/index.ts";

/**
 * The suite's one secure pair (2.11 → 2.19 with the security plugin, TLS and the CCR plugin), shared by every test file
 * that needs one: the first file starts it, later files attach (`sandboxUp` is idempotent), and the
 * global teardown stops it. Files isolate themselves by name prefix, as on the plain pairs.
 * `<BLUEGREEN_TEST_SANDBOX_NAME>-secure` on BLUEGREEN_TEST_PORT_BASE + 250 (transport ports + 350; + 200 is the `major` pair).
 */
export const SECURE_NAME = `${process.env.BLUEGREEN_TEST_SANDBOX_NAME ?? "test"}-secure`;
const PORT_BASE = Number(process.env.BLUEGREEN_TEST_PORT_BASE ?? "29200") + 250;

export function secureTestPair(): Promise<SandboxStatus> {
  return sandboxUp({ name: SECURE_NAME, secure: true, portBase: PORT_BASE, plugins: ["ccr"] });
}

export async function secureTestPairDown(): Promise<void> {
  await sandboxDown({ name: SECURE_NAME, purge: true });
}
