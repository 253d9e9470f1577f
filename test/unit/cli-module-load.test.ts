import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

const ROOT = new URL("../..", import.meta.url).pathname;

/**
 * Which packages and project folders a module pulls in, read in a fresh process through a resolve
 * hook (this process has loaded half the project already).
 */
function loadedBy(entry: string): Set<string> {
  const script = `
    import module from "node:module";
    const seen = new Set();
    module.registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        const pkg = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(resolved.url);
        const own = /\\/src\\/([^/]+)\\//.exec(resolved.url);
        if (pkg) seen.add(pkg[1]);
        else if (own) seen.add("src/" + own[1]);
        if (/@opensearch-project\\/opensearch\\/api\\//.test(resolved.url)) seen.add("the official client's API surface");
        return resolved;
      },
    });
    await import(${JSON.stringify(new URL(entry, `file://${ROOT}`).href)});
    process.stdout.write(JSON.stringify([...seen]));
  `;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  return new Set(JSON.parse(out) as string[]);
}

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
