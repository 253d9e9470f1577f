/** Compares a source and a target inventory into blockers and per-object actions. Pure. */
import { formatVersion, parseVersion, pathRefusal } from "../cluster/index.ts";
import { describeDiff, diffIndex } from "./diff.ts";
import { ismPluginItems } from "./lifecycle.ts";
import { sameJson } from "./normalize.ts";
import { isTuned, withoutTuned } from "./tuning.ts";
import type {
  Blocker,
  ClusterAbout,
  Inventory,
  ItemKind,
  JsonObject,
  Plan,
  PlanItem,
  SettingDiff,
} from "./types.ts";

export interface PlanOptions {
  /** Objects only on the target become `delete` items instead of `extra` ones. */
  readonly prune?: boolean;
  /** A target index still tuned for the backfill (refresh -1, 0 replicas) is not drift for those two. */
  readonly backfillTuning?: boolean;
}

type Bodies = Readonly<Record<string, JsonObject>>;

export const REINDEX_ADVICE =
  "these cannot change on an existing index: create a new index with the source definition and reindex " +
  "into it (or delete the target index and re-run prepare); prepare never recreates anything";

export const CLOSE_ADVICE =
  "static settings change only on a closed index: POST <index>/_close, PUT <index>/_settings with the " +
  "source values, POST <index>/_open (the index is unavailable meanwhile), then plan again; or reindex " +
  "into a new index; prepare never closes an index by itself";

const EXTRA_REASON = "only on the target; left alone (--prune deletes it)";

function extras(kind: ItemKind, names: Iterable<string>, options: PlanOptions): PlanItem[] {
  return [...names].map((name) =>
    options.prune === true
      ? { kind, name, action: "delete" }
      : { kind, name, action: "extra", reason: EXTRA_REASON },
  );
}

function targetOnly(source: Bodies | Readonly<Record<string, unknown>>, target: object): string[] {
  return Object.keys(target).filter((name) => !(name in source));
}

function compareBodies(
  kind: ItemKind,
  source: Bodies,
  target: Bodies,
  options: PlanOptions,
  transforms: Inventory["transforms"] = {},
): PlanItem[] {
  const items = Object.entries(source).map(([name, body]): PlanItem => {
    const applied = transforms[`${kind} ${name}`];
    const t = applied === undefined ? {} : { transforms: applied };
    const current = target[name];
    if (current === undefined) return { kind, name, action: "create", ...t };
    if (sameJson(body, current)) return { kind, name, action: "identical", ...t };
    // Templates, pipelines, scripts and security entities are replaced whole by a PUT: any difference is an update.
    return { kind, name, action: "update", diff: describeDiff(body, current), ...t };
  });
  return [...items, ...extras(kind, targetOnly(source, target), options)];
}

function indexItems(source: Inventory, target: Inventory, options: PlanOptions): PlanItem[] {
  const items = Object.entries(source.indices).map(([name, meta]): PlanItem => {
    const transforms = meta.transforms === undefined ? {} : { transforms: meta.transforms };
    if (meta.untranslatable !== undefined && meta.untranslatable.length > 0) {
      return {
        kind: "index",
        name,
        action: "unsupported",
        reason: meta.untranslatable.join("; "),
        ...transforms,
      };
    }
    const current = target.indices[name];
    if (current === undefined) return { kind: "index", name, action: "create", ...transforms };
    const tuned = options.backfillTuning === true && isTuned(current.settings);
    const diff = diffIndex(tuned ? withoutTuned(meta) : meta, current);
    if (diff.conflicts.length > 0) {
      return {
        kind: "index",
        name,
        action: "conflict",
        diff: [...diff.conflicts, ...diff.updates].join("; "),
        reason: diff.closedFixes ? CLOSE_ADVICE : REINDEX_ADVICE,
        ...transforms,
      };
    }
    if (diff.updates.length > 0)
      return { kind: "index", name, action: "update", diff: diff.updates.join("; "), ...transforms };
    return { kind: "index", name, action: "identical", ...transforms };
  });
  return [...items, ...extras("index", targetOnly(source.indices, target.indices), options)];
}

/** One item per (index, alias) pair: the same alias name may carry different filters per index. */
function aliasItems(source: Inventory, target: Inventory, options: PlanOptions): PlanItem[] {
  const items: PlanItem[] = [];
  for (const [index, meta] of Object.entries(source.indices)) {
    if (meta.untranslatable !== undefined && meta.untranslatable.length > 0) continue;
    const existing = target.indices[index]?.aliases ?? {};
    for (const [alias, body] of Object.entries(meta.aliases)) {
      const name = `${index}/${alias}`;
      const current = existing[alias];
      if (current === undefined) items.push({ kind: "alias", name, action: "create" });
      else if (sameJson(body, current)) items.push({ kind: "alias", name, action: "identical" });
      else items.push({ kind: "alias", name, action: "update", diff: describeDiff(body, current) });
    }
    const only = targetOnly(meta.aliases, existing).map((alias) => `${index}/${alias}`);
    items.push(...extras("alias", only, options));
  }
  return items;
}

function dataStreamItems(source: Inventory, target: Inventory, options: PlanOptions): PlanItem[] {
  const items = Object.entries(source.dataStreams).map(([name, body]): PlanItem => {
    const current = target.dataStreams[name];
    if (current === undefined) return { kind: "data_stream", name, action: "create" };
    if (sameJson(body, current)) return { kind: "data_stream", name, action: "identical" };
    return {
      kind: "data_stream",
      name,
      action: "conflict",
      diff: describeDiff(body, current),
      reason: "a data stream's timestamp field is fixed at creation: roll the stream over into a new one",
    };
  });
  return [...items, ...extras("data_stream", targetOnly(source.dataStreams, target.dataStreams), options)];
}

const SECURITY_KINDS = [
  ["action_group", "actionGroups"],
  ["tenant", "tenants"],
  ["role", "roles"],
  ["internal_user", "internalUsers"],
  ["role_mapping", "roleMappings"],
] as const;

const HASH_ADVICE =
  "password hashes can only be read from the security index with the security admin certificate: set " +
  "source.tls.cert and source.tls.key to a certificate listed in plugins.security.authcz.admin_dn";

/** When the target's hashes are unknown, a user's password cannot be compared: the rest still is. */
function withoutHashes(users: Bodies): Bodies {
  const out: Record<string, JsonObject> = {};
  for (const [name, { hash: _h, ...rest }] of Object.entries(users)) out[name] = rest;
  return out;
}

function securityItems(source: Inventory, target: Inventory, options: PlanOptions): PlanItem[] {
  if (!source.about.security) return [];
  if (!target.about.security) {
    const reason = "the security plugin (opensearch-security) is missing on the target";
    return SECURITY_KINDS.flatMap(([kind, field]) =>
      Object.keys(source[field]).map((name): PlanItem => ({ kind, name, action: "unsupported", reason })),
    );
  }
  return SECURITY_KINDS.flatMap(([kind, field]) => {
    if (kind !== "internal_user") return compareBodies(kind, source[field], target[field], options);
    if (!source.userHashes) {
      const users = Object.keys(source.internalUsers).map(
        (name): PlanItem => ({ kind, name, action: "unsupported", reason: HASH_ADVICE }),
      );
      return [...users, ...extras(kind, targetOnly(source.internalUsers, target.internalUsers), options)];
    }
    if (target.userHashes) return compareBodies(kind, source.internalUsers, target.internalUsers, options);
    // Compared without the hash; apply still sends it.
    return compareBodies(
      kind,
      withoutHashes(source.internalUsers),
      withoutHashes(target.internalUsers),
      options,
    );
  });
}

function ismItems(source: Inventory, target: Inventory, options: PlanOptions): PlanItem[] {
  return (
    ismPluginItems(source, target) ??
    compareBodies("ism_policy", source.ismPolicies, target.ismPolicies, options)
  );
}

/** What stops `--apply` before it touches anything: the target cannot take what the source has. */
export function blockers(source: ClusterAbout, target: ClusterAbout): Blocker[] {
  const out: Blocker[] = [];
  // The path itself is the compatibility matrix's call, shared with preflight and the backfill planner.
  const path = pathRefusal(
    { distribution: source.distribution, version: parseVersion(source.version) },
    { distribution: target.distribution, version: parseVersion(target.version) },
  );
  if (path?.rule === "target-not-opensearch") {
    out.push({
      code: "distribution",
      message: `The target is ${target.distribution} ${target.version}; bluegreen upgrades to OpenSearch only.`,
      fix: "Point target.url at an OpenSearch cluster.",
    });
  }
  if (path?.rule === "target-older-than-source") {
    out.push({
      code: "target_older",
      message: `The target (${target.distribution} ${formatVersion(parseVersion(target.version))}) is older than the source (${source.distribution} ${source.version}): it cannot read what the source wrote.`,
      fix: "Upgrade the target to the source's version or newer; blue-green only goes forward.",
    });
  }
  for (const plugin of source.plugins.filter((p) => !target.plugins.includes(p))) {
    out.push({
      code: "plugin_missing",
      message: `Plugin ${plugin} is installed on the source but missing on the target.`,
      fix: `Install ${plugin} on every target node (bin/opensearch-plugin install ${plugin}) and restart them.`,
    });
  }
  return out;
}

/** Persistent cluster settings set differently on the two sides, sorted by key. */
export function clusterSettingsDiff(source: Inventory, target: Inventory): SettingDiff[] {
  const keys = new Set([...Object.keys(source.clusterSettings), ...Object.keys(target.clusterSettings)]);
  return [...keys]
    .sort()
    .filter((key) => !sameJson(source.clusterSettings[key], target.clusterSettings[key]))
    .map((key) => {
      const s = source.clusterSettings[key];
      const t = target.clusterSettings[key];
      return { key, ...(s === undefined ? {} : { source: s }), ...(t === undefined ? {} : { target: t }) };
    });
}

/**
 * Every source object, in dependency order, with what apply would do to the target; then what the
 * source has that cannot be copied (`unsupported`), and what only the target has (`extra`/`delete`).
 */
export function plan(source: Inventory, target: Inventory, options: PlanOptions = {}): Plan {
  const items: PlanItem[] = [
    ...compareBodies(
      "component_template",
      source.componentTemplates,
      target.componentTemplates,
      options,
      source.transforms,
    ),
    ...compareBodies(
      "index_template",
      source.indexTemplates,
      target.indexTemplates,
      options,
      source.transforms,
    ),
    ...compareBodies(
      "legacy_template",
      source.legacyTemplates,
      target.legacyTemplates,
      options,
      source.transforms,
    ),
    ...compareBodies("pipeline", source.pipelines, target.pipelines, options),
    ...compareBodies("script", source.scripts, target.scripts, options),
    ...indexItems(source, target, options),
    ...aliasItems(source, target, options),
    ...dataStreamItems(source, target, options),
    ...ismItems(source, target, options),
    ...securityItems(source, target, options),
    ...source.untranslatable.map((u): PlanItem => ({ ...u, action: "unsupported" })),
  ];
  return {
    source: source.about,
    target: target.about,
    blockers: blockers(source.about, target.about),
    clusterSettings: clusterSettingsDiff(source, target),
    items,
  };
}

/** The items apply would touch (create/update/delete), and the conflicts it would leave alone. */
export function pending(items: readonly PlanItem[]): { changes: PlanItem[]; conflicts: PlanItem[] } {
  return {
    changes: items.filter((i) => i.action === "create" || i.action === "update" || i.action === "delete"),
    conflicts: items.filter((i) => i.action === "conflict"),
  };
}
