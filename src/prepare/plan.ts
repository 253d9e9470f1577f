/** Compares a source and a target inventory into the list of per-object actions. Pure. */
import { describeDiff, diffIndex } from "./diff.ts";
import { sameJson } from "./normalize.ts";
import type { Inventory, ItemKind, JsonObject, PlanItem } from "./types.ts";

const REINDEX_ADVICE =
  "cannot be changed on an existing index: create a new index with the source definition and reindex " +
  "into it (or delete the target index and re-run prepare); prepare never deletes anything";

function compareBodies(
  kind: ItemKind,
  source: Readonly<Record<string, JsonObject>>,
  target: Readonly<Record<string, JsonObject>>,
): PlanItem[] {
  return Object.entries(source).map(([name, body]): PlanItem => {
    const current = target[name];
    if (current === undefined) return { kind, name, action: "create" };
    if (sameJson(body, current)) return { kind, name, action: "identical" };
    // Templates, pipelines and scripts are replaced whole by a PUT, so any difference is an update.
    return { kind, name, action: "update", diff: describeDiff(body, current) };
  });
}

function indexItems(source: Inventory, target: Inventory): PlanItem[] {
  return Object.entries(source.indices).map(([name, meta]): PlanItem => {
    const current = target.indices[name];
    if (current === undefined) return { kind: "index", name, action: "create" };
    const diff = diffIndex(meta, current);
    if (diff.conflicts.length > 0) {
      return {
        kind: "index",
        name,
        action: "conflict",
        diff: [...diff.conflicts, ...diff.updates].join("; "),
        reason: `${diff.conflicts.join("; ")}: ${REINDEX_ADVICE}`,
      };
    }
    if (diff.updates.length > 0)
      return { kind: "index", name, action: "update", diff: diff.updates.join("; ") };
    return { kind: "index", name, action: "identical" };
  });
}

/** One item per (index, alias) pair: the same alias name may carry different filters per index. */
function aliasItems(source: Inventory, target: Inventory): PlanItem[] {
  const items: PlanItem[] = [];
  for (const [index, meta] of Object.entries(source.indices)) {
    for (const [alias, body] of Object.entries(meta.aliases)) {
      const name = `${index}/${alias}`;
      const current = target.indices[index]?.aliases[alias];
      if (current === undefined) items.push({ kind: "alias", name, action: "create" });
      else if (sameJson(body, current)) items.push({ kind: "alias", name, action: "identical" });
      else items.push({ kind: "alias", name, action: "update", diff: describeDiff(body, current) });
    }
  }
  return items;
}

/**
 * Every source object, in dependency order, with what apply would do to the target. Objects that exist
 * only on the target are not listed: prepare never deletes.
 */
export function plan(source: Inventory, target: Inventory): PlanItem[] {
  return [
    ...compareBodies("component_template", source.componentTemplates, target.componentTemplates),
    ...compareBodies("index_template", source.indexTemplates, target.indexTemplates),
    ...compareBodies("legacy_template", source.legacyTemplates, target.legacyTemplates),
    ...compareBodies("pipeline", source.pipelines, target.pipelines),
    ...compareBodies("script", source.scripts, target.scripts),
    ...indexItems(source, target),
    ...aliasItems(source, target),
  ];
}

/** The items apply would touch (create/update), and the conflicts it would leave alone. */
export function pending(items: readonly PlanItem[]): { changes: PlanItem[]; conflicts: PlanItem[] } {
  return {
    changes: items.filter((i) => i.action === "create" || i.action === "update"),
    conflicts: items.filter((i) => i.action === "conflict"),
  };
}
