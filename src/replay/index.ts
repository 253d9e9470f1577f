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
export { type ReplayOptions, type ReplayReport, type ReplayStatus, replay } from "./replayer.ts";
export { type SyncLag, settledReading, syncLag, waitCaughtUp } from "./sync-lag.ts";
