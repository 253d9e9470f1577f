import { BluegreenError } from "../../errors/index.ts";
import type { CommitTiming } from "../group-commit.ts";

export interface FileLogOptions {
  readonly dir: string;
  /** A segment is sealed and the next one started once it holds this many bytes. Default 64 MiB. */
  readonly segmentBytes?: number;
  /**
   * Default true: an append resolves only after fdatasync covered it, so it survives a power cut. false
   * still survives a crash of the process (the page cache keeps it), not of the machine: benchmarks only.
   */
  readonly fsync?: boolean;
  /** Bytes of already released segments to keep anyway (for a re-replay or an audit). Default 0. */
  readonly retention?: { readonly releasedBytes?: number };
  /** Largest encoded record accepted. Default 64 MiB. */
  readonly maxRecordBytes?: number;
  /** Called after every group commit, e.g. to feed a Prometheus histogram. */
  readonly onCommit?: (commit: CommitTiming) => void;
}

/** Counters of a file log since it was opened (plus where it starts and ends). */
export interface FileLogStats {
  readonly appendedRecords: number;
  readonly appendedBytes: number;
  /** Group commits: one write (and one fsync) each, covering one or more append calls. */
  readonly commits: number;
  readonly fsyncs: number;
  readonly fsyncSecondsTotal: number;
  readonly fsyncSecondsMax: number;
  /** Bytes of a torn tail cut off when the log was opened (a crash mid-write). */
  readonly recoveredBytes: number;
  readonly segments: number;
  readonly startOffset: number;
  readonly endOffset: number;
}

const MiB = 1024 * 1024;

export function normalizeFileOptions(options: FileLogOptions) {
  const bad = (field: string, value: unknown, rule: string): BluegreenError =>
    new BluegreenError(
      "BG_CAPTURE_OPTIONS",
      `File capture log option ${field} is ${String(value)}: ${rule}.`,
      {
        fix: `Set ${field} to ${rule}.`,
      },
    );
  if (typeof options.dir !== "string" || options.dir.trim() === "")
    throw bad("dir", options.dir, "a directory path");
  const positive = (field: string, value: number | undefined, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < min) throw bad(field, value, `an integer of at least ${min}`);
    return value;
  };
  return {
    dir: options.dir,
    segmentBytes: positive("segmentBytes", options.segmentBytes, 64 * MiB, 1024),
    fsync: options.fsync ?? true,
    retention: {
      releasedBytes: positive("retention.releasedBytes", options.retention?.releasedBytes, 0, 0),
    },
    maxRecordBytes: positive("maxRecordBytes", options.maxRecordBytes, 64 * MiB, 64),
    onCommit: options.onCommit,
  };
}
