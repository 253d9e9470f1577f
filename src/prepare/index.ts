export { type ApplyOptions, apply } from "./apply.ts";
export { diffIndex, diffMappings, type IndexDiff } from "./diff.ts";
export {
  aboutCluster,
  emptyInventory,
  type InventoryOptions,
  type InventorySource,
  inventory,
} from "./inventory.ts";
export { normalizeIsmPolicy } from "./lifecycle.ts";
export { canonical, copyableSettings, isBuiltIn, sameJson } from "./normalize.ts";
export { blockers, clusterSettingsDiff, type PlanOptions, pending, plan } from "./plan.ts";
export { countActions, renderApplied, renderItem, renderPlan } from "./render.ts";
export { planJsonSchema, planOutputSchema } from "./schema.ts";
export {
  type ApplyContext,
  applyPrepare,
  assertApplicable,
  blockedError,
  type CompareOptions,
  type Comparison,
  ccrCreatesIndices,
  compare,
  conflictError,
  noMatchError,
  outstanding,
  prepareStep,
  prepareSummary,
  TUNING_CHECKPOINT,
  unmatchedPatterns,
  withClusters,
} from "./step.ts";
export { applyOverrides, restoreTuning, TUNED, type TunedSettings } from "./tuning.ts";
export {
  type ApplyResult,
  type Blocker,
  type ClusterAbout,
  type FlatSettings,
  type IndexMetadata,
  type Inventory,
  ITEM_ACTIONS,
  ITEM_KINDS,
  type ItemAction,
  type ItemKind,
  type Plan,
  type PlanItem,
  type SettingDiff,
} from "./types.ts";
