import { BluegreenError } from "../errors/index.ts";
import type { FileCaptureLog } from "./file/log.ts";
import { openFileLog } from "./file/open-log.ts";
import type { FileLogOptions } from "./file/options.ts";
import { type KafkaCaptureLog, openKafkaLog } from "./kafka/log.ts";
import type { KafkaLogOptions } from "./kafka/options.ts";
import type { CaptureLog } from "./types.ts";

/** Options of one backend, told apart by `kind` (the same word as `CaptureLog.kind`). */
export type CaptureLogOptions =
  | ({ readonly kind: "file" } & FileLogOptions)
  | ({ readonly kind: "kafka" } & KafkaLogOptions);

export function openCaptureLog(
  options: CaptureLogOptions & { readonly kind: "file" },
): Promise<FileCaptureLog>;
export function openCaptureLog(
  options: CaptureLogOptions & { readonly kind: "kafka" },
): Promise<KafkaCaptureLog>;
export function openCaptureLog(options: CaptureLogOptions): Promise<CaptureLog>;
export function openCaptureLog(options: CaptureLogOptions): Promise<CaptureLog> {
  switch (options.kind) {
    case "file":
      return openFileLog(options);
    case "kafka":
      return openKafkaLog(options);
    default:
      return Promise.reject(
        new BluegreenError(
          "BG_CAPTURE_OPTIONS",
          `Unknown capture log kind ${JSON.stringify((options as { kind: unknown }).kind)}.`,
          { fix: 'Use kind "file" or "kafka".' },
        ),
      );
  }
}
