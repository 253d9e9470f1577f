/** Security and ISM inventory normalization and planning, the text renderer and the JSON schema file. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { emptyInventory, type Inventory, plan, renderPlan } from "../../src/prepare/index.ts";
import { ilmUntranslatable, ismPolicies, normalizeIsmPolicy } from "../../src/prepare/lifecycle.ts";
import { planJsonSchemaText } from "../../src/prepare/schema.ts";
import { parseHashes, securityEntities } from "../../src/prepare/security.ts";

const HASH = "$2y$12$abcdefghijklmnopqrstuv";

describe("security entities", () => {
  it("reserved, hidden and static entities are left out; empty values and bookkeeping are dropped", () => {
    const roles = securityEntities("role", {
      all_access: { reserved: true, cluster_permissions: ["*"] },
      kibana_internal: { hidden: true },
      own_index: { static: true },
      reader: {
        reserved: false,
        hidden: false,
        static: false,
        description: "",
        cluster_permissions: ["cluster_monitor"],
        index_permissions: [
          { index_patterns: ["logs-*"], fls: [], masked_fields: [], allowed_actions: ["read"] },
        ],
        tenant_permissions: [],
      },
    });
    assert.deepEqual(roles, {
      reader: {
        cluster_permissions: ["cluster_monitor"],
        index_permissions: [{ allowed_actions: ["read"], index_patterns: ["logs-*"] }],
      },
    });
  });

  it("the blank hash of the REST API is replaced by the one from the security index", () => {
    const doc = {
      found: true,
      _source: {
        internalusers: Buffer.from(
          JSON.stringify({ _meta: { type: "internalusers" }, alice: { hash: HASH }, admin: { hash: "x" } }),
        ).toString("base64"),
      },
    };
    const hashes = parseHashes(doc);
    assert.deepEqual(hashes, { alice: HASH, admin: "x" });
    const users = securityEntities(
      "internal_user",
      {
        admin: { reserved: true, hash: "" },
        alice: { hash: "", backend_roles: ["analyst"], attributes: {}, opendistro_security_roles: [] },
        bob: { hash: "" },
      },
      hashes,
    );
    assert.deepEqual(users, { alice: { hash: HASH, backend_roles: ["analyst"] }, bob: {} });
    assert.equal(parseHashes({ found: false }), undefined, "without the admin certificate: unknown");
  });

  const withSecurity = (patch: Partial<Inventory>): Inventory => ({
    ...emptyInventory({ security: true }),
    ...patch,
  });

  it("users without readable hashes are unsupported with the certificate advice", () => {
    const source = withSecurity({ internalUsers: { alice: { backend_roles: ["a"] } }, roles: { r: {} } });
    const items = plan(source, withSecurity({})).items.filter(
      (i) => i.kind === "internal_user" || i.kind === "role",
    );
    assert.deepEqual(
      items.map((i) => `${i.action} ${i.kind} ${i.name}`),
      ["create role r", "unsupported internal_user alice"],
    );
    assert.match(items[1]?.reason ?? "", /admin certificate: set source\.tls\.cert and source\.tls\.key/);
  });

  it("when only the source's hashes are known, users compare without them", () => {
    const source = withSecurity({
      userHashes: true,
      internalUsers: { alice: { hash: HASH, backend_roles: ["a"] } },
    });
    const target = withSecurity({ internalUsers: { alice: { backend_roles: ["a"] } } });
    const item = plan(source, target).items.find((i) => i.kind === "internal_user");
    assert.equal(item?.action, "identical");
  });

  it("security on the source only: every entity is unsupported, naming the missing plugin", () => {
    const source = withSecurity({ roles: { r: {} }, tenants: { t: {} } });
    const items = plan(source, emptyInventory()).items.filter(
      (i) => i.action === "unsupported" && i.kind !== "ism_policy",
    );
    assert.deepEqual(
      items.map((i) => `${i.kind} ${i.name}: ${i.reason}`),
      [
        "tenant t: the security plugin (opensearch-security) is missing on the target",
        "role r: the security plugin (opensearch-security) is missing on the target",
      ],
    );
  });
});

describe("ISM and ILM", () => {
  const stored = {
    policy_id: "hot-warm",
    description: "d",
    last_updated_time: 1700000000000,
    schema_version: 19,
    error_notification: null,
    default_state: "hot",
    states: [{ name: "hot", actions: [{ rollover: { min_size: "1gb" } }], transitions: [] }],
    ism_template: [{ index_patterns: ["logs-*"], priority: 1, last_updated_time: 1700000000000 }],
  };

  it("normalization strips what the cluster stamps on a policy", () => {
    assert.deepEqual(normalizeIsmPolicy(stored), {
      description: "d",
      default_state: "hot",
      states: [{ name: "hot", actions: [{ rollover: { min_size: "1gb" } }], transitions: [] }],
      ism_template: [{ index_patterns: ["logs-*"], priority: 1 }],
    });
    const again = ismPolicies({
      policies: [{ _id: "hot-warm", _seq_no: 3, _primary_term: 1, policy: stored }],
    });
    assert.deepEqual(Object.keys(again), ["hot-warm"]);
  });

  const ism = (on: boolean, policies: Inventory["ismPolicies"] = {}): Inventory => ({
    ...emptyInventory({ ism: on }),
    ismPolicies: policies,
  });
  const policy = normalizeIsmPolicy(stored);
  const rows = [
    {
      name: "plugin missing on the target: each source policy is unsupported",
      source: ism(true, { "hot-warm": policy }),
      target: ism(false),
      expect: ["unsupported hot-warm: .*missing on the target: this ISM policy cannot be created there"],
    },
    {
      name: "plugin missing on the source: the kind is unsupported",
      source: ism(false),
      target: ism(true),
      expect: [
        "unsupported \\*: .*\\(opensearch-index-management\\) is missing on the source: ISM policies cannot be listed",
      ],
    },
    {
      name: "plugin missing on both",
      source: ism(false),
      target: ism(false),
      expect: ["unsupported \\*: .*missing on the source and the target"],
    },
    {
      name: "plugin on both: policies are created, updated or identical",
      source: ism(true, { a: policy, b: policy }),
      target: ism(true, { b: policy, c: policy }),
      expect: ["create a$", "identical b$", "extra c: only on the target"],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const items = plan(row.source, row.target).items.filter((i) => i.kind === "ism_policy");
      assert.equal(items.length, row.expect.length, JSON.stringify(items));
      for (const [i, item] of items.entries()) {
        const line = `${item.action} ${item.name}${item.reason ? `: ${item.reason}` : ""}`;
        assert.match(line, new RegExp(`^${row.expect[i]}`));
      }
    });
  }

  it("ES ILM policies are reported as not translatable; managed ones are skipped", () => {
    const found = ilmUntranslatable({
      "logs-30d": { policy: { phases: {} } },
      "ilm-history-ilm-policy": { policy: {} },
      "7-days-default": { policy: { _meta: { managed: true } } },
    });
    assert.deepEqual(
      found.map((u) => `${u.kind} ${u.name}`),
      ["ism_policy logs-30d"],
    );
    assert.match(found[0]?.reason ?? "", /ILM policy has no automatic translation to an ISM policy/);
    const source: Inventory = {
      ...emptyInventory({ distribution: "elasticsearch", version: "7.10.2" }),
      untranslatable: found,
    };
    const items = plan(source, emptyInventory({ ism: true })).items.filter((i) => i.kind === "ism_policy");
    assert.deepEqual(
      items.map((i) => `${i.action} ${i.name}`),
      ["unsupported logs-30d"],
    );
  });
});

describe("text plan and JSON schema", () => {
  it("renders blockers first, a symbol per action, and target-only objects on one line per kind", () => {
    const text = renderPlan({
      source: emptyInventory().about,
      target: emptyInventory().about,
      blockers: [{ code: "plugin_missing", message: "Plugin x is missing.", fix: "Install x." }],
      items: [
        { kind: "index", name: "a", action: "create", transforms: ["mapping-types-removed"] },
        { kind: "index", name: "b", action: "update", diff: "add field x; add field y" },
        {
          kind: "index",
          name: "c",
          action: "conflict",
          diff: "field f: type long on target, keyword on source",
          reason: "reindex",
        },
        { kind: "pipeline", name: "p", action: "identical" },
        { kind: "pipeline", name: "q", action: "extra", reason: "only on the target" },
        { kind: "pipeline", name: "r", action: "extra", reason: "only on the target" },
        { kind: "ism_policy", name: "*", action: "unsupported", reason: "plugin missing" },
      ],
    });
    assert.equal(
      text,
      [
        "plan: 1 create, 1 update, 1 conflict, 0 delete, 1 unsupported, 1 identical, 2 only on target",
        "source opensearch 2.19.4 (1 node(s), 1 data; plugins: none) -> target opensearch 2.19.4 (1 node(s), 1 data; plugins: none)",
        "",
        "Blockers (apply refuses until they are resolved):",
        "  ! plugin_missing: Plugin x is missing.",
        "      fix: Install x.",
        "",
        "  + index a",
        "      transforms: mapping-types-removed",
        "  ~ index b",
        "      add field x",
        "      add field y",
        "  ! index c (conflict)",
        "      field f: type long on target, keyword on source",
        "      => reindex",
        "  ? ism_policy * (unsupported)",
        "      plugin missing",
        "",
        "Only on the target, left alone (--prune deletes them):",
        "    pipeline: q, r",
      ].join("\n"),
    );
  });

  it("lists persistent cluster settings that differ, as reported-only", () => {
    const source: Inventory = {
      ...emptyInventory(),
      clusterSettings: { "cluster.max_shards_per_node": "1234", "search.max_buckets": "100" },
    };
    const target: Inventory = {
      ...emptyInventory(),
      clusterSettings: {
        "search.max_buckets": "100",
        "cluster.routing.allocation.awareness.attributes": "zone",
      },
    };
    const result = plan(source, target);
    assert.deepEqual(result.clusterSettings, [
      { key: "cluster.max_shards_per_node", source: "1234" },
      { key: "cluster.routing.allocation.awareness.attributes", target: "zone" },
    ]);
    assert.match(
      renderPlan(result),
      /cluster settings that differ \(reported only[^\n]*\n {4}cluster\.max_shards_per_node: source "1234", target \(not set\)\n {4}cluster\.routing\.allocation\.awareness\.attributes: source \(not set\), target "zone"/,
    );
  });

  it("says `no changes` when nothing would be created, updated, deleted or is in conflict", () => {
    const text = renderPlan({ blockers: [], items: [{ kind: "script", name: "s", action: "identical" }] });
    assert.match(text, /^no changes: 0 create, 0 update, 0 conflict, 0 delete, 0 unsupported, 1 identical/);
  });

  it("docs/prepare-plan.schema.json is what the schema generates (npm run schema:prepare)", () => {
    const committed = readFileSync(new URL("../../docs/prepare-plan.schema.json", import.meta.url), "utf8");
    assert.equal(committed, planJsonSchemaText());
  });
});
