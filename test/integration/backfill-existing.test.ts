/**
 * A second migration attempt over target indices that already hold the data (issue 12, items 4-5):
 * `auto` does not pick snapshot for them (a restore refuses an index with documents) but copies over
 * them by _id with stream and says why; a forced snapshot fails at plan time naming the real options;
 * and the summary's size is the source index's primary store size whichever method copied.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { bluegreen, clustersOf, count, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const INDEX = `${P}-orders`;
const DOCS = 300;
const main = clustersOf(sandbox);

interface Line {
  readonly event: string;
  readonly method?: string;
  readonly reason?: string;
  readonly results?: readonly { readonly method: string; readonly docs: number; readonly bytes: number }[];
}

/** One backfill in a fresh state (a new migration attempt); its NDJSON lines. */
function backfill(name: string, method: string): { code: number; lines: Line[]; stderr: string } {
  const { dir, file } = migrationFile(`${P}-${name}`, sandbox, INDEX);
  const run = bluegreen(["backfill", "-c", file, "--method", method, "--json"], dir);
  const lines = run.stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Line);
  return { code: run.code, lines, stderr: run.stderr };
}

async function primaryStoreSize(): Promise<number> {
  const [row] = await main.source.indices([INDEX]);
  return row?.primaryStoreSizeBytes ?? -1;
}

before(async () => {
  await seed(main.source, INDEX, DOCS, { shards: 1 });
  // One segment: the store size then stays put between the runs being compared.
  await main.source.request({
    method: "POST",
    path: `/${INDEX}/_forcemerge`,
    querystring: { max_num_segments: 1 },
  });
});

after(async () => {
  await dropAll(main.source, `${P}-*`);
  await dropAll(main.target, `${P}-*`);
  await main.close();
});

test("auto over a target index holding the documents: stream, by _id, with the reason; snapshot forced: the real options", async () => {
  const first = backfill("first", "stream");
  assert.equal(first.code, 0, first.stderr);
  assert.equal(await count(main.target, INDEX), DOCS);

  // The sandbox pairs share a path.repo, so auto would pick snapshot for a missing or empty index.
  const second = backfill("second", "auto");
  assert.equal(second.code, 0, second.stderr);
  const plan = second.lines.find((l) => l.event === "plan");
  assert.equal(plan?.method, "stream");
  assert.match(
    plan?.reason ?? "",
    new RegExp(
      `^stream: bluegreen copies the documents itself, over the ${DOCS} document\\(s\\) ${INDEX} already holds \\(by _id.*; not snapshot: the target index ${INDEX} already holds ${DOCS} document\\(s\\), and a restore never writes into an index that holds documents \\(delete it on the target, or copy over it by _id with --method stream\\)`,
    ),
  );
  assert.deepEqual(
    second.lines.at(-1)?.results?.map((r) => [r.method, r.docs]),
    [["stream", DOCS]],
  );
  await assertSameContent(main.source, INDEX, main.target, INDEX);

  const forced = backfill("forced", "snapshot");
  assert.equal(forced.code, 1, forced.stderr);
  assert.match(
    forced.stderr,
    new RegExp(
      `error BG_BACKFILL_PLAN: No backfill method \\(snapshot\\) can copy ${INDEX} \\(not snapshot: the target index ${INDEX} already holds ${DOCS} document\\(s\\)`,
    ),
  );
  assert.match(
    forced.stderr,
    /fix: For a target index that already holds documents: delete it on the target \(DELETE \/<index>\) and run again, or copy over it by _id with --method stream/,
  );
  assert.doesNotMatch(forced.stderr, /\n\s+at /, "a stack trace for a user's situation");
});

test("the summary's size is the source index's primary store size for stream and for snapshot alike", async () => {
  const size = await primaryStoreSize();
  assert.ok(size > 0);
  await dropAll(main.target, INDEX);
  const stream = backfill("size-stream", "stream");
  assert.equal(stream.code, 0, stream.stderr);
  await dropAll(main.target, INDEX);
  const snapshot = backfill("size-snapshot", "snapshot");
  assert.equal(snapshot.code, 0, snapshot.stderr);
  const bytes = (run: typeof stream) => run.lines.at(-1)?.results?.map((r) => [r.method, r.bytes]);
  assert.deepEqual(bytes(stream), [["stream", size]]);
  assert.deepEqual(bytes(snapshot), [["snapshot", size]]);
});
