/**
 * What backfill and validate refuse about the selection before they read a document, each naming
 * what it found: a data stream (both work index by index), a closed index (it cannot be read), a
 * selection that reaches nothing at all. Each would otherwise leave documents missing on the target, or
 * unchecked, while the step passed. Leaving them out lets the rest of the migration run.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const STREAM = `${P}-ds1`;
const SHUT = `${P}-shut`;
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
  await seed(source, SHUT, 5);
  await source.request({ method: "POST", path: `/${SHUT}/_close` });
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

const STREAM_FIX = new RegExp(`fix: Leave them out \\(indices\\.exclude: \\["${STREAM}"\\]`);
const SHUT_FIX = new RegExp(
  `fix: Open them on the source \\(POST /<index>/_open\\) and run again, or leave them out with indices\\.exclude: \\["${SHUT}"\\]`,
);
const NO_MATCH_FIX =
  /fix: Check indices\.include, indices\.exclude and source\.url in the migration file \(GET _cat\/indices\?expand_wildcards=all/;

describe("a selection backfill and validate refuse", () => {
  const streamHead = /error BG_DATA_STREAM: The migration selects data stream\(s\) on the source: /;
  const shutHead = new RegExp(
    `error BG_INDEX_CLOSED: The migration selects closed source index\\(es\\) "${SHUT}"\\. A closed index cannot be read, `,
  );
  const cases = [
    {
      name: "backfill, a data stream by name",
      indices: `{ include: ['${P}-*'], exclude: ['${SHUT}'] }`,
      args: ["backfill", "--method", "stream"],
      messages: [
        streamHead,
        BACKING,
        /Backfill works index by index and does not copy a data stream's documents yet, so they would be missing on the target without any check failing\./,
        STREAM_FIX,
      ],
    },
    {
      name: "backfill, a data stream's backing index through includeHidden",
      indices: `{ include: ['.ds-${P}-*'], includeHidden: true }`,
      args: ["backfill", "--method", "stream"],
      messages: [streamHead, BACKING, /Backfill works index by index/, STREAM_FIX],
    },
    {
      name: "validate, a data stream by name",
      indices: `{ include: ['${P}-*'], exclude: ['${SHUT}'] }`,
      args: ["validate"],
      messages: [
        streamHead,
        BACKING,
        /Validation works index by index and does not compare a data stream's documents yet, so they would be left unchecked/,
        STREAM_FIX,
      ],
    },
    {
      name: "backfill, a closed index",
      indices: `{ include: ['${P}-plain', '${SHUT}'] }`,
      args: ["backfill", "--method", "stream"],
      messages: [shutHead, /its documents would be missing on the target; nothing was copied\./, SHUT_FIX],
    },
    {
      name: "backfill --index, the closed index",
      indices: `{ include: ['${P}-*'] }`,
      args: ["backfill", "--method", "stream", "--index", SHUT],
      messages: [shutHead, SHUT_FIX],
    },
    {
      name: "validate, a closed index",
      indices: `{ include: ['${P}-plain', '${SHUT}'] }`,
      args: ["validate"],
      messages: [shutHead, /it would be left unchecked; nothing was compared\./, SHUT_FIX],
    },
    {
      name: "backfill, a selection that reaches nothing",
      indices: `{ include: ['${P}-typo*', '${P}-other'] }`,
      args: ["backfill", "--method", "stream"],
      messages: [
        new RegExp(
          `error BG_SELECTION_NO_MATCH: indices\\.include \\("${P}-typo\\*", "${P}-other"\\) selects no index or data stream on the source, so backfill would copy nothing and still pass\\.`,
        ),
        NO_MATCH_FIX,
      ],
    },
    {
      name: "validate, a selection that reaches nothing (exclude takes the rest)",
      indices: `{ include: ['${P}-plain'], exclude: ['${P}-pl*'] }`,
      args: ["validate"],
      messages: [
        /error BG_SELECTION_NO_MATCH: .* so validation would check nothing and still pass\./,
        NO_MATCH_FIX,
      ],
    },
  ];
  for (const c of cases) {
    test(`${c.name}: exit 2, the message names it, nothing written`, () => {
      const m = file(c.indices);
      const run = bluegreen([c.args[0] as string, "-c", m.file, ...c.args.slice(1)], m.dir);
      assert.equal(run.code, 2, run.stderr);
      for (const message of c.messages) assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    });
  }

  test("nothing was copied by the refused runs", async () => {
    for (const name of [`${P}-plain`, SHUT]) {
      const res = await target.request({ method: "HEAD", path: `/${name}`, allowStatus: [404] });
      assert.equal(res.status, 404, name);
    }
  });

  test("with the stream and the closed index excluded, backfill copies the rest", async () => {
    const m = file(`{ include: ['${P}-*'], exclude: ['${STREAM}', '${SHUT}'] }`);
    const run = bluegreen(["backfill", "-c", m.file, "--method", "stream", "--json"], m.dir);
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}") as { docs: number };
    assert.equal(summary.docs, 20);
  });
});
