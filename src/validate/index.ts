export { type SyncLag, settledReading, syncLag, waitCaughtUp } from "../sync/index.ts";
export { compareContent } from "./content.ts";
export { type FieldDifference, firstDifference } from "./content-diff.ts";
export { recheck } from "./content-docs.ts";
export type { ContentMode, ContentOptions, ContentResult, DocDifference, DocKey } from "./content-types.ts";
export { checkCounts } from "./counts.ts";
export { checkDashboards } from "./dashboards.ts";
export {
  addHash,
  compareDigests,
  type DigestComparison,
  type DigestOptions,
  digestHex,
  digestIndex,
  documentHash,
  type IndexDigest,
} from "./digest.ts";
export {
  type GateVerdict,
  gateError,
  lastValidation,
  readiness,
  recordForcedGate,
  recordValidation,
  startValidation,
  validateFailed,
} from "./gate.ts";
export { type HtmlReportMeta, renderHtml } from "./html.ts";
export { checkReportPath, reportMeta, writeReportFile } from "./html-file.ts";
export { checkIsm, explainPolicies } from "./ism.ts";
export { checkPermissions, defaultProbes, PROBE_ID } from "./permissions.ts";
export { compareQueries, type QueriesOptions } from "./queries.ts";
export { loadQueriesFile, type UserQuery } from "./queries-file.ts";
export { renderReport } from "./render.ts";
export {
  type Check,
  type CheckKind,
  orderChecks,
  reportJsonSchemaText,
  type ValidationReport,
  validationReportSchema,
} from "./report.ts";
export { runValidation, type ValidateMode, type ValidateOptions } from "./run.ts";
export { checkShadow, compareShadowSearch, shadowHooks } from "./shadow.ts";
export { validateStep } from "./step.ts";
