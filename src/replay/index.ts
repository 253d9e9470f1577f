export { type Action, type ApplyResult, TargetWriter } from "./apply.ts";
export { type DeadLetter, writeDeadLetters } from "./dead-letter.ts";
export { ReplayMetrics, serveMetrics } from "./metrics.ts";
export {
  markBackfillStart,
  type ReplayDirection,
  type ReplayOptions,
  type ReplayReport,
  replay,
  replayPosition,
} from "./replayer.ts";
