import { type FileHandle, unlink } from "node:fs/promises";
import { BluegreenError } from "../../errors/index.ts";
import { GroupCommit, type Staged } from "../group-commit.ts";
import type { CaptureLog, LogPosition, LogRecord, StoredRecord } from "../types.ts";
import type { EndMarker } from "./end-marker.ts";
import { encodeFrames, FRAME_HEADER, frameSize, readFrames } from "./format.ts";
import type { DirectoryLock } from "./lock.ts";
import type { FileLogStats, normalizeFileOptions } from "./options.ts";
import {
  corrupt,
  createSegment,
  INDEX_EVERY,
  openSegmentForRead,
  type Segment,
  scanSegment,
  syncDirectory,
} from "./segments.ts";

/** How long lazy records wait for another commit to ride along with before they get their own. */
const LAZY_FLUSH_MS = 10;

/**
 * The embedded capture log: append-only segment files in one directory, one partition (0).
 *
 * Appends are group-committed: while one write+fsync is in flight, new appends queue up, and the next
 * commit writes all of them with a single write and a single fsync. An append resolves only after the
 * fsync that covers it; readers never see a record before that either.
 */
export class FileCaptureLog implements CaptureLog {
  readonly kind = "file" as const;
  readonly dir: string;
  private readonly options: ReturnType<typeof normalizeFileOptions>;
  private readonly lock: DirectoryLock;
  private readonly segments: Segment[];
  private file: FileHandle;
  /** One past the last durable record; readers and end() never go beyond it. */
  private durableEnd: number;
  private readonly commits = new GroupCommit<readonly LogRecord[]>((group) => this.commit(group));
  /** Where the next group goes: offsets and bytes written (maybe not yet durable) so far. */
  private written: { end: number; at: number };
  /** The last group's second stage (fsync + publish); the next group publishes after it. */
  private published: Promise<void> = Promise.resolve();
  /** The truncate after a failure, awaited before the descriptor closes. */
  private cutting: Promise<void> | undefined;
  private cutAt: number | undefined;
  private broken: BluegreenError | undefined;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  /** Where read-only openers in other processes learn the durable end. */
  private readonly marker: EndMarker;
  private readonly counters: { -readonly [K in keyof FileLogStats]: FileLogStats[K] };
  /** `appendLazy` records waiting for the next commit, which writes them ahead of its own. */
  private lazy: { records: readonly LogRecord[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  private lazyTimer: NodeJS.Timeout | undefined;

  constructor(
    dir: string,
    options: ReturnType<typeof normalizeFileOptions>,
    lock: DirectoryLock,
    segments: Segment[],
    file: FileHandle,
    end: number,
    recoveredBytes: number,
    marker: EndMarker,
  ) {
    this.marker = marker;
    this.dir = dir;
    this.options = options;
    this.lock = lock;
    this.segments = segments;
    this.file = file;
    this.durableEnd = end;
    this.written = { end, at: (segments.at(-1) as Segment).size };
    this.counters = {
      appendedRecords: 0,
      appendedBytes: 0,
      commits: 0,
      fsyncs: 0,
      fsyncSecondsTotal: 0,
      fsyncSecondsMax: 0,
      recoveredBytes,
      segments: segments.length,
      startOffset: segments[0]?.base ?? 0,
      endOffset: end,
    };
  }

  append(records: readonly LogRecord[]): Promise<void> {
    const refused = this.refusal(records);
    if (refused !== undefined) return Promise.reject(refused);
    if (records.length === 0) return Promise.resolve();
    return this.commits.submit(records);
  }

  appendLazy(records: readonly LogRecord[]): Promise<void> {
    const refused = this.refusal(records);
    if (refused !== undefined) return Promise.reject(refused);
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.lazy.push({ records, resolve, reject });
      // Nothing else may come for a while: a commit of their own then, soon, not never.
      this.lazyTimer ??= setTimeout(() => {
        this.lazyTimer = undefined;
        if (this.lazy.length > 0) this.commits.submit([]).catch(() => undefined);
      }, LAZY_FLUSH_MS);
    });
  }

  /** `written`: in the file (safe from a crash of this process); `durable`: fsynced and readable. */
  appendStaged(records: readonly LogRecord[]): { written: Promise<void>; durable: Promise<void> } {
    const refused = this.refusal(records);
    if (refused !== undefined) {
      const failed = Promise.reject(refused);
      failed.catch(() => undefined);
      return { written: failed, durable: failed };
    }
    if (records.length === 0) return { written: Promise.resolve(), durable: Promise.resolve() };
    return this.commits.submitStaged(records);
  }

  private refusal(records: readonly LogRecord[]): BluegreenError | undefined {
    if (this.closed) return closedError(this.dir);
    if (this.broken !== undefined) return this.broken;
    for (const record of records) {
      const size = frameSize(record);
      if (size > this.options.maxRecordBytes)
        return new BluegreenError(
          "BG_CAPTURE_RECORD",
          `A capture log record for key ${record.key} is ${size} bytes, over the ${this.options.maxRecordBytes}-byte limit.`,
          { fix: "Raise maxRecordBytes of the file log, or limit request bodies at the gateway." },
        );
    }
    return undefined;
  }

  async read(from: LogPosition, max: number, waitMs = 0): Promise<readonly StoredRecord[]> {
    if (this.closed) throw closedError(this.dir);
    if (!Number.isSafeInteger(max) || max < 1)
      throw new BluegreenError("BG_CAPTURE_OPTIONS", `read(max) must be a positive integer, got ${max}.`);
    let next = this.startFor(from);
    if (next >= this.durableEnd && waitMs > 0) {
      await this.waitForCommit(waitMs);
      if (this.closed) return [];
      next = this.startFor(from);
    }
    const limit = Math.min(this.durableEnd, next + max);
    const out: StoredRecord[] = [];
    // Sizes and the end are snapshotted together: a commit landing during the read cannot tear it.
    const view = this.segments.map((s) => ({ segment: s, size: s.size }));
    for (let i = findSegment(view, next); next < limit && i < view.length; i++) {
      const { segment, size } = view[i] as (typeof view)[number];
      await this.ensureIndexed(segment, view[i + 1]?.segment.base);
      const slot = Math.floor((next - segment.base) / INDEX_EVERY);
      const start = segment.index?.[slot];
      if (start === undefined) throw corrupt(segment, `no index entry for offset ${next}`);
      const file = await openSegmentForRead(segment);
      try {
        for await (const frame of readFrames(file, start, size, segment.base + slot * INDEX_EVERY)) {
          if (!frame.ok) throw corrupt(segment, `${frame.reason} at byte ${frame.position}`);
          if (frame.record.offset >= limit) break;
          if (frame.record.offset < next) continue;
          out.push(frame.record);
          next = frame.record.offset + 1;
        }
      } finally {
        await file.close();
      }
    }
    return out;
  }

  async end(): Promise<LogPosition> {
    if (this.closed) throw closedError(this.dir);
    return { "0": this.durableEnd };
  }

  async release(position: LogPosition): Promise<void> {
    if (this.closed) throw closedError(this.dir);
    const upTo = Math.min(checkOffset(position["0"], this.dir) ?? 0, this.durableEnd);
    // Whole segments only, and never the active one: segment i goes when segment i+1 starts at or before upTo.
    let drop = 0;
    while (drop + 1 < this.segments.length && (this.segments[drop + 1] as Segment).base <= upTo) drop++;
    let kept = 0;
    while (drop > 0 && kept < this.options.retention.releasedBytes) {
      kept += (this.segments[drop - 1] as Segment).size;
      drop--;
    }
    if (drop === 0) return;
    const gone = this.segments.splice(0, drop);
    this.counters.segments = this.segments.length;
    this.counters.startOffset = (this.segments[0] as Segment).base;
    for (const segment of gone) await unlink(segment.path);
    await syncDirectory(this.dir);
  }

  /** Commits waiting lazy records now, and resolves once everything appended so far is durable. */
  async flush(): Promise<void> {
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    if (this.lazy.length > 0) await this.commits.submit([]).catch(() => undefined);
    await this.commits.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    await this.cutting;
    for (const wake of [...this.waiters]) wake();
    try {
      await this.marker.close();
      await this.file.close();
    } finally {
      this.lock.release();
    }
  }

  /** Counters for metrics (additive to the CaptureLog contract). */
  stats(): FileLogStats {
    return { ...this.counters };
  }

  /**
   * Stage one (serialized by the group commit): reserve offsets and bytes after everything written so
   * far, and write. Stage two (`durable`): fsync, then publish once every earlier group is published.
   * So the next group's write overlaps this group's fsync, and readers still only ever see durable
   * records, in offset order.
   */
  private async commit(group: readonly (readonly LogRecord[])[]): Promise<Staged> {
    const commitStarted = process.hrtime.bigint();
    // Lazy records were appended before everything in this group: they go first, and settle with it.
    const riders = this.lazy;
    this.lazy = [];
    // They ride now: a timer armed for them would only add a commit of its own.
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    const records =
      riders.length === 0 ? group.flat() : [...riders.flatMap((r) => r.records), ...group.flat()];
    // A timer's flush whose riders an earlier commit already took.
    if (records.length === 0) return { durable: Promise.resolve() };
    const staged = this.commitRecords(records, group.length + riders.length, commitStarted);
    if (riders.length > 0) {
      staged.then(
        ({ durable }) =>
          durable.then(
            () => {
              for (const r of riders) r.resolve();
            },
            (error: unknown) => {
              for (const r of riders) r.reject(error);
            },
          ),
        (error: unknown) => {
          for (const r of riders) r.reject(error);
        },
      );
    }
    return staged;
  }

  private async commitRecords(
    records: readonly LogRecord[],
    appends: number,
    commitStarted: bigint,
  ): Promise<Staged> {
    if (this.broken !== undefined) throw this.broken;
    let active = this.segments.at(-1) as Segment;
    if (this.written.at >= this.options.segmentBytes && this.written.end > active.base) {
      // The old segment's last fsync must be done before its descriptor closes.
      await this.published.catch(() => undefined);
      if (this.broken !== undefined) throw this.broken;
      try {
        const created = await createSegment(this.dir, this.written.end);
        await this.file.close();
        this.file = created.file;
        this.segments.push(created.segment);
        this.counters.segments = this.segments.length;
        this.written = { end: this.written.end, at: created.segment.size };
      } catch (error) {
        throw this.fail(error, this.written.at);
      }
      active = this.segments.at(-1) as Segment;
    }
    const first = this.written.end;
    const at = this.written.at;
    const bytes = encodeFrames(records, first);
    const file = this.file;
    try {
      await writeAll(file, bytes, at);
    } catch (error) {
      throw this.fail(error, at);
    }
    this.written = { end: first + records.length, at: at + bytes.length };
    const previous = this.published;
    const durable = (async () => {
      let fsyncSeconds = 0;
      if (this.options.fsync) {
        const started = process.hrtime.bigint();
        try {
          await file.datasync();
        } catch (error) {
          throw this.fail(error, at);
        }
        fsyncSeconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.counters.fsyncs += 1;
        this.counters.fsyncSecondsTotal += fsyncSeconds;
        this.counters.fsyncSecondsMax = Math.max(this.counters.fsyncSecondsMax, fsyncSeconds);
      }
      // An earlier group that failed took this one down with it (its bytes are cut off).
      await previous;
      if (this.broken !== undefined) throw this.broken;
      this.publish(active, first, at, bytes);
      this.options.onCommit?.({
        records: records.length,
        bytes: bytes.length,
        appends,
        seconds: Number(process.hrtime.bigint() - commitStarted) / 1e9,
        fsyncSeconds,
      });
    })();
    this.published = durable;
    // Observed here so a failure is never unhandled; the group commit reports it to the appenders.
    durable.catch(() => undefined);
    return { durable };
  }

  /**
   * After a failed write or fsync the kernel may have dropped the dirty pages and cleared the error
   * (the "fsyncgate" lesson): retrying cannot prove durability. Refuse further appends until reopened,
   * and cut the file back to the last byte that may have been published.
   */
  private fail(error: unknown, at: number): BluegreenError {
    this.broken ??= new BluegreenError(
      "BG_CAPTURE_WRITE",
      `Capture log ${this.dir} could not write or fsync: ${error instanceof Error ? error.message : String(error)}.`,
      {
        cause: error,
        fix: "Check the disk (space, permissions, I/O errors), then restart the gateway; the log recovers on open.",
        details: { dir: this.dir },
      },
    );
    // Groups fail in any order; the cut goes to the earliest failed one.
    if (this.cutAt === undefined || at < this.cutAt) {
      this.cutAt = at;
      const file = this.file;
      this.cutting = (this.cutting ?? Promise.resolve()).then(() => file.truncate(at)).catch(() => undefined);
    }
    return this.broken;
  }

  private publish(active: Segment, first: number, at: number, bytes: Buffer): void {
    let offset = first;
    for (let position = at; position < at + bytes.length; offset++) {
      if ((offset - active.base) % INDEX_EVERY === 0) active.index?.push(position);
      position += FRAME_HEADER + bytes.readUInt32BE(position - at);
    }
    active.size = at + bytes.length;
    this.durableEnd = offset;
    this.counters.commits += 1;
    this.counters.appendedRecords += offset - first;
    this.counters.appendedBytes += bytes.length;
    this.counters.endOffset = offset;
    this.marker.set(offset);
    for (const wake of [...this.waiters]) wake();
  }

  private startFor(from: LogPosition): number {
    const start = (this.segments[0] as Segment).base;
    const next = checkOffset(from["0"], this.dir);
    if (next === undefined) return start;
    if (next < start || next > this.durableEnd)
      throw new BluegreenError(
        "BG_CAPTURE_POSITION",
        next < start
          ? `Capture log ${this.dir} no longer holds offset ${next}: records before ${start} were released.`
          : `Capture log ${this.dir} ends at offset ${this.durableEnd}; position ${next} is past it.`,
        {
          fix: "The stored position does not belong to this log (or was released early). Backfill again and start replay from the log's end.",
          details: { position: next, start, end: this.durableEnd },
        },
      );
    return next;
  }

  private waitForCommit(waitMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
    });
  }

  private async ensureIndexed(segment: Segment, nextBase: number | undefined): Promise<void> {
    if (segment.index !== undefined) return;
    const file = await openSegmentForRead(segment);
    try {
      const { count } = await scanSegment(segment, file, false);
      if (nextBase !== undefined && segment.base + count !== nextBase)
        throw corrupt(segment, `it holds ${count} records but the next segment starts at ${nextBase}`);
    } finally {
      await file.close();
    }
  }
}

function findSegment(view: readonly { segment: Segment }[], offset: number): number {
  let lo = 0;
  let hi = view.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((view[mid] as { segment: Segment }).segment.base <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function checkOffset(value: number | undefined, dir: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 0)
    throw new BluegreenError("BG_CAPTURE_POSITION", `Capture log ${dir}: ${value} is not a valid offset.`, {
      fix: "Positions map a partition to a non-negative integer offset, as end() and advance() produce them.",
    });
  return value;
}

async function writeAll(file: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await file.write(bytes, written, bytes.length - written, position + written);
    written += bytesWritten;
  }
}

function closedError(dir: string): BluegreenError {
  return new BluegreenError("BG_CAPTURE_CLOSED", `Capture log ${dir} is closed.`, {
    fix: "This is a bug in the caller: open the log again before using it.",
  });
}
