/**
 * The durable capture log: what the gateway appends every mutating request to before it answers the
 * client, and what the replayer reads back. One interface, several backends (`file`, `kafka`), one
 * conformance suite (`test/conformance/capture-log.ts`) that every backend must pass.
 *
 * Records are opaque bytes to the log; the gateway owns their encoding. Consumer positions are NOT kept
 * by the log: the replayer stores them in the state store next to its other checkpoints, so "resume from
 * where we were" works the same way for every backend.
 */

/** What a producer hands to `append`. */
export interface LogRecord {
  /**
   * Ordering key. Records with the same key are read back in append order (Kafka: same partition).
   * The gateway uses `<index>/<id>` for document writes, so one document's writes never reorder.
   */
  readonly key: string;
  readonly value: Uint8Array;
  /** Milliseconds since the epoch when the gateway accepted the request (for lag in seconds). */
  readonly timestampMs: number;
}

/** A record read back, with where it lives. */
export interface StoredRecord extends LogRecord {
  readonly partition: number;
  readonly offset: number;
}

/**
 * A consumer position: for each partition, the offset of the NEXT record to read. Plain JSON, so it can
 * be stored as a checkpoint. A partition missing from the map is read from its beginning.
 */
export type LogPosition = Readonly<Record<string, number>>;

export interface CaptureLog {
  readonly kind: "file" | "kafka";
  /**
   * Appends records and resolves only once they are durable (file: fsynced; kafka: acks=all).
   * Concurrent calls may be group-committed together. On rejection none of the records may be
   * considered written, and a reader must never see a torn record.
   */
  append(records: readonly LogRecord[]): Promise<void>;
  /**
   * Only where a record can be safe from a crash of this process before it is durable (the file log:
   * written to the file, fsync pending). `written` settles at that point, `durable` as `append` does.
   * A backend without such a stage (Kafka) leaves this out.
   */
  appendStaged?(records: readonly LogRecord[]): { written: Promise<void>; durable: Promise<void> };
  /**
   * For records nobody waits on (a write's outcome once its client has the answer): they need not
   * start a commit of their own, and ride along with the next one (or a short timer's). Resolves once
   * durable, like `append`. They come after every record whose append resolved before this call (so
   * after their own write's intent), not necessarily after appends still pending. Optional: `append`
   * serves.
   */
  appendLazy?(records: readonly LogRecord[]): Promise<void>;
  /**
   * Reads up to `max` records at or after `from`, in order within each partition. Waits up to
   * `waitMs` (default 0) for at least one record when none is available, then resolves with [].
   */
  read(from: LogPosition, max: number, waitMs?: number): Promise<readonly StoredRecord[]>;
  /** The position just past the last durable record: where a backfill marks "writes after this". */
  end(): Promise<LogPosition>;
  /** Records before `position` are no longer needed and may be deleted (retention). */
  release(position: LogPosition): Promise<void>;
  close(): Promise<void>;
}

/** Advances a position past the given records (helper every consumer needs). */
export function advance(position: LogPosition, records: readonly StoredRecord[]): LogPosition {
  const next: Record<string, number> = { ...position };
  for (const r of records) {
    const key = String(r.partition);
    if ((next[key] ?? 0) <= r.offset) next[key] = r.offset + 1;
  }
  return next;
}

/** Records behind `end` that a consumer at `position` has not read yet. */
export function lag(position: LogPosition, end: LogPosition): number {
  let behind = 0;
  for (const [partition, last] of Object.entries(end))
    behind += Math.max(0, last - (position[partition] ?? 0));
  return behind;
}
