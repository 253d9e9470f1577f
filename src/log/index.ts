import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Paths pino censors even if a caller hands it a raw object. `Secret` already redacts itself; this is
 * the second fence for plain strings (headers copied from a request, an options bag).
 */
const REDACT_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "secretAccessKey",
  "*.secretAccessKey",
  "sessionToken",
  "*.sessionToken",
  "key",
  "*.key",
];

export interface LogOptions {
  readonly level?: string;
  /** Where log lines go; stderr by default so stdout stays clean for `--json` output. */
  readonly destination?: pino.DestinationStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.BLUEGREEN_LOG_LEVEL ?? "warn";
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { app: "bluegreen" } },
    options.destination ?? pino.destination(2),
  );
}
