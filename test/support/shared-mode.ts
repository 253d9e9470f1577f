import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { MigrationConfig } from "../../src/config/index.ts";
import { kafkaDown } from "../../src/sandbox/index.ts";
import { gatewayConfig } from "./gateway-harness.ts";

/**
 * For the shared-mode tests: their Kafka broker (port 31720, controller 31721, used by no other test;
 * below Linux's ephemeral range), migration files of gateways sharing one log and mode, and waits.
 */
export const SHARED_BROKER = { name: "mgw-test", port: 31_720 } as const;

/** Stops the broker unless BLUEGREEN_TEST_KAFKA_KEEP=1 (a dev loop keeps it for the next run). */
export async function stopSharedBroker(): Promise<void> {
  if (process.env.BLUEGREEN_TEST_KAFKA_KEEP !== "1") await kafkaDown({ name: SHARED_BROKER.name });
}

/**
 * One "host" of migration `name`: its own folder, state file and migration file; the log topic and
 * the mode are shared with every other host of that name. Short timeouts keep the tests quick.
 */
export function sharedHost(
  name: string,
  label: string,
): { dir: string; file: string; config: MigrationConfig } {
  const dir = mkdtempSync(join(tmpdir(), `${name}-${label}-`));
  const config = gatewayConfig(name, dir, {
    log: `kind: kafka, brokers: ['127.0.0.1:${SHARED_BROKER.port}'], topic: '${name}-log'`,
    gateway: "requestTimeout: 10s, shared: { heartbeat: 200ms, lease: 2s, memberTimeout: 5s }",
  });
  return { dir, file: join(dir, "bluegreen.yaml"), config };
}

/** PUT a small document `id` into `index` through `url`; the answer with its body read. */
export async function putDoc(url: string, index: string, id: string): Promise<Response> {
  const res = await fetch(`${url}/${index}/_doc/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ id }),
  });
  await res.arrayBuffer();
  return res;
}

/** Waits (bounded) until `probe` holds: gateways apply switches asynchronously to a test. */
export async function eventually(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}
