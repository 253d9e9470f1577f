/**
 * Full mode against an in-memory cluster that speaks just enough of the point-in-time and `_mget`
 * APIs: sizes past every batch boundary, a point in time lost mid-slice, a refused read, an abort.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { ClusterRequest, ClusterResponse, Requester } from "../../src/cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../../src/errors/index.ts";
import { type ContentResult, compareContent, type DocDifference } from "../../src/validate/index.ts";

interface Doc {
  readonly id: string;
  readonly routing?: string;
  readonly source: string;
}

interface SearchBody {
  readonly size: number;
  readonly slice?: { readonly id: number; readonly max: number };
  readonly search_after?: readonly number[];
}

/** One index on a fake OpenSearch 2.19: `fail(n)` decides what the n-th page request does instead. */
class FakeCluster implements Requester {
  searches = 0;
  openPits = 0;
  readonly docs: Doc[];
  readonly fail: (n: number) => "lost" | Error | undefined;

  constructor(docs: Doc[], fail: (n: number) => "lost" | Error | undefined = () => undefined) {
    this.docs = docs;
    this.fail = fail;
  }

  async request<T>(r: ClusterRequest): Promise<ClusterResponse<T>> {
    const answer = (body: unknown, status = 200) =>
      ({ status, body: body as T, headers: {}, attempts: 1 }) as ClusterResponse<T>;
    if (r.path === "/") return answer({ version: { number: "2.19.0", distribution: "opensearch" } });
    if (r.path.endsWith("/_count")) return answer({ count: this.docs.length });
    if (r.path.includes("/_settings/"))
      return answer({ i: { settings: { index: { number_of_shards: "1" } } } });
    if (r.path.endsWith("/_search/point_in_time")) {
      if (r.method === "DELETE") {
        this.openPits--;
        return answer({});
      }
      this.openPits++;
      return answer({ pit_id: "pit" });
    }
    if (r.path === "/_search") {
      r.signal?.throwIfAborted();
      const failure = this.fail(++this.searches);
      if (failure === "lost") return answer({ error: "gone" }, 404);
      if (failure !== undefined) throw failure;
      const b = r.body as SearchBody;
      const after = b.search_after?.[0] ?? -1;
      const hits = this.docs
        .map((doc, i) => ({ doc, i }))
        .filter(({ i }) => i > after && (b.slice === undefined || i % b.slice.max === b.slice.id))
        .slice(0, b.size)
        .map(
          ({ doc, i }) =>
            `{"_index":"i","_id":${JSON.stringify(doc.id)},"_score":null${routing(doc)},"_source":${doc.source},"sort":[${i}]}`,
        );
      return answer(`{"pit_id":"pit","hits":{"hits":[${hits.join(",")}]}}`);
    }
    if (r.path.endsWith("/_mget")) {
      const keys = (r.body as { docs: { _id: string; routing?: string }[] }).docs;
      const docs = keys.map((k) => {
        const doc = this.docs.find((d) => d.id === k._id && d.routing === k.routing);
        return doc === undefined
          ? `{"_id":${JSON.stringify(k._id)},"found":false}`
          : `{"_id":${JSON.stringify(doc.id)}${routing(doc)},"found":true,"_source":${doc.source}}`;
      });
      return answer(`{"docs":[${docs.join(",")}]}`);
    }
    throw new Error(`unexpected ${r.method} ${r.path}`);
  }
}

const routing = (doc: Doc) => (doc.routing === undefined ? "" : `,"_routing":${JSON.stringify(doc.routing)}`);

const docs = (n: number, source = (i: number) => `{"i":${i},"s":"v${i}"}`): Doc[] =>
  Array.from({ length: n }, (_, i) => ({ id: `k${String(i).padStart(6, "0")}`, source: source(i) }));

async function compare(
  source: Requester,
  target: Requester,
  signal?: AbortSignal,
  dir = mkdtempSync(join(tmpdir(), "validate-full-")),
): Promise<ContentResult & { lines: DocDifference[]; workDir: string }> {
  const file = join(dir, "d.ndjson");
  const workDir = join(dir, "work");
  let r: ContentResult;
  let text: string;
  try {
    r = await compareContent({
      source,
      target,
      sourceIndex: "i",
      targetIndex: "i",
      mode: { kind: "full" },
      workDir,
      differencesFile: file,
      limit: 3,
      ...(signal === undefined ? {} : { signal }),
    });
    text = readFileSync(file, "utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    ...r,
    workDir,
    lines:
      text === ""
        ? []
        : text
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l)),
  };
}

describe("full comparison, in memory", () => {
  it("clears thousands of whitespace-only candidates and names thousands of missing documents in key order", async () => {
    const n = 6_000;
    const source = new FakeCluster(docs(n));
    // Every other document written with other whitespace and key order; the last 4500 missing.
    const target = new FakeCluster(
      docs(1_500, (i) => (i % 2 === 0 ? `{ "s": "v${i}", "i": ${i} }` : `{"i":${i},"s":"v${i}"}`)),
    );
    const r = await compare(source, target);
    assert.deepEqual(
      { s: r.sourceDocs, t: r.targetDocs, c: r.compared, byKind: r.byKind },
      { s: n, t: 1_500, c: 1_500, byKind: { missing: 4_500, extra: 0, differs: 0 } },
    );
    assert.equal(r.lines.length, 4_500);
    assert.deepEqual(r.first, r.lines.slice(0, 3));
    assert.deepEqual(
      r.lines.map((d) => d.id),
      [...r.lines.map((d) => d.id)].sort(),
    );
    assert.equal(r.lines[0]?.id, "k001500");
    assert.equal(existsSync(r.workDir), false);
    assert.equal(source.openPits + target.openPits, 0, "every point in time closed");
  });

  it("a point in time lost mid-slice restarts the slice without counting its documents twice", async () => {
    const all = docs(5_000);
    const source = new FakeCluster(all, (n) => (n === 3 ? "lost" : undefined));
    const target = new FakeCluster(
      all.map((d, i) => (i === 4_321 ? { ...d, source: '{"i":4321,"s":"changed"}' } : d)),
    );
    const r = await compare(source, target);
    assert.equal(r.sourceDocs, 5_000);
    assert.equal(r.compared, 5_000);
    assert.deepEqual(r.lines, [
      { kind: "differs", id: "k004321", path: "s", source: '"v4321"', target: '"changed"' },
    ]);
    assert.ok(source.searches > 6, "the lost slice was read again");
  });

  it("a refused read fails naming the side and the index, with the cluster's error code", async () => {
    const refused = new BluegreenError("BG_CLUSTER_FORBIDDEN", "no read permission on [i]", {
      retryable: false,
    });
    const target = new FakeCluster(docs(10), () => refused);
    await assert.rejects(compare(new FakeCluster(docs(10)), target), (error: unknown) => {
      assert.ok(isBluegreenError(error, "BG_CLUSTER_FORBIDDEN"), String(error));
      assert.match(error.message, /Reading i on the target for validation failed: no read permission/);
      assert.equal(error.details.side, "target");
      return true;
    });
  });

  it("stops when aborted and leaves no work directory behind", async () => {
    const abort = new AbortController();
    const source = new FakeCluster(docs(3_000), (n) => {
      if (n === 2) abort.abort(new Error("stopped by the operator"));
      return undefined;
    });
    const dir = mkdtempSync(join(tmpdir(), "validate-full-"));
    await assert.rejects(
      compare(source, new FakeCluster(docs(3_000)), abort.signal, dir),
      /stopped by the operator/,
    );
    assert.equal(existsSync(join(dir, "work")), false);
  });
});
