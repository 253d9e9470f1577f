export { type Action, type ApplyResult, TargetWriter } from "./apply.ts";
export { type DeadLetter, writeDeadLetters } from "./dead-letter.ts";
export {
  holdReplay,
  markBackfillStart,
  type ReplayDirection,
  type ReplayHold,
  type ReplayWait,
  releaseReplay,
  replayHold,
  replayPosition,
  replayWait,
  waitKind,
} from "./hold.ts";
export { ReplayMetrics, serveMetrics } from "./metrics.ts";
export { liveReplayOwner, OWNER_BEAT_MS, type ReplayOwner, replayOwner } from "./owner.ts";
export { type ReplayOptions, type ReplayReport, type ReplayStatus, replay } from "./replayer.ts";
