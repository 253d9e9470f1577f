export { type ApplyOptions, apply } from "./apply.ts";
export { diffIndex, diffMappings, type IndexDiff } from "./diff.ts";
export { emptyInventory, type InventoryOptions, inventory } from "./inventory.ts";
export { canonical, copyableSettings, isBuiltIn, sameJson } from "./normalize.ts";
export { pending, plan } from "./plan.ts";
export { type Comparison, compare, conflictError, prepareStep, withClusters } from "./step.ts";
export {
  type ApplyResult,
  type FlatSettings,
  type IndexMetadata,
  type Inventory,
  ITEM_KINDS,
  type ItemAction,
  type ItemKind,
  type PlanItem,
} from "./types.ts";
