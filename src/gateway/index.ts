export { callAdmin } from "./admin-client.ts";
export { BadWrite } from "./bad-write.ts";
export { answerValue, bodyValue } from "./body-value.ts";
export { classify, type DocOp, type RequestClass, typeSensitive } from "./classify.ts";
export { type BodyFormat, bodyFormat, bulkFormat, JSON_TYPE, SMILE_TYPE } from "./content-type.ts";
export { Gateway, type GatewayOptions, type SwitchResult } from "./gateway.ts";
export { GatewayMetrics } from "./metrics.ts";
export {
  GATEWAY_MODES,
  type GatewayMode,
  isGatewayMode,
  type ModeStore,
  parseMode,
  stateModeStore,
} from "./mode.ts";
export { gatewayMode } from "./mode-switch.ts";
export {
  type AppliedAt,
  type Body,
  type CaptureRecord,
  type DocRef,
  decodeRecord,
  encodeRecord,
  isSuccess,
  type OpRecord,
  type OutcomeRecord,
  type RequestRecord,
  type Side,
} from "./records.ts";
export {
  askGateway,
  describeAttempts,
  describeGateway,
  type GatewayAnswer,
  type RecordedGateway,
  reachableUrl,
  recordedGateways,
  unreachableOwnerError,
} from "./registry.ts";
export {
  captureLogEnd,
  describeLog,
  gatewayLogEnd,
  type Listen,
  openConfiguredLog,
  openReplayLog,
  parseListen,
  type RunningGateway,
  serveGateway,
} from "./serve.ts";
export type { ShadowHooks, ShadowSync } from "./shadow.ts";
export { type SearchComparer, SHADOW_KINDS, type ShadowKind } from "./shadow-compare.ts";
export type { ShadowMismatch, ShadowWindow } from "./shadow-window.ts";
export { SharedModeMember } from "./shared/member.ts";
export {
  type SharedModeStatus,
  type SharedSwitchResult,
  sharedModeStatus,
  switchSharedMode,
} from "./shared/switch.ts";
export {
  byQueryIndex,
  newDocumentId,
  type PreparedWrite,
  prepareWrite,
  renamePath,
} from "./write.ts";
