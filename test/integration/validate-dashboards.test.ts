/**
 * The `dashboards` check against real clusters (2.11 → 2.19): saved objects written as OpenSearch
 * Dashboards stores them (`_id` "TYPE:ID", attributes under the type's name, references) into a
 * `.kibana*` index on each side. Equal objects pass even when Dashboards' bookkeeping (`updated_at`,
 * `migrationVersion`) and key order differ; a changed visualization, a dashboard missing on the
 * target and an extra saved search are each named with type, title and id, also by `bluegreen
 * validate`; no saved objects index on either side is "not applicable".
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { checkDashboards, type ValidationReport } from "../../src/validate/index.ts";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const main = clustersOf(sandbox);
const legacy = clustersOf(sandbox.legacy);
/** Dashboards' layout: a versioned index behind an alias, here unique to this run. */
const ALIAS = `.kibana_${P}`;
const INDEX = `${ALIAS}_1`;

type Source = Record<string, unknown>;

function objects(stamp: string): Record<string, Source> {
  const meta = { updated_at: stamp, migrationVersion: { visualization: stamp.slice(0, 4) } };
  return {
    "index-pattern:logs": {
      type: "index-pattern",
      "index-pattern": { title: "logs-*", timeFieldName: "@timestamp", fields: "[]" },
      references: [],
      ...meta,
    },
    "visualization:rpm": {
      type: "visualization",
      visualization: {
        title: "Requests per minute",
        visState: '{"type":"line","aggs":[{"id":"1","type":"count"}]}',
        uiStateJSON: "{}",
        version: 1,
        kibanaSavedObjectMeta: {
          searchSourceJSON: '{"indexRefName":"kibanaSavedObjectMeta.searchSourceJSON.index"}',
        },
      },
      references: [
        { name: "kibanaSavedObjectMeta.searchSourceJSON.index", type: "index-pattern", id: "logs" },
      ],
      ...meta,
    },
    "dashboard:ops": {
      type: "dashboard",
      dashboard: { title: "Operations", panelsJSON: '[{"panelRefName":"panel_0"}]', timeRestore: false },
      references: [{ name: "panel_0", type: "visualization", id: "rpm" }],
      ...meta,
    },
    "config:2.11.0": {
      type: "config",
      config: { buildNum: 6854, defaultIndex: "logs" },
      references: [],
      ...meta,
    },
  };
}

/** The same object with its keys in reverse order: what a different writer would store. */
function reversed(source: Source): Source {
  return Object.fromEntries(Object.entries(source).reverse());
}

async function store(cluster: Cluster, docs: Record<string, Source>): Promise<void> {
  await cluster.request({
    method: "PUT",
    path: `/${INDEX}`,
    body: {
      settings: { number_of_shards: 1, number_of_replicas: 0 },
      mappings: { dynamic: false, properties: { type: { type: "keyword" } } },
      aliases: { [ALIAS]: {} },
    },
  });
  for (const [id, doc] of Object.entries(docs))
    await cluster.request({ method: "PUT", path: `/${INDEX}/_doc/${encodeURIComponent(id)}`, body: doc });
  await cluster.request({ method: "POST", path: `/${INDEX}/_refresh` });
}

before(async () => {
  await store(main.source, objects("2023-10-01T10:00:00.000Z"));
  const copy = objects("2025-06-30T12:00:00.000Z");
  await store(main.target, Object.fromEntries(Object.entries(copy).map(([id, doc]) => [id, reversed(doc)])));
});

after(async () => {
  for (const c of [main.source, main.target]) {
    await dropAll(c, INDEX);
    await dropAll(c, `${P}-*`);
  }
  await main.close();
  await legacy.close();
});

test("no saved objects index on either side: not applicable, with the reason", async () => {
  const check = await checkDashboards(legacy.source, legacy.target);
  assert.equal(check.passed, true);
  assert.equal(
    check.notApplicable,
    "neither cluster has a .kibana* or .opensearch_dashboards* saved objects index",
  );
  assert.equal(check.summary, `not applicable: ${check.notApplicable}`);
});

test("equal saved objects pass, whatever Dashboards' bookkeeping and the key order", async () => {
  const check = await checkDashboards(main.source, main.target);
  assert.equal(check.passed, true, check.items?.join("\n"));
  assert.equal(check.summary, `4 saved object(s) in ${ALIAS} equal on both sides`);
  assert.equal(check.compared, 4);
});

test("a changed visualization, a missing dashboard and an extra search are each named", async () => {
  const t = main.target;
  await t.request({
    method: "POST",
    path: `/${INDEX}/_update/visualization:rpm`,
    body: { doc: { visualization: { visState: '{"type":"bar","aggs":[{"id":"1","type":"count"}]}' } } },
  });
  await t.request({ method: "DELETE", path: `/${INDEX}/_doc/dashboard:ops` });
  await t.request({
    method: "PUT",
    path: `/${INDEX}/_doc/search:errors`,
    body: { type: "search", search: { title: "Errors only", columns: ["message"] }, references: [] },
  });
  await t.request({ method: "POST", path: `/${INDEX}/_refresh` });
  const check = await checkDashboards(main.source, main.target);
  assert.equal(check.passed, false);
  assert.equal(check.differences, 3);
  assert.deepEqual(check.savedObjects, [
    { index: ALIAS, type: "dashboard", id: "ops", title: "Operations", kind: "missing" },
    { index: ALIAS, type: "search", id: "errors", title: "Errors only", kind: "extra" },
    { index: ALIAS, type: "visualization", id: "rpm", title: "Requests per minute", kind: "changed" },
  ]);
  assert.ok(check.items?.includes(`${ALIAS}: dashboard "Operations" (id ops) missing on target`));
  assert.ok(
    check.items?.includes(`${ALIAS}: visualization "Requests per minute" (id rpm) changed on target`),
  );
  assert.ok(check.items?.includes(`${ALIAS}: search "Errors only" (id errors) extra on target`));
  assert.match(
    check.summary,
    new RegExp(
      `^3 saved object\\(s\\) in ${ALIAS} differ \\(1 missing on target, 1 extra on target, 1 changed on target; 4 on the source, 4 on the target\\): dashboard "Operations" \\(id ops\\) missing on target; search "Errors only" \\(id errors\\) extra on target; visualization "Requests per minute" \\(id rpm\\) changed on target$`,
    ),
  );
});

test("bluegreen validate fails on them and names each object, in the JSON and on the terminal", async () => {
  const data = `${P}-data`;
  await seed(main.source, data, 20, { shards: 1 });
  const { dir, file } = migrationFile(P, sandbox, `${P}-*`);
  for (const step of [
    ["prepare", "--apply"],
    ["backfill", "--method", "stream"],
  ]) {
    const run = bluegreen([...step, "-c", file], dir);
    assert.equal(run.code, 0, run.stderr);
  }
  const json = bluegreen(["validate", "-c", file, "--json"], dir);
  assert.equal(json.code, 1, json.stderr);
  const report = JSON.parse(json.stdout) as ValidationReport;
  const failed = report.checks.filter((c) => !c.passed).map((c) => c.kind);
  assert.deepEqual(failed, ["dashboards"]);
  const dashboards = report.checks.find((c) => c.kind === "dashboards");
  assert.deepEqual(
    dashboards?.savedObjects?.map((o) => `${o.kind} ${o.type}:${o.id}`),
    ["missing dashboard:ops", "extra search:errors", "changed visualization:rpm"],
  );
  const text = bluegreen(["validate", "-c", file], dir);
  assert.equal(text.code, 1);
  assert.match(text.stdout, /│ FAIL │ \* +│ dashboards │ 3 saved object\(s\) in \S+ differ /);
  assert.match(
    text.stdout,
    /dashboards drift:\n {2}\S+: dashboard "Operations" \(id ops\) missing on target\n/,
  );
});
