/** The plan as people read it: terraform-plan style, one symbol per action, details indented below. */
import type { ClusterAbout, ItemAction, Plan, PlanItem } from "./types.ts";

const SYMBOL: Readonly<Record<ItemAction, string>> = {
  create: "+",
  update: "~",
  delete: "-",
  conflict: "!",
  unsupported: "?",
  identical: "=",
  extra: " ",
};

/** In the summary line; the first three stay first, scripts read them. */
const COUNTED: readonly ItemAction[] = [
  "create",
  "update",
  "conflict",
  "delete",
  "unsupported",
  "identical",
  "extra",
];

export function countActions(items: readonly PlanItem[]): Record<ItemAction, number> {
  const counts = Object.fromEntries(COUNTED.map((a) => [a, 0])) as Record<ItemAction, number>;
  for (const item of items) counts[item.action] += 1;
  return counts;
}

/** One item as the plan prints it: symbol, kind, name, then what differs and why, indented. */
export function renderItem(item: PlanItem): string {
  const tag = item.action === "create" || item.action === "update" ? "" : ` (${item.action})`;
  const lines = [`  ${SYMBOL[item.action]} ${item.kind} ${item.name}${tag}`];
  for (const part of item.diff?.split("; ") ?? []) lines.push(`      ${part}`);
  if (item.reason !== undefined) lines.push(`      ${item.action === "conflict" ? "=> " : ""}${item.reason}`);
  if (item.transforms !== undefined) lines.push(`      transforms: ${item.transforms.join(", ")}`);
  return lines.join("\n");
}

/** Objects only on the target are many on a shared cluster: one line per kind keeps them readable. */
function extras(items: readonly PlanItem[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const item of items) byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item.name]);
  if (byKind.size === 0) return [];
  const lines = ["Only on the target, left alone (--prune deletes them):"];
  for (const [kind, names] of byKind) lines.push(`    ${kind}: ${names.join(", ")}`);
  return lines;
}

export function renderPlan(plan: Pick<Plan, "blockers" | "items"> & Partial<Plan>): string {
  const counts = countActions(plan.items);
  const summary = COUNTED.map((a) => `${counts[a]} ${a === "extra" ? "only on target" : a}`).join(", ");
  const changes = plan.items.filter((i) => !["identical", "extra", "unsupported"].includes(i.action));
  const out: string[] = [];
  out.push(
    changes.length === 0 && plan.blockers.length === 0 ? `no changes: ${summary}` : `plan: ${summary}`,
  );
  if (plan.source !== undefined && plan.target !== undefined) {
    const side = (a: ClusterAbout) =>
      `${a.distribution} ${a.version} (${a.nodes} node(s), ${a.dataNodes} data; plugins: ${a.plugins.length === 0 ? "none" : a.plugins.join(", ")})`;
    out.push(`source ${side(plan.source)} -> target ${side(plan.target)}`);
  }
  if (plan.blockers.length > 0) {
    out.push("", "Blockers (apply refuses until they are resolved):");
    for (const b of plan.blockers) out.push(`  ! ${b.code}: ${b.message}`, `      fix: ${b.fix}`);
  }
  const listed = [...changes, ...plan.items.filter((i) => i.action === "unsupported")];
  if (listed.length > 0) out.push("", ...listed.map(renderItem));
  const settings = plan.clusterSettings ?? [];
  if (settings.length > 0) {
    out.push(
      "",
      "Persistent cluster settings that differ (reported only; set them on the target if they apply):",
    );
    const show = (v: unknown) => (v === undefined ? "(not set)" : JSON.stringify(v));
    for (const d of settings) out.push(`    ${d.key}: source ${show(d.source)}, target ${show(d.target)}`);
  }
  const only = extras(plan.items.filter((i) => i.action === "extra"));
  if (only.length > 0) out.push("", ...only);
  return out.join("\n");
}

/** What apply did, one block per item, without the plan's summary. */
export function renderApplied(items: readonly PlanItem[]): string {
  return items.map(renderItem).join("\n");
}
