import assert from "node:assert/strict";
import { test } from "node:test";
import { loadedModules, projectUrl } from "../support/loaded-modules.ts";

/** Which packages and project folders a module pulls in. */
const loadedBy = (entry: string): Set<string> =>
  loadedModules(`await import(${JSON.stringify(projectUrl(entry))});`).seen;

test("the backfill's copy thread does not load the gateway, replay, Kafka or the metrics (a third of a second of a short copy)", () => {
  const loaded = loadedBy("src/cli/commands/backfill-run.ts");
  // Sanity: the hook sees what the copy does need.
  for (const needed of ["@opensearch-project/opensearch", "src/backfill", "src/state"])
    assert.ok(loaded.has(needed), `${needed} should load: ${[...loaded].join(", ")}`);
  for (const unneeded of [
    "src/gateway",
    "src/replay",
    "src/sync",
    "kafkajs",
    "prom-client",
    "undici",
    // Several hundred modules, 150 ms of start-up; only the client's transport is used.
    "the official client's API surface",
  ])
    assert.ok(!loaded.has(unneeded), `${unneeded} loads with the copy`);
});

test("a backfill's main thread loads no command before it starts the worker that parses the command line", () => {
  const loaded = loadedBy("src/cli/main.ts");
  for (const unneeded of [
    "src/config",
    "src/backfill",
    "src/cluster",
    "zod",
    "@opensearch-project/opensearch",
    "commander",
    "src/report",
    "cli-table3",
  ])
    assert.ok(!loaded.has(unneeded), `${unneeded} loads with the CLI's entry`);
});
