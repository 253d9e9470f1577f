export {
  allowlistKey,
  allowlistLine,
  checkAllowlist,
  matchesPattern,
  type NodeAllowlist,
  parseAllowlists,
  remoteHost,
  remoteHostPort,
} from "./allowlist.ts";
export { preflightRemoteReindex, sourceUrlFor } from "./preflight.ts";
export {
  boundaries,
  MAX_RANGES,
  type RangeFieldKind,
  type ReindexRange,
  rangeFields,
  rangesFor,
} from "./ranges.ts";
export {
  type RangeCheckpoint,
  type ReindexPlanCheckpoint,
  reindexRunner,
  rethrottleReindex,
} from "./runner.ts";
