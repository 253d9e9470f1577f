/** Shapes shared by inventory, plan and apply of the prepare step. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Flat settings (`index.analysis.analyzer.x.type`), every leaf a string or a string array. */
export type FlatSettings = Readonly<Record<string, string | readonly string[]>>;

export interface IndexMetadata {
  /** Only the settings that may be copied (see `copyableSettings`), flat. */
  readonly settings: FlatSettings;
  readonly mappings: JsonObject;
  /** Alias name → normalized alias body (filter, routing, write/hidden flags). */
  readonly aliases: Readonly<Record<string, JsonObject>>;
}

/**
 * Everything prepare reads from one cluster, already normalized so that the same definition on source
 * and target compares equal. Template and pipeline bodies are the exact bodies `apply` sends.
 */
export interface Inventory {
  readonly componentTemplates: Readonly<Record<string, JsonObject>>;
  readonly indexTemplates: Readonly<Record<string, JsonObject>>;
  readonly legacyTemplates: Readonly<Record<string, JsonObject>>;
  readonly pipelines: Readonly<Record<string, JsonObject>>;
  readonly scripts: Readonly<Record<string, JsonObject>>;
  readonly indices: Readonly<Record<string, IndexMetadata>>;
}

export const ITEM_KINDS = [
  "component_template",
  "index_template",
  "legacy_template",
  "pipeline",
  "script",
  "index",
  "alias",
] as const;
/** In dependency order: apply runs the kinds in this order. */
export type ItemKind = (typeof ITEM_KINDS)[number];

export type ItemAction = "create" | "update" | "identical" | "conflict";

export interface PlanItem {
  readonly kind: ItemKind;
  /** The object's name; for aliases `<index>/<alias>`, since one alias may span several indices. */
  readonly name: string;
  readonly action: ItemAction;
  /** Human-readable summary of what differs (update and conflict only). */
  readonly diff?: string;
  /** Why a conflict cannot be applied and what to do instead. */
  readonly reason?: string;
}

export interface ApplyResult {
  /** Items that were created or updated on the target. */
  readonly applied: readonly PlanItem[];
  /** Conflicts left alone: prepare never deletes or recreates anything on the target. */
  readonly skipped: readonly PlanItem[];
}
