/**
 * The major-version paths on real clusters, one table per step: 2.19 → 3, 1.3 → 3, Elasticsearch 7.10
 * OSS → 2.19 and → 3. For each path: `clusters check` shows the matrix's verdicts and the plan,
 * `prepare --apply` leaves the metadata identical after the version transforms, `backfill` (auto) picks
 * the method the matrix allows per index and says why, and a gateway in front of the source captures
 * writes before and after the copy that replay applies, ending digest-equal. Impossible paths are
 * refused with the reason. No pair is started here: the paths cross the global setup's pairs.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { runCutover } from "../../src/cutover/index.ts";
import { createLogger } from "../../src/log/index.ts";
import { bluegreen as cli, migrationFile, seed } from "../support/backfill.ts";
import { assertSameContent } from "../support/digest.ts";
import { bluegreen, exitOf } from "../support/gateway-child.ts";
import { dropIndices, type GatewayRig, LOG_FACTORIES, startGateway } from "../support/gateway-harness.ts";
import { versionPaths } from "../support/sandbox.ts";

type Method = "snapshot" | "reindex" | "stream";

interface PathCase {
  readonly key: string;
  /** The source is Elasticsearch 7.10: it also gets an analyzer, a typed legacy template and a pipeline. */
  readonly es: boolean;
  /** Index suffix → the method auto must pick, and what its reason must say. */
  readonly expected: Readonly<Record<string, readonly [Method, RegExp]>>;
}

const RESTORABLE = (made: string, on: string) =>
  new RegExp(`^snapshot: created by ${made}, restorable on ${on}; `);
const TWO_BACK = (made: string, on: string) =>
  new RegExp(
    `^reindex: the target pulls .*; not snapshot: the index was created by ${made}; ${on} restores only indices created by the previous major or later \\(instead: copy it with reindex or stream`,
  );
const ES_INDICES = ["docs", "text", "logs-1"];
const each = (methodReason: readonly [Method, RegExp]) =>
  Object.fromEntries(ES_INDICES.map((suffix) => [suffix, methodReason]));

const CASES: readonly PathCase[] = [
  {
    key: "2.19 → 3",
    es: false,
    expected: { docs: ["snapshot", RESTORABLE("OpenSearch 2\\.19\\.4", "OpenSearch 3\\.4\\.0")] },
  },
  {
    key: "1.3 → 3",
    es: false,
    expected: { docs: ["reindex", TWO_BACK("OpenSearch 1\\.3\\.14", "OpenSearch 3\\.4\\.0")] },
  },
  {
    key: "es-7.10 → 2.19",
    es: true,
    expected: each(["snapshot", RESTORABLE("Elasticsearch 7\\.10\\.2", "OpenSearch 2\\.19\\.4")]),
  },
  {
    key: "es-7.10 → 3",
    es: true,
    expected: each(["reindex", TWO_BACK("Elasticsearch 7\\.10\\.2", "OpenSearch 3\\.4\\.0")]),
  },
];

interface Running {
  readonly P: string;
  readonly rig: GatewayRig;
  readonly file: string;
}
const running = new Map<string, Running>();

after(async () => {
  for (const { P, rig } of running.values()) {
    await dropIndices([rig.source, rig.target], P);
    for (const cluster of [rig.source, rig.target]) {
      await cluster.request({ method: "DELETE", path: `/_template/${P}-logs`, allowStatus: [404] });
      await cluster.request({ method: "DELETE", path: `/_ingest/pipeline/${P}-pipe`, allowStatus: [404] });
    }
    await rig.close();
  }
});

function runningFor(key: string): Running {
  const r = running.get(key);
  assert.ok(r !== undefined, `the prepare step did not set up ${key}`);
  return r;
}

/** An analyzer from analysis-common, a legacy template with a `_doc` type mapping, an ingest pipeline. */
async function elasticsearchFixtures(source: Cluster, P: string): Promise<void> {
  await source.request({
    method: "PUT",
    path: `/_template/${P}-logs`,
    querystring: { include_type_name: true },
    body: {
      index_patterns: [`${P}-logs-*`],
      order: 1,
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { _doc: { properties: { msg: { type: "text" }, level: { type: "keyword" } } } },
    },
  });
  await source.request({
    method: "PUT",
    path: `/_ingest/pipeline/${P}-pipe`,
    body: {
      description: "stamps and normalises log lines",
      processors: [
        { set: { field: "stage", value: "ingested" } },
        { lowercase: { field: "level", ignore_missing: true } },
      ],
    },
  });
  await source.request({
    method: "PUT",
    path: `/${P}-text`,
    body: {
      settings: {
        number_of_replicas: 0,
        analysis: {
          filter: { short_stop: { type: "stop", stopwords: ["the", "a"] } },
          analyzer: {
            folded: {
              type: "custom",
              tokenizer: "standard",
              filter: ["lowercase", "asciifolding", "short_stop"],
            },
          },
        },
      },
      mappings: { properties: { body: { type: "text", analyzer: "folded" }, tag: { type: "keyword" } } },
    },
  });
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    lines.push(JSON.stringify({ index: { _index: `${P}-text`, _id: `t${i}` } }));
    lines.push(JSON.stringify({ body: `The Café number ${i}`, tag: `k${i % 3}` }));
    lines.push(JSON.stringify({ index: { _index: `${P}-logs-1`, _id: `l${i}`, pipeline: `${P}-pipe` } }));
    lines.push(JSON.stringify({ msg: `line ${i}`, level: i % 2 === 0 ? "WARN" : "Info" }));
  }
  const res = await source.request<{ errors: boolean }>({
    method: "POST",
    path: "/_bulk",
    querystring: { refresh: true },
    bulkBody: `${lines.join("\n")}\n`,
  });
  assert.equal(res.body.errors, false, JSON.stringify(res.body).slice(0, 600));
}

/** Puts, updates and deletes through the gateway (so the source takes them and the log captures them). */
async function writeThrough(url: string, P: string, round: number): Promise<void> {
  const headers = { "content-type": "application/json" };
  for (let i = 0; i < 25; i++) {
    const id = `d${(i * 7 + round * 13) % 400}`;
    const res =
      i % 6 === 5
        ? await fetch(`${url}/${P}-docs/_doc/${id}`, { method: "DELETE" })
        : await fetch(`${url}/${P}-docs/_doc/${id}`, {
            method: "PUT",
            headers,
            body: JSON.stringify({ title: `round ${round} write ${i}`, n: i, tags: [`r${round}`] }),
          });
    await res.arrayBuffer();
    assert.ok(res.status < 300 || res.status === 404, `write ${id} through the gateway got ${res.status}`);
  }
  const bulk = [
    JSON.stringify({ index: { _index: `${P}-docs`, _id: `new-${round}` } }),
    JSON.stringify({ title: "bulk", n: round }),
    "",
  ].join("\n");
  const res = await fetch(`${url}/_bulk`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: bulk,
  });
  const body = (await res.json()) as { errors: boolean };
  assert.equal(body.errors, false);
}

for (const c of CASES) {
  test(`prepare ${c.key}: metadata identical on the target after the version transforms`, async () => {
    const pair = versionPaths()[c.key];
    assert.ok(pair !== undefined, c.key);
    const P = `vp-${randomBytes(4).toString("hex")}`;
    const templates = c.es ? "" : "prepare: { templates: false }\n";
    const rig = await startGateway(
      `vp-${randomBytes(3).toString("hex")}`,
      LOG_FACTORIES.file as NonNullable<(typeof LOG_FACTORIES)["file"]>,
      {
        pair,
        yaml: `indices: { include: ['${P}-*'] }\nsync: { method: gateway }\n${templates}backfill: { autoOrder: [snapshot, reindex, stream], batchSize: 200 }\n`,
      },
    );
    const file = join(rig.dir, "bluegreen.yaml");
    // The CLI backfill finds this in-process gateway through gateway.listen, to mark its log.
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("gateway: {", `gateway: { listen: '${new URL(rig.url).host}',`),
    );
    running.set(c.key, { P, rig, file });
    await seed(rig.source, `${P}-docs`, 400, { shards: 2, routeEvery: 9 });
    if (c.es) await elasticsearchFixtures(rig.source, P);

    const apply = cli(["prepare", "-c", file, "--apply"], rig.dir);
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const plan = cli(["prepare", "-c", file, "--json"], rig.dir);
    assert.equal(plan.code, 0, plan.stderr);
    const items = (JSON.parse(plan.stdout) as { items: { kind: string; name: string; action: string }[] })
      .items;
    const mine = items.filter((i) => i.name.startsWith(P)).map((i) => `${i.action} ${i.kind} ${i.name}`);
    const expected = c.es
      ? [`${P}-docs`, `${P}-logs-1`, `${P}-text`]
          .map((n) => `identical index ${n}`)
          .concat(`identical legacy_template ${P}-logs`, `identical pipeline ${P}-pipe`)
      : [`identical index ${P}-docs`];
    assert.deepEqual(mine.sort(), expected.sort());
    if (c.es) {
      // The custom analyzer is not just equal on paper: the target analyzes with it.
      const analyzed = await rig.target.request<{ tokens: { token: string }[] }>({
        method: "POST",
        path: `/${P}-text/_analyze`,
        body: { analyzer: "folded", text: "The Café" },
      });
      assert.deepEqual(
        analyzed.body.tokens.map((t) => t.token),
        ["cafe"],
      );
    }
  });
}

for (const c of CASES) {
  test(`clusters check ${c.key}: each index's verdicts from the matrix, and the plan`, () => {
    const { P, rig, file } = runningFor(c.key);
    const check = cli(["clusters", "check", "-c", file, "--json"], rig.dir);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const report = JSON.parse(check.stdout) as {
      plan: { index: string; verdicts: { method: string; allowed: boolean; rule?: string }[] }[];
      backfill: { tasks: { index: string; method: string }[] };
    };
    for (const [suffix, [method]] of Object.entries(c.expected)) {
      const row = report.plan.find((p) => p.index === `${P}-${suffix}`);
      assert.ok(row !== undefined, `${suffix} in ${JSON.stringify(report.plan)}`);
      const snapshot = row.verdicts.find((v) => v.method === "snapshot");
      assert.equal(snapshot?.allowed, method === "snapshot", JSON.stringify(snapshot));
      if (method !== "snapshot") assert.equal(snapshot?.rule, "created-two-majors-back");
      assert.equal(row.verdicts.find((v) => v.method === "stream")?.allowed, true);
      assert.equal(report.backfill.tasks.find((t) => t.index === `${P}-${suffix}`)?.method, method);
    }
  });
}

for (const c of CASES) {
  test(`backfill (auto) ${c.key} behind the gateway: the matrix's method per index, with the reason`, async () => {
    const { P, rig, file } = runningFor(c.key);
    await writeThrough(rig.url, P, 1);
    const run = bluegreen(["backfill", "-c", file, "--json"]);
    assert.equal(await exitOf(run), 0, run.output());
    const plans = run
      .output()
      .split("\n")
      .filter((l) => l.startsWith('{"event":"plan"'))
      .map((l) => JSON.parse(l) as { index: string; method: string; reason: string });
    for (const [suffix, [method, reason]] of Object.entries(c.expected)) {
      const task = plans.find((p) => p.index === `${P}-${suffix}`);
      assert.ok(task !== undefined, `${suffix} planned: ${run.output()}`);
      assert.equal(task.method, method, task.reason);
      assert.match(task.reason, reason);
    }
  });
}

for (const c of CASES) {
  test(`gateway replay ${c.key}: writes after the copy replayed, source ≡ target by digest`, async () => {
    const { P, rig } = runningFor(c.key);
    await writeThrough(rig.url, P, 2);
    const report = await rig.replay({ untilCaughtUp: true });
    assert.equal(report.deadLettered, 0);
    for (const suffix of Object.keys(c.expected))
      await assertSameContent(rig.source, `${P}-${suffix}`, rig.target);
  });
}

for (const c of CASES) {
  test(`validate ${c.key}: counts, every document, metadata and queries pass after the sync`, async () => {
    const { rig, file } = runningFor(c.key);
    // The paths share nodes, and pipelines and templates are cluster-wide: later paths' fixtures have
    // appeared on this path's source since its prepare. An operator re-applies prepare's drift before
    // validating; so does this test, or validate rightly reports those objects missing on the target.
    const again = cli(["prepare", "-c", file, "--apply"], rig.dir);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    const run = bluegreen(["validate", "-c", file, "--full", "--json"]);
    assert.equal(await exitOf(run), 0, run.output());
    const report = JSON.parse(run.output().slice(run.output().indexOf("{"))) as {
      passed: boolean;
      checks: { kind: string; index: string; passed: boolean }[];
    };
    assert.equal(report.passed, true, JSON.stringify(report.checks.filter((k) => !k.passed)));
    const kinds = new Set(report.checks.map((k) => k.kind));
    for (const kind of ["metadata", "ism", "dashboards", "count", "content", "queries"])
      assert.ok(kinds.has(kind), kind);
  });
}

for (const c of CASES) {
  test(`cutover ${c.key}: the source is write-blocked, and writes through the gateway now land on the target`, async () => {
    const { P, rig } = runningFor(c.key);
    const result = await runCutover(rig.config, rig.state, createLogger({ level: "silent" }), {
      gatewayUrl: rig.url,
    });
    assert.ok(`${P}-docs` in (result.record.block?.previous ?? {}), JSON.stringify(result.record));
    assert.ok(result.record.switch !== undefined, JSON.stringify(result.record));
    const after = await fetch(`${rig.url}/${P}-docs/_doc/after-cutover`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"after":"cutover"}',
    });
    assert.equal(after.status, 201, await after.text());
    const onTarget = await rig.target.request<{ found: boolean }>({
      method: "GET",
      path: `/${P}-docs/_doc/after-cutover`,
    });
    assert.equal(onTarget.body.found, true);
    const direct = await rig.source.request({
      method: "PUT",
      path: `/${P}-docs/_doc/direct`,
      body: { bypass: true },
      allowStatus: [403],
    });
    assert.equal(direct.status, 403, "the source still takes writes that bypass the gateway");
  });
}

const REFUSED: readonly {
  name: string;
  path: () => ReturnType<typeof versionPaths>[string];
  args: string[];
  message: RegExp;
  fix: RegExp;
}[] = [
  {
    name: "a target older than the source (3 → 2.19): backfill refuses the path",
    path: () => crossOlder(),
    args: ["backfill"],
    message:
      /error BG_BACKFILL_PLAN: No backfill method can take this path: the target runs OpenSearch 2\.19\.4, older than the source's OpenSearch 3\.4\.0: indices cannot move to an older version\./,
    fix: /fix: Point target at a cluster of the same or a newer version than the source\./,
  },
  {
    name: "a target older than the source (3 → 2.19): clusters check blocks",
    path: () => crossOlder(),
    args: ["clusters", "check", "--json"],
    message:
      /"rule": "target-older-than-source",\s*"message": "The target runs OpenSearch 2\.19\.4, older than the source's OpenSearch 3\.4\.0: indices cannot move to an older version\."/,
    fix: /"fix": "Point target at a cluster of the same or a newer version than the source\."/,
  },
  {
    name: "a 1.x-created index to 3.x by snapshot: refused with the matrix's reason and alternative",
    path: () => versionPaths()["1.3 → 3"] as ReturnType<typeof versionPaths>[string],
    args: ["backfill", "--method", "snapshot"],
    message:
      /error BG_BACKFILL_PLAN: No backfill method \(snapshot\) can copy vp-[0-9a-f]+-docs \(not snapshot: the index was created by OpenSearch 1\.3\.14; OpenSearch 3\.4\.0 restores only indices created by the previous major or later \(instead: copy it with reindex or stream/,
    fix: /fix: Use method: auto/,
  },
];

function crossOlder() {
  const paths = versionPaths();
  const [major, main] = [paths["es-7.10 → 3"], paths["2.11 → 2.19"]];
  assert.ok(major !== undefined && main !== undefined);
  return { ...main, name: "3 → 2.19", source: major.target, target: main.target };
}

for (const r of REFUSED) {
  test(`refused: ${r.name}`, () => {
    const P = runningFor("1.3 → 3").P;
    const { dir, file } = migrationFile(`vp-refused-${randomBytes(3).toString("hex")}`, r.path(), `${P}-*`);
    const result = cli([...r.args, "-c", file], dir);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout + result.stderr, r.message);
    assert.match(result.stdout + result.stderr, r.fix);
  });
}
