import assert from "node:assert/strict";
import { test } from "node:test";
import { buildProgram, isTopLevelHelp } from "../../src/cli/index.ts";
import { loadedModules, projectUrl } from "../support/loaded-modules.ts";

test("the top-level help drawn from the summaries is the help of the commands themselves", async () => {
  const full = await buildProgram();
  const listed = await buildProgram(undefined, true);
  assert.ok(full.commands.length > 10);
  assert.equal(listed.helpInformation(), full.helpInformation());
});

test("only the bare command and a lone --help, -h or help are the top-level help", () => {
  const table: [string[], boolean][] = [
    [[], true],
    [["--help"], true],
    [["-h"], true],
    [["help"], true],
    [["help", "backfill"], false],
    [["backfill", "--help"], false],
    [["--help", "backfill"], false],
    [["--version"], false],
    [["status"], false],
  ];
  for (const [argv, expected] of table) assert.equal(isTopLevelHelp(argv), expected, JSON.stringify(argv));
});

test("bluegreen --help loads no command (it took 0.6 s when it loaded them all)", () => {
  const { seen, result, stdout } = loadedModules(`
    const { main } = await import(${JSON.stringify(projectUrl("src/cli/main.ts"))});
    globalThis.result = await main(["--help"]);
  `);
  assert.equal(result, 0);
  assert.match(stdout, /^Usage: bluegreen/);
  assert.match(stdout, /backfill \[options\] +Step 2/);
  // Sanity: the hook sees what help does load.
  assert.ok(seen.has("commander") && seen.has("src/cli/commands/summaries"), [...seen].join(", "));
  const commands = [...seen].filter((m) => m.startsWith("src/cli/commands/") && !m.endsWith("/summaries"));
  // The backfill worker's argument check is loaded by main itself, before any command.
  assert.deepEqual(commands, ["src/cli/commands/backfill-worker"]);
  for (const unneeded of ["src/config", "src/cluster", "src/report", "zod", "@opensearch-project/opensearch"])
    assert.ok(!seen.has(unneeded), `${unneeded} loads for --help`);
});
