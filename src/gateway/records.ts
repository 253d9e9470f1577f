import type { LogRecord } from "../capture/index.ts";
import type { DocOp } from "./classify.ts";

/**
 * What the gateway writes to the capture log. Every write produces records twice:
 *
 * 1. `op`/`req` records (the intent) are appended and made durable BEFORE the request is forwarded;
 * 2. `out` records (the outcome, with the cluster's status) are appended after the cluster answered
 *    and BEFORE the client gets that answer.
 *
 * So a write the cluster may have applied is always in the log, even if the gateway is killed between
 * the cluster applying it and the outcome append. The replayer applies intents whose outcome is a
 * success, skips the ones the cluster refused, and resolves intents that never got an outcome by
 * reading the document from the source (see src/replay). An `out` record also names its document (or
 * repeats its request), so an outcome whose intent lies before the replayer's start position is still
 * actionable.
 */

/** Which cluster was authoritative for the write: `source` before cutover, `target` after it. */
export type Side = "source" | "target";

export interface DocRef {
  readonly index: string;
  /** Undefined only for an id-less index request when `gateway.assignIds` is off. */
  readonly id: string | undefined;
  readonly routing?: string | undefined;
}

/** One document operation; a `_bulk` request yields one per action, numbered by `n`. */
export interface OpRecord extends DocRef {
  readonly t: "op";
  readonly rid: string;
  readonly n: number;
  readonly op: DocOp;
  readonly side: Side;
  readonly pipeline?: string | undefined;
  /** The document for index/create. Updates carry none: the replayer copies the result from the source. */
  readonly doc?: unknown;
}

/** A write replayed as the same HTTP request (by-query, index and template administration). */
export interface RequestRecord {
  readonly t: "req";
  readonly rid: string;
  readonly side: Side;
  readonly index: string | undefined;
  readonly method: string;
  /** Path and query string as forwarded. */
  readonly path: string;
  readonly body?: string | undefined;
}

export interface OutcomeRecord {
  readonly t: "out";
  readonly rid: string;
  readonly n: number;
  /** HTTP status of the request, or of the `_bulk` item; 0 = never reached the cluster. */
  readonly status: number;
  readonly doc?: DocRef | undefined;
  /** As on the intent; absent in records of older gateways, which only captured the source side. */
  readonly side?: Side | undefined;
  readonly req?: Omit<RequestRecord, "t" | "rid" | "side"> | undefined;
}

export type CaptureRecord = OpRecord | RequestRecord | OutcomeRecord;

/** Records are versioned so a newer gateway's log is refused instead of misread. */
const VERSION = 1;

export function recordKey(record: CaptureRecord): string {
  switch (record.t) {
    case "op":
      return docKey(record);
    case "req":
      return record.index ?? "_cluster";
    case "out":
      return record.doc !== undefined ? docKey(record.doc) : (record.req?.index ?? "_cluster");
  }
}

function docKey(doc: DocRef): string {
  return `${doc.index}/${doc.id ?? ""}`;
}

export function encodeRecord(record: CaptureRecord, timestampMs: number): LogRecord {
  return {
    key: recordKey(record),
    value: Buffer.from(JSON.stringify({ v: VERSION, ...record })),
    timestampMs,
  };
}

/** Returns undefined for bytes that are not a record this version understands. */
export function decodeRecord(value: Uint8Array): CaptureRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const { v, ...rest } = parsed as { v?: unknown; t?: unknown };
  if (v !== VERSION || (rest.t !== "op" && rest.t !== "req" && rest.t !== "out")) return undefined;
  return rest as CaptureRecord;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
