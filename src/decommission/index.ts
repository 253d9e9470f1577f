export { REMOTE_CLUSTERS, type RemoteClusterRecord } from "./cluster-ops.ts";
export {
  type DecommissionOptions,
  type DecommissionResult,
  decommissionAllowed,
  humanDuration,
  runDecommission,
} from "./decommission.ts";
export {
  DECOMMISSION_PARTS,
  type DecommissionPart,
  type DecommissionRecord,
  decommissionRecord,
} from "./record.ts";
export {
  collectReport,
  defaultReportFiles,
  type ReportFiles,
  rollbackOptions,
  writeMigrationReport,
} from "./report-data.ts";
export { DECOMMISSION_APPROVAL, decommissionStep, decommissionSummary } from "./step.ts";
