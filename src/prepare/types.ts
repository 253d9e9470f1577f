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
  /** Names of the version transforms that rewrote this index's definition (see transforms.ts). */
  readonly transforms?: readonly string[];
  /** What no transform can translate; a non-empty list makes the index `unsupported`. */
  readonly untranslatable?: readonly string[];
}

/** What the plan needs to know about a cluster beyond its objects. */
export interface ClusterAbout {
  readonly distribution: "opensearch" | "elasticsearch";
  /** "2.19.4" */
  readonly version: string;
  /** Plugins installed on every node. */
  readonly plugins: readonly string[];
  readonly nodes: number;
  readonly dataNodes: number;
  readonly security: boolean;
  readonly ism: boolean;
  readonly ilm: boolean;
}

/** An object the cluster has but prepare cannot read or translate; it becomes an `unsupported` item. */
export interface Untranslatable {
  readonly kind: ItemKind;
  readonly name: string;
  readonly reason: string;
}

/**
 * Everything prepare reads from one cluster, already normalized so that the same definition on source
 * and target compares equal. Bodies are the exact bodies `apply` sends.
 */
export interface Inventory {
  readonly about: ClusterAbout;
  /** Persistent cluster settings, flat; compared and reported, never copied. */
  readonly clusterSettings: FlatSettings;
  readonly componentTemplates: Readonly<Record<string, JsonObject>>;
  readonly indexTemplates: Readonly<Record<string, JsonObject>>;
  readonly legacyTemplates: Readonly<Record<string, JsonObject>>;
  /** `<kind> <name>` → version transforms applied to that template (indices carry their own). */
  readonly transforms: Readonly<Record<string, readonly string[]>>;
  readonly pipelines: Readonly<Record<string, JsonObject>>;
  readonly scripts: Readonly<Record<string, JsonObject>>;
  readonly indices: Readonly<Record<string, IndexMetadata>>;
  readonly dataStreams: Readonly<Record<string, JsonObject>>;
  readonly ismPolicies: Readonly<Record<string, JsonObject>>;
  readonly actionGroups: Readonly<Record<string, JsonObject>>;
  readonly tenants: Readonly<Record<string, JsonObject>>;
  readonly roles: Readonly<Record<string, JsonObject>>;
  /** Bodies carry `hash` only when `userHashes` is true. */
  readonly internalUsers: Readonly<Record<string, JsonObject>>;
  readonly roleMappings: Readonly<Record<string, JsonObject>>;
  /** Whether password hashes could be read (needs the security admin certificate). */
  readonly userHashes: boolean;
  readonly untranslatable: readonly Untranslatable[];
}

export const ITEM_KINDS = [
  "component_template",
  "index_template",
  "legacy_template",
  "pipeline",
  "script",
  "index",
  "alias",
  "data_stream",
  "ism_policy",
  "action_group",
  "tenant",
  "role",
  "internal_user",
  "role_mapping",
] as const;
/** In dependency order: apply creates in this order and deletes (`--prune`) in reverse. */
export type ItemKind = (typeof ITEM_KINDS)[number];

export const ITEM_ACTIONS = [
  "create",
  "update",
  "identical",
  "conflict",
  "unsupported",
  "delete",
  "extra",
] as const;
/**
 * `extra`: only on the target, left alone; with `--prune` such items are `delete` instead.
 * `unsupported`: cannot be read or translated; the reason says what and why.
 */
export type ItemAction = (typeof ITEM_ACTIONS)[number];

export interface PlanItem {
  readonly kind: ItemKind;
  /** The object's name; for aliases `<index>/<alias>`, since one alias may span several indices. */
  readonly name: string;
  readonly action: ItemAction;
  /** Human-readable summary of what differs (update and conflict only). */
  readonly diff?: string;
  /** Why a conflict or unsupported item cannot be applied and what to do instead. */
  readonly reason?: string;
  /** Version transforms applied to the source definition (e.g. `mapping-types-removed`). */
  readonly transforms?: readonly string[];
}

export const BLOCKER_CODES = ["target_older", "plugin_missing", "distribution"] as const;
export type BlockerCode = (typeof BLOCKER_CODES)[number];

/** Stops `--apply` before anything is touched. */
export interface Blocker {
  readonly code: BlockerCode;
  readonly message: string;
  readonly fix: string;
}

/** A persistent cluster setting that differs; undefined means "not set on that side". */
export interface SettingDiff {
  readonly key: string;
  readonly source?: string | readonly string[];
  readonly target?: string | readonly string[];
}

export interface Plan {
  readonly source: ClusterAbout;
  readonly target: ClusterAbout;
  readonly blockers: readonly Blocker[];
  /**
   * Persistent cluster settings that differ. Reported only: they are mostly about the cluster's own
   * hardware and topology (allocation, watermarks, remote clusters), so copying them would be wrong.
   */
  readonly clusterSettings: readonly SettingDiff[];
  readonly items: readonly PlanItem[];
}

export interface ApplyResult {
  /** Items that were created, updated or (with `--prune`) deleted on the target. */
  readonly applied: readonly PlanItem[];
  /** Conflicts left alone: prepare never recreates anything on the target. */
  readonly skipped: readonly PlanItem[];
  /** Indices created tuned for the backfill → the settings to restore afterwards (null: the default). */
  readonly tuned: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
}
