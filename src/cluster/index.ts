export type { Capabilities, Capability, CapabilityInput } from "./capabilities.ts";
export { CAPABILITY_CHECKS, detectCapabilities } from "./capabilities.ts";
export type { ClusterInit, FactsOptions } from "./cluster.ts";
export { Cluster } from "./cluster.ts";
export type { ClusterVersion, CopyMethod, Refusal, Verdict } from "./compatibility.ts";
export {
  COPY_METHODS,
  decodeVersionId,
  describeVersion,
  lineageMajor,
  methodRefusal,
  methodVerdicts,
  pathRefusal,
  sentence,
} from "./compatibility.ts";
export type { ClusterOptions } from "./connection.ts";
export { createCluster } from "./connection.ts";
export {
  type DataStreamInfo,
  listDataStreams,
  parseDataStreams,
  type SelectionStep,
} from "./data-streams.ts";
export { displayUrl, serverReason, stripUserinfo } from "./errors.ts";
export type { ClusterFacts, ClusterHealth, HealthStatus, NodePlugins, RootInfo } from "./facts.ts";
export { parseRootInfo } from "./facts.ts";
export type { IndexInfo } from "./indices.ts";
export type { RetryPolicy } from "./retry.ts";
export { isIdempotent, sleep } from "./retry.ts";
export { guardSelection } from "./selection-guard.ts";
export type {
  ClusterRequest,
  ClusterResponse,
  Dispatch,
  HttpMethod,
  QueryValue,
  Requester,
  ResponseHeaders,
} from "./types.ts";
export type { Distribution, Version } from "./version.ts";
export { atLeast, compareVersions, formatVersion, parseVersion, tryParseVersion } from "./version.ts";
