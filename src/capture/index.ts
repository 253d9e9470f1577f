export { FileCaptureLog } from "./file/log.ts";
export { openFileLog } from "./file/open-log.ts";
export type { FileLogOptions, FileLogStats } from "./file/options.ts";
export { FileLogReader, type FileLogReaderOptions, openFileLogReader } from "./file/reader.ts";
export type { CommitTiming } from "./group-commit.ts";
export { closeKafkaClients, ensureTopic, kafkaClients, whileSettling } from "./kafka/client.ts";
export { KafkaCaptureLog, openKafkaLog } from "./kafka/log.ts";
export type { KafkaLogOptions } from "./kafka/options.ts";
export { type CaptureLogOptions, openCaptureLog } from "./open.ts";
export {
  advance,
  type CaptureLog,
  type LogPosition,
  type LogRecord,
  lag,
  type StoredRecord,
} from "./types.ts";
