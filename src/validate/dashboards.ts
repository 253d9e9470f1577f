/**
 * The `dashboards` check: the saved objects OpenSearch Dashboards (or Kibana) keeps in `.kibana*` /
 * `.opensearch_dashboards*` — dashboards, visualizations, index patterns, saved searches, advanced
 * settings — compared object by object. These indices are hidden system indices a migration's
 * selection usually leaves out, so after a clean data copy the users' dashboards can still be missing.
 *
 * Each object is a document `_id` "TYPE:ID" whose `_source` holds `type`, the attributes under the
 * type's name (`dashboard: { title, panelsJSON, … }`) and `references`. Objects pair by `_id`; their
 * content is the canonical text of attributes and references (`updated_at` and `migrationVersion`
 * are left out: Dashboards rewrites them when it starts on a new version, without changing what users see).
 */
import { createHash } from "node:crypto";
import type { Requester } from "../cluster/index.ts";
import { canonicalJson, isRawJson, losslessParse } from "../json/index.ts";
import { scrollHits } from "./digest.ts";
import type { Check, SavedObjectDifference } from "./report.ts";

const PATTERNS = [".kibana*", ".opensearch_dashboards*"];
/** Runtime state, not saved objects: Kibana's task manager and event log live beside them. */
const NOT_SAVED_OBJECTS = /task_manager|event[-_]log/;
/** Differences listed in the report; `differences` counts all of them. */
const LIST_MAX = 100;
const LINES_MAX = 20;

interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly title?: string;
  readonly digest: string;
}

/** Saved objects index name (alias or unversioned name) → its objects by `_id`. */
type Objects = Map<string, Map<string, SavedObject>>;

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (isRawJson(value)) {
    const parsed: unknown = JSON.parse(value.rawJSON);
    return typeof parsed === "string" ? parsed : value.rawJSON;
  }
  return undefined;
}

function savedObject(id: string, source: string | undefined): SavedObject {
  const doc = (source === undefined ? {} : losslessParse(source)) as Record<string, unknown>;
  const type = text(doc.type) ?? "(no type)";
  const attributes = doc[type];
  const title =
    typeof attributes === "object" && attributes !== null
      ? text((attributes as Record<string, unknown>).title)
      : undefined;
  const digest = createHash("sha256")
    .update(canonicalJson({ attributes: attributes ?? null, references: doc.references ?? [] }))
    .digest("hex");
  return {
    type,
    id: id.startsWith(`${type}:`) ? id.slice(type.length + 1) : id,
    ...(title === undefined ? {} : { title }),
    digest,
  };
}

/**
 * The saved objects indices of a cluster by the name Dashboards uses: the alias (`.kibana` →
 * `.kibana_2`) or, unaliased, the name without its migration suffix, the highest suffix winning
 * (older copies stay behind after a Dashboards migration and are not what it reads).
 */
async function savedObjectIndices(cluster: Requester, signal?: AbortSignal): Promise<Map<string, string>> {
  const opts = signal === undefined ? {} : { signal };
  const answer = await cluster.request<Record<string, { aliases?: Record<string, unknown> }>>({
    method: "GET",
    path: `/${PATTERNS.map(encodeURIComponent).join(",")}/_alias`,
    querystring: { expand_wildcards: "all" },
    allowStatus: [404],
    ...opts,
  });
  const chosen = new Map<string, string>();
  const suffix = (name: string) => Number(/_(\d+)$/.exec(name)?.[1] ?? -1);
  const aliased = new Set<string>();
  const names = answer.status === 404 ? [] : Object.keys(answer.body).sort();
  for (const index of names) {
    if (NOT_SAVED_OBJECTS.test(index)) continue;
    for (const alias of Object.keys(answer.body[index]?.aliases ?? {})) {
      if (NOT_SAVED_OBJECTS.test(alias)) continue;
      chosen.set(alias, index);
      aliased.add(alias);
    }
  }
  for (const index of names) {
    if (NOT_SAVED_OBJECTS.test(index)) continue;
    const base = index.replace(/_\d+$/, "");
    if (aliased.has(base)) continue;
    const current = chosen.get(base);
    if (current === undefined || suffix(index) > suffix(current)) chosen.set(base, index);
  }
  return chosen;
}

async function readObjects(cluster: Requester, index: string, signal?: AbortSignal) {
  const objects = new Map<string, SavedObject>();
  await scrollHits(
    cluster,
    index,
    (hits) => {
      for (const hit of hits) objects.set(hit._id, savedObject(hit._id, hit.source));
    },
    signal === undefined ? {} : { signal },
  );
  return objects;
}

async function readAll(cluster: Requester, signal?: AbortSignal): Promise<Objects> {
  const out: Objects = new Map();
  for (const [name, index] of await savedObjectIndices(cluster, signal))
    out.set(name, await readObjects(cluster, index, signal));
  return out;
}

function diff(source: Objects, target: Objects): { compared: number; differences: SavedObjectDifference[] } {
  const differences: SavedObjectDifference[] = [];
  let compared = 0;
  const add = (index: string, o: SavedObject, kind: SavedObjectDifference["kind"]) =>
    differences.push({
      index,
      type: o.type,
      id: o.id,
      ...(o.title === undefined ? {} : { title: o.title }),
      kind,
    });
  for (const name of [...new Set([...source.keys(), ...target.keys()])].sort()) {
    const s = source.get(name) ?? new Map<string, SavedObject>();
    const t = target.get(name) ?? new Map<string, SavedObject>();
    for (const [key, o] of s) {
      compared++;
      const other = t.get(key);
      if (other === undefined) add(name, o, "missing");
      else if (other.digest !== o.digest) add(name, o, "changed");
    }
    for (const [key, o] of t) if (!s.has(key)) add(name, o, "extra");
  }
  // Scroll order is the shards' order: sorted, the report reads the same on every run.
  differences.sort(
    (a, b) => a.index.localeCompare(b.index) || a.type.localeCompare(b.type) || a.id.localeCompare(b.id),
  );
  return { compared, differences };
}

const WHAT: Readonly<Record<SavedObjectDifference["kind"], string>> = {
  missing: "missing on target",
  extra: "extra on target",
  changed: "changed on target",
};

function object(d: SavedObjectDifference): string {
  const title = d.title === undefined ? "" : ` "${d.title}"`;
  return `${d.type}${title} (id ${d.id}) ${WHAT[d.kind]}`;
}

const line = (d: SavedObjectDifference): string => `${d.index}: ${object(d)}`;

function count(objects: Objects): number {
  let n = 0;
  for (const m of objects.values()) n += m.size;
  return n;
}

export async function checkDashboards(
  source: Requester,
  target: Requester,
  signal?: AbortSignal,
): Promise<Check> {
  const started = performance.now();
  const [s, t] = await Promise.all([readAll(source, signal), readAll(target, signal)]);
  const seconds = () => (performance.now() - started) / 1000;
  const base = { index: "*", targetIndex: "*", kind: "dashboards" as const };
  if (s.size === 0 && t.size === 0) {
    const reason = "neither cluster has a .kibana* or .opensearch_dashboards* saved objects index";
    return {
      ...base,
      passed: true,
      summary: `not applicable: ${reason}`,
      notApplicable: reason,
      seconds: seconds(),
    };
  }
  const { compared, differences } = diff(s, t);
  const names = [...s.keys()].sort().join(", ") || [...t.keys()].sort().join(", ");
  const passed = differences.length === 0;
  const tally = (kind: SavedObjectDifference["kind"]) => differences.filter((d) => d.kind === kind).length;
  const parts = (["missing", "extra", "changed"] as const)
    .map((k) => [tally(k), WHAT[k]] as const)
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n} ${what}`);
  return {
    ...base,
    passed,
    summary: passed
      ? `${compared} saved object(s) in ${names} equal on both sides`
      : `${differences.length} saved object(s) in ${names} differ (${parts.join(", ")}; ${count(s)} on the source, ${count(t)} on the target): ${differences
          .slice(0, 3)
          .map(object)
          .join("; ")}${differences.length > 3 ? "; …" : ""}`,
    compared,
    ...(passed
      ? {}
      : {
          differences: differences.length,
          savedObjects: differences.slice(0, LIST_MAX),
          items: differences.slice(0, LINES_MAX).map(line),
        }),
    seconds: seconds(),
  };
}
