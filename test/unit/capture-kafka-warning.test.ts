/**
 * kafkajs arms a timer with minus a timestamp as its delay (tulios/kafkajs#1751); Node 24 prints a
 * TimeoutNegativeWarning for it. Once the gateway has made its Kafka clients, that line is not printed;
 * any other warning still is.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";

const CLIENT = join(import.meta.dirname, "..", "..", "src", "capture", "kafka", "client.ts");

/** stderr of a Node process that runs `code` (after making the Kafka clients if `clients` says so) and then ends. */
function warnings(clients: boolean, code: string): string {
  const make = clients
    ? `const { kafkaClients } = await import(${JSON.stringify(CLIENT)}); kafkaClients({ clientId: "t", brokers: ["127.0.0.1:1"], connectionTimeoutMs: 100, requestTimeoutMs: 100, retries: 1, maxRetryTimeMs: 100 });`
    : "";
  // The timer runs before the process ends, so a warning it causes is printed by then.
  const script = `${make} ${code}; setTimeout(() => process.stdout.write("ran"), 20);`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.stdout, "ran", child.stderr);
  return child.stderr;
}

const table: [string, boolean, string, RegExp | undefined][] = [
  [
    "kafkajs's timer, without the clients: Node prints it",
    false,
    "setTimeout(() => {}, -Date.now())",
    /TimeoutNegativeWarning/,
  ],
  [
    "kafkajs's timer, after the clients are made: not printed",
    true,
    "setTimeout(() => {}, -Date.now())",
    undefined,
  ],
  [
    "a small negative delay is still reported",
    true,
    "setTimeout(() => {}, -5)",
    /TimeoutNegativeWarning: -5 is a negative number/,
  ],
  [
    "other warnings still reach stderr",
    true,
    'process.emitWarning("careful", "OtherWarning")',
    /OtherWarning: careful/,
  ],
];

for (const [name, clients, code, expected] of table) {
  test(name, () => {
    const text = warnings(clients, code);
    if (expected === undefined) assert.doesNotMatch(text, /Warning/);
    else assert.match(text, expected);
  });
}
