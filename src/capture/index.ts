export {
  advance,
  type CaptureLog,
  type LogPosition,
  type LogRecord,
  lag,
  type StoredRecord,
} from "./types.ts";
