/**
 * A selection that reaches a data stream is refused by backfill and validate, naming the stream:
 * both work index by index, so the stream's documents would otherwise be missing on the target (or
 * go unchecked) while every check passed. Leaving the stream out lets the rest of the migration run.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const STREAM = `${P}-ds1`;
const { source, target, close } = clustersOf(sandbox);

async function dropStreams(): Promise<void> {
  for (const c of [source, target]) {
    await c.request({ method: "DELETE", path: `/_data_stream/${P}-*`, allowStatus: [404] });
    await c.request({ method: "DELETE", path: `/_index_template/${P}-ds`, allowStatus: [404] });
    await dropAll(c, `${P}-*`);
  }
}

before(async () => {
  await source.request({
    method: "PUT",
    path: `/_index_template/${P}-ds`,
    body: {
      index_patterns: [`${P}-ds*`],
      data_stream: {},
      template: { settings: { number_of_replicas: 0 } },
    },
  });
  await source.request({ method: "PUT", path: `/_data_stream/${STREAM}` });
  for (let i = 1; i <= 3; i++) {
    await source.request({
      method: "POST",
      path: `/${STREAM}/_doc`,
      querystring: { refresh: "true" },
      body: { "@timestamp": `2024-01-0${i}T00:00:00Z`, n: i },
    });
  }
  await seed(source, `${P}-plain`, 20);
});

after(async () => {
  await dropStreams();
  await close();
});

function file(indices: string): { dir: string; file: string } {
  const m = migrationFile(P, sandbox, "unused");
  writeFileSync(
    m.file,
    `version: 1\nname: ${P}\nsource: { url: '${sandbox.source.url}' }\ntarget: { url: '${sandbox.target.url}' }\nindices: ${indices}\n`,
  );
  return m;
}

const BACKING = new RegExp(`${STREAM} \\(\\.ds-${STREAM}-0+1\\)`);

describe("a selection that reaches a data stream", () => {
  const cases = [
    {
      name: "backfill, the stream by name",
      indices: `{ include: ['${P}-*'] }`,
      args: ["backfill", "--method", "stream"],
      message:
        /Backfill works index by index and does not copy a data stream's documents yet, so they would be missing on the target without any check failing\./,
    },
    {
      name: "backfill, the stream's backing index through includeHidden",
      indices: `{ include: ['.ds-${P}-*'], includeHidden: true }`,
      args: ["backfill", "--method", "stream"],
      message: /Backfill works index by index/,
    },
    {
      name: "validate, the stream by name",
      indices: `{ include: ['${P}-*'] }`,
      args: ["validate"],
      message:
        /Validation works index by index and does not compare a data stream's documents yet, so they would be left unchecked/,
    },
  ];
  for (const c of cases) {
    test(`${c.name}: exit 2, BG_DATA_STREAM naming it, nothing written`, () => {
      const m = file(c.indices);
      const run = bluegreen([c.args[0] as string, "-c", m.file, ...c.args.slice(1)], m.dir);
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /error BG_DATA_STREAM: The migration selects data stream\(s\) on the source: /,
      );
      assert.match(run.stderr, BACKING);
      assert.match(run.stderr, c.message);
      assert.match(run.stderr, new RegExp(`fix: Leave them out \\(indices\\.exclude: \\["${STREAM}"\\]`));
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    });
  }

  test("nothing was copied by the refused runs", async () => {
    const plain = await target.request({ method: "HEAD", path: `/${P}-plain`, allowStatus: [404] });
    assert.equal(plain.status, 404);
  });

  test("with the stream excluded, backfill copies the rest", async () => {
    const m = file(`{ include: ['${P}-*'], exclude: ['${STREAM}'] }`);
    const run = bluegreen(["backfill", "-c", m.file, "--method", "stream", "--json"], m.dir);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { docs: number };
    assert.equal(summary.docs, 20);
  });
});
