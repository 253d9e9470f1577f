export { type Action, type ApplyResult, TargetWriter } from "./apply.ts";
export { type DeadLetter, writeDeadLetters } from "./dead-letter.ts";
export { ReplayMetrics, serveMetrics } from "./metrics.ts";
export {
  holdReplay,
  markBackfillStart,
  type ReplayDirection,
  type ReplayHold,
  type ReplayOptions,
  type ReplayReport,
  releaseReplay,
  replay,
  replayHold,
  replayPosition,
} from "./replayer.ts";
