import type { HealthStatus } from "./facts.ts";
import type { Requester } from "./types.ts";

export interface IndexInfo {
  readonly name: string;
  readonly uuid: string;
  /** Undefined for closed indices, which have no health. */
  readonly health: HealthStatus | undefined;
  readonly status: "open" | "close";
  readonly hidden: boolean;
  readonly primaries: number | undefined;
  readonly replicas: number | undefined;
  /**
   * Lucene documents in the primaries, as `_cat/indices` counts them: nested documents included, so
   * compare it with the same figure on the other cluster, not with `_count`. Undefined when closed.
   */
  readonly docsCount: number | undefined;
  /** Bytes on disk, replicas included; undefined when closed. */
  readonly storeSizeBytes: number | undefined;
  readonly primaryStoreSizeBytes: number | undefined;
}

/** The index expression in a path: each name encoded, so only `,` separates and `*` still expands. */
export function indexExpression(selection: string | readonly string[] | undefined): string {
  const parts = typeof selection === "string" ? selection.split(",") : (selection ?? []);
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => encodeURIComponent(part))
    .join(",");
}

function count(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value === "") return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function healthOf(value: unknown): HealthStatus | undefined {
  return value === "green" || value === "yellow" || value === "red" ? value : undefined;
}

/** Rows of `_cat/indices?format=json&bytes=b`, hidden flags taken from a separate settings lookup. */
export function parseCatIndices(rows: unknown, hidden: ReadonlySet<string>): IndexInfo[] {
  if (!Array.isArray(rows)) return [];
  return rows
    .map((row: Record<string, unknown>): IndexInfo => {
      const name = String(row.index ?? "");
      return {
        name,
        uuid: String(row.uuid ?? ""),
        health: healthOf(row.health),
        status: row.status === "close" ? "close" : "open",
        hidden: hidden.has(name),
        primaries: count(row.pri),
        replicas: count(row.rep),
        docsCount: count(row["docs.count"]),
        storeSizeBytes: count(row["store.size"]),
        primaryStoreSizeBytes: count(row["pri.store.size"]),
      };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Index names whose `index.hidden` setting is true, from `GET <indices>/_settings/index.hidden?flat_settings`. */
export function parseHiddenIndices(body: unknown): Set<string> {
  const hidden = new Set<string>();
  if (typeof body !== "object" || body === null) return hidden;
  for (const [name, value] of Object.entries(body)) {
    const settings = (value as { settings?: Record<string, unknown> } | null)?.settings;
    if (String(settings?.["index.hidden"]) === "true") hidden.add(name);
  }
  return hidden;
}

const CAT_COLUMNS = "health,status,index,uuid,pri,rep,docs.count,store.size,pri.store.size";

/**
 * Lists indices (hidden and closed ones included). `_cat/indices` has no hidden column, so the flag
 * comes from the `index.hidden` setting; clusters older than that setting report none as hidden.
 */
export async function listIndices(
  cluster: Requester,
  selection?: string | readonly string[],
): Promise<IndexInfo[]> {
  const expression = indexExpression(selection);
  const [cat, settings] = await Promise.all([
    cluster.request({
      method: "GET",
      path: expression === "" ? "/_cat/indices" : `/_cat/indices/${expression}`,
      querystring: { format: "json", expand_wildcards: "all", bytes: "b", h: CAT_COLUMNS },
    }),
    cluster.request({
      method: "GET",
      path: `/${expression === "" ? "_all" : expression}/_settings/index.hidden`,
      querystring: { expand_wildcards: "all", flat_settings: true },
    }),
  ]);
  return parseCatIndices(cat.body, parseHiddenIndices(settings.body));
}
