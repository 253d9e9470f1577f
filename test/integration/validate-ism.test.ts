/**
 * The `ism` check against real clusters: which ISM policy manages each selected index, asked of both
 * sides with the explain API and paired through a backfill rename (2.11 → 2.19, both with the
 * index-management plugin). A policy attached on one side only, another policy, or the same name
 * holding another policy is each named; the same attachment on both sides passes; a source without
 * the plugin (1.3, no plugins) makes the check "not applicable", never a failure.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Cluster } from "../../src/cluster/index.ts";
import { attachIsmPolicies } from "../../src/cutover/index.ts";
import { checkIsm, explainPolicies, type ValidationReport } from "../../src/validate/index.ts";
import { bluegreen, clustersOf, dropAll, migrationFile, prefix, seed } from "../support/backfill.ts";
import { testSandbox } from "../support/sandbox.ts";

const sandbox = testSandbox();
const P = prefix();
const main = clustersOf(sandbox);
const legacy = clustersOf(sandbox.legacy);
const HOT = `${P}-hot`;
const WARM = `${P}-warm`;
const COLD = `${P}-cold`;
const pairs = ["a", "b", "c", "d", "e"].map((n) => ({ index: `${P}-${n}`, targetIndex: `${P}-${n}-v2` }));
const [A, B, C, D, E] = pairs as [
  (typeof pairs)[0],
  (typeof pairs)[0],
  (typeof pairs)[0],
  (typeof pairs)[0],
  (typeof pairs)[0],
];

function policy(description: string) {
  return {
    policy: {
      description,
      default_state: "hot",
      states: [{ name: "hot", actions: [], transitions: [] }],
    },
  };
}

/** Creates or replaces a policy: a replace must name the version it replaces (`if_seq_no`). */
async function putPolicy(cluster: Cluster, id: string, description: string): Promise<void> {
  const path = `/_plugins/_ism/policies/${id}`;
  const current = await cluster.request<{ _seq_no?: number; _primary_term?: number }>({
    method: "GET",
    path,
    allowStatus: [404],
  });
  await cluster.request({
    method: "PUT",
    path,
    body: policy(description),
    ...(current.status === 404
      ? {}
      : {
          querystring: {
            if_seq_no: String(current.body._seq_no),
            if_primary_term: String(current.body._primary_term),
          },
        }),
  });
}

/** Attaches a policy and waits until explain shows it: the managed-index record is read after a refresh. */
async function attach(cluster: Cluster, index: string, id: string): Promise<void> {
  const answer = await cluster.request<{ updated_indices: number }>({
    method: "POST",
    path: `/_plugins/_ism/add/${index}`,
    body: { policy_id: id },
  });
  assert.equal(answer.body.updated_indices, 1, JSON.stringify(answer.body));
  for (let i = 0; i < 100; i++) {
    if ((await explainPolicies(cluster, [index])).get(index) === id) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.fail(`explain never showed ${id} managing ${index}`);
}

async function detach(cluster: Cluster, index: string): Promise<void> {
  await cluster.request({ method: "POST", path: `/_plugins/_ism/remove/${index}` });
  for (let i = 0; i < 100; i++) {
    if (!(await explainPolicies(cluster, [index])).has(index)) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.fail(`explain still shows a policy managing ${index}`);
}

before(async () => {
  for (const p of pairs) {
    await main.source.request({ method: "PUT", path: `/${p.index}` });
    await main.target.request({ method: "PUT", path: `/${p.targetIndex}` });
  }
  for (const c of [main.source, main.target]) {
    await putPolicy(c, HOT, "hot only");
    await putPolicy(c, WARM, "warm only");
  }
  // One name, two policies: the target's was edited after prepare copied it.
  await putPolicy(main.source, COLD, "keep 30 days");
  await putPolicy(main.target, COLD, "keep 7 days");
});

after(async () => {
  for (const c of [main.source, main.target]) {
    await dropAll(c, `${P}-*`);
    for (const id of [HOT, WARM, COLD])
      await c.request({ method: "DELETE", path: `/_plugins/_ism/policies/${id}`, allowStatus: [404] });
  }
  await main.close();
  await legacy.close();
});

test("no index managed on either side passes and says so", async () => {
  const check = await checkIsm(main.source, main.target, pairs);
  assert.equal(check.passed, true, check.summary);
  assert.equal(check.kind, "ism");
  assert.equal(check.summary, "no selected index is managed by ISM on either side");
  assert.equal(check.ism, undefined);
});

test("another policy, an edited policy, a source-only policy the target holds otherwise: each named, renames applied; a source-only policy the target holds alike waits for cutover", async () => {
  await attach(main.source, A.index, HOT);
  await attach(main.source, E.index, COLD);
  await attach(main.source, B.index, WARM);
  await attach(main.target, B.targetIndex, HOT);
  await attach(main.source, C.index, COLD);
  await attach(main.target, C.targetIndex, COLD);
  await attach(main.target, D.targetIndex, WARM);
  const check = await checkIsm(main.source, main.target, pairs);
  assert.equal(check.passed, false);
  assert.deepEqual(
    check.ism?.find((m) => m.index === A.index),
    {
      ...A,
      source: HOT,
      passed: true,
      detail: `${A.index} (${A.targetIndex} on the target) is managed by policy ${HOT} on the source, by none on the target; cutover attaches it`,
    },
  );
  const rows = [
    [
      E,
      COLD,
      undefined,
      `${E.index} (${E.targetIndex} on the target) is managed by policy ${COLD} on the source, by none on the target`,
    ],
    [
      B,
      WARM,
      HOT,
      `${B.index} (${B.targetIndex} on the target) is managed by policy ${WARM} on the source, by policy ${HOT} on the target`,
    ],
    [
      C,
      COLD,
      COLD,
      `${C.index} (${C.targetIndex} on the target) is managed by policy ${COLD} on both sides, but the policy differs (see metadata)`,
    ],
    [
      D,
      undefined,
      WARM,
      `${D.index} (${D.targetIndex} on the target) is managed by none on the source, by policy ${WARM} on the target`,
    ],
  ] as const;
  for (const [pair, source, target, detail] of rows) {
    const found: unknown = check.ism?.find((m) => m.index === pair.index);
    assert.deepEqual(found, {
      ...pair,
      ...(source === undefined ? {} : { source }),
      ...(target === undefined ? {} : { target }),
      passed: false,
      detail,
    });
    assert.ok(check.items?.includes(detail), `${detail} in ${check.items?.join("\n")}`);
  }
  assert.match(check.summary, /^4 of 5 managed index\(es\) differ: /);
});

test("the same policy on both sides passes", async () => {
  await attach(main.target, A.targetIndex, HOT);
  await detach(main.target, B.targetIndex);
  await attach(main.target, B.targetIndex, WARM);
  await putPolicy(main.target, COLD, "keep 30 days");
  await detach(main.target, D.targetIndex);
  const check = await checkIsm(main.source, main.target, pairs);
  assert.equal(check.passed, true, check.items?.join("\n"));
  assert.equal(
    check.summary,
    "3 index(es) managed alike by 3 policy(ies) on both sides; 1 index(es) get their source's policy at cutover",
  );
  assert.deepEqual(
    check.ism?.map((m) => m.detail),
    [
      `${A.index} (${A.targetIndex} on the target) is managed by policy ${HOT} on both sides`,
      `${B.index} (${B.targetIndex} on the target) is managed by policy ${WARM} on both sides`,
      `${C.index} (${C.targetIndex} on the target) is managed by policy ${COLD} on both sides`,
      `${E.index} (${E.targetIndex} on the target) is managed by policy ${COLD} on the source, by none on the target; cutover attaches it`,
    ],
  );
});

test("hundreds of long index names are asked in several explain requests", async () => {
  // 300 names of 200 characters: one request line would be 60 KB, far beyond OpenSearch's 4 KB.
  const absent = Array.from({ length: 300 }, (_, i) => {
    const index = `${P}-absent-${String(i).padStart(3, "0")}-${"x".repeat(180)}`;
    return { index, targetIndex: index };
  });
  const check = await checkIsm(main.source, main.target, [...absent, ...pairs]);
  assert.equal(check.passed, true, check.items?.join("\n"));
  assert.deepEqual(
    check.ism?.map((m) => m.index),
    [A.index, B.index, C.index, E.index],
  );
});

test("bluegreen validate: a source-only policy passes (cutover attaches it), another policy on the target is named", async () => {
  const index = `${P}-v`;
  await seed(main.source, index, 10, { shards: 1 });
  const { dir, file } = migrationFile(index, sandbox, index);
  for (const step of [
    ["prepare", "--apply"],
    ["backfill", "--method", "stream"],
  ]) {
    const run = bluegreen([...step, "-c", file], dir);
    assert.equal(run.code, 0, run.stderr);
  }
  await attach(main.source, index, HOT);
  const ism = (run: { stdout: string }) =>
    (JSON.parse(run.stdout) as ValidationReport).checks.find((c) => c.kind === "ism");
  const pending = bluegreen(["validate", "-c", file, "--json"], dir);
  assert.equal(pending.code, 0, pending.stderr);
  assert.equal(ism(pending)?.summary, "1 index(es) get their source's policy at cutover");
  await attach(main.target, index, WARM);
  const red = bluegreen(["validate", "-c", file, "--json"], dir);
  assert.equal(red.code, 1, red.stderr);
  assert.match(red.stderr, /BG_VALIDATE_FAILED/);
  assert.deepEqual(ism(red)?.items, [
    `${index} is managed by policy ${HOT} on the source, by policy ${WARM} on the target`,
  ]);
  await detach(main.target, index);
  await attach(main.target, index, HOT);
  const green = bluegreen(["validate", "-c", file, "--json"], dir);
  assert.equal(green.code, 0, green.stderr);
  assert.equal(ism(green)?.summary, `1 index(es) managed alike by 1 policy(ies) on both sides`);
});

test("cutover attaches the source's policy to each unmanaged target index, once", async () => {
  const index = `${P}-cut`;
  await main.source.request({ method: "PUT", path: `/${index}` });
  await main.target.request({ method: "PUT", path: `/${index}` });
  await attach(main.source, index, HOT);
  assert.deepEqual(await attachIsmPolicies(main.source, main.target, [index, `${P}-nope`]), {
    [HOT]: [index],
  });
  for (let i = 0; i < 100 && !(await explainPolicies(main.target, [index])).has(index); i++)
    await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await explainPolicies(main.target, [index])).get(index), HOT);
  // A resumed cutover runs it again: nothing left to attach.
  assert.deepEqual(await attachIsmPolicies(main.source, main.target, [index]), {});
  const check = await checkIsm(main.source, main.target, [{ index, targetIndex: index }]);
  assert.equal(check.summary, "1 index(es) managed alike by 1 policy(ies) on both sides");
});

test("a source without the ISM plugin: not applicable, with the reason", async () => {
  const index = `${P}-legacy`;
  await legacy.source.request({ method: "PUT", path: `/${index}` });
  await legacy.target.request({ method: "PUT", path: `/${index}` });
  try {
    const check = await checkIsm(legacy.source, legacy.target, [{ index, targetIndex: index }]);
    assert.equal(check.passed, true);
    assert.equal(
      check.notApplicable,
      "the source has no Index State Management plugin (opensearch-index-management), so no index is managed",
    );
    assert.equal(check.summary, `not applicable: ${check.notApplicable}`);
  } finally {
    await dropAll(legacy.source, `${P}-*`);
    await dropAll(legacy.target, `${P}-*`);
  }
});
