export { FileCaptureLog, openFileLog } from "./file/log.ts";
export type { CommitTiming, FileLogOptions, FileLogStats } from "./file/options.ts";
export { type CaptureLogOptions, openCaptureLog } from "./open.ts";
export {
  advance,
  type CaptureLog,
  type LogPosition,
  type LogRecord,
  lag,
  type StoredRecord,
} from "./types.ts";
