export {
  type CheckReport,
  type ClusterInventory,
  checkClusters,
  evaluate,
  type Finding,
  type IndexPlan,
  type IndexSummary,
} from "./inspect.ts";
export { preflightResult, preflightStep } from "./step.ts";
