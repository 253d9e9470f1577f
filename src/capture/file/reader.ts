import { resolve as resolvePath } from "node:path";
import { BluegreenError } from "../../errors/index.ts";
import type { CaptureLog, LogPosition, LogRecord, StoredRecord } from "../types.ts";
import { readEndMarker } from "./end-marker.ts";
import { MAGIC, readFrames } from "./format.ts";
import { corrupt, listSegments, openSegmentForRead, type Segment } from "./segments.ts";

export interface FileLogReaderOptions {
  readonly dir: string;
  /** How often a waiting read() looks for new records. Default 20 ms. */
  readonly pollMs?: number;
}

/**
 * Opens a file capture log read-only, without its single-writer lock, so `bluegreen replay` can run as
 * its own process next to the gateway that owns the log. It reads only up to the durable end the
 * writer publishes (see end-marker.ts), never a record still on its way to the disk.
 */
export async function openFileLogReader(options: FileLogReaderOptions): Promise<FileLogReader> {
  const dir = resolvePath(options.dir);
  if ((await readEndMarker(dir).catch(() => undefined)) === undefined)
    throw new BluegreenError(
      "BG_CAPTURE_OPTIONS",
      `Capture log ${dir} cannot be opened read-only: it has no published end (no writer of this version has opened it).`,
      {
        fix: "Start the gateway of this version on the log once (it publishes the end on open), or run replay inside it with `bluegreen gateway --replay`.",
        details: { dir },
      },
    );
  return new FileLogReader(dir, options.pollMs ?? 20);
}

export class FileLogReader implements CaptureLog {
  readonly kind = "file" as const;
  readonly dir: string;
  readonly #pollMs: number;
  #closed = false;
  /** Where the last read stopped (a frame boundary), so the next one does not rescan the segment. */
  #cursor: { base: number; offset: number; position: number } | undefined;

  constructor(dir: string, pollMs: number) {
    this.dir = dir;
    this.#pollMs = pollMs;
  }

  append(_records: readonly LogRecord[]): Promise<void> {
    return Promise.reject(
      new BluegreenError("BG_CAPTURE_OPTIONS", `Capture log ${this.dir} is open read-only here.`, {
        fix: "Appends go through the process that owns the log (the gateway).",
      }),
    );
  }

  async end(): Promise<LogPosition> {
    return { "0": await this.#end() };
  }

  /** Retention belongs to the writer: a reader deletes nothing. */
  async release(): Promise<void> {}

  async close(): Promise<void> {
    this.#closed = true;
  }

  async read(from: LogPosition, max: number, waitMs = 0): Promise<readonly StoredRecord[]> {
    if (this.#closed)
      throw new BluegreenError("BG_CAPTURE_CLOSED", `Capture log ${this.dir} is closed.`, {
        fix: "This is a bug in the caller: open the log again before using it.",
      });
    if (!Number.isSafeInteger(max) || max < 1)
      throw new BluegreenError("BG_CAPTURE_OPTIONS", `read(max) must be a positive integer, got ${max}.`);
    let segments = await listSegments(this.dir);
    const start = segments[0]?.base ?? 0;
    let next = from["0"] ?? start;
    let end = await this.#end();
    const deadline = Date.now() + waitMs;
    while (next >= end && Date.now() < deadline && !this.#closed) {
      await new Promise((r) => setTimeout(r, Math.min(this.#pollMs, Math.max(1, deadline - Date.now()))));
      end = await this.#end();
    }
    if (!Number.isSafeInteger(next) || next < start || next > end)
      throw new BluegreenError(
        "BG_CAPTURE_POSITION",
        next < start
          ? `Capture log ${this.dir} no longer holds offset ${next}: records before ${start} were released.`
          : `Capture log ${this.dir} ends at offset ${end}; position ${next} is past it.`,
        {
          fix: "The stored position does not belong to this log (or was released early). Backfill again and start replay from the log's end.",
          details: { position: next, start, end },
        },
      );
    const limit = Math.min(end, next + max);
    if (next >= limit) return [];
    // The end may have moved past the segments listed before the wait.
    segments = await listSegments(this.dir);
    const out: StoredRecord[] = [];
    for (let i = findSegment(segments, next); next < limit && i < segments.length; i++) {
      const segment = segments[i] as Segment;
      const cursor = this.#cursor;
      const resume = cursor !== undefined && cursor.base === segment.base && cursor.offset <= next;
      let expecting = resume ? cursor.offset : segment.base;
      const file = await openSegmentForRead(segment);
      try {
        const size = (await file.stat()).size;
        for await (const frame of readFrames(
          file,
          resume ? cursor.position : MAGIC.length,
          size,
          expecting,
        )) {
          if (!frame.ok) {
            // Below the published end every frame is durable and whole; at or past it, a write in flight.
            if (expecting < limit) throw corrupt(segment, `${frame.reason} at byte ${frame.position}`);
            break;
          }
          if (frame.record.offset >= limit) break;
          expecting = frame.record.offset + 1;
          this.#cursor = { base: segment.base, offset: expecting, position: frame.position + frame.size };
          if (frame.record.offset < next) continue;
          out.push(frame.record);
          next = expecting;
        }
      } finally {
        await file.close();
      }
    }
    if (next < limit)
      throw new BluegreenError(
        "BG_CAPTURE_CORRUPT",
        `Capture log ${this.dir} publishes offset ${limit} as durable, but its segments end at ${next}.`,
        {
          fix: "The log directory was changed outside bluegreen; restore it or start a new log and backfill again.",
        },
      );
    return out;
  }

  async #end(): Promise<number> {
    const end = await readEndMarker(this.dir);
    if (end === undefined)
      throw new BluegreenError("BG_CAPTURE_CORRUPT", `Capture log ${this.dir} lost its published end.`, {
        fix: "Restart the gateway that owns the log (it publishes the end again on open).",
      });
    return end;
  }
}

function findSegment(segments: readonly Segment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segments[mid] as Segment).base <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
