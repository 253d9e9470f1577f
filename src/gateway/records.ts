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

/**
 * A body carried verbatim: the exact bytes the client sent (or the cluster returned) and their
 * Content-Type, so replay sends the same bytes in the same format. Documents are never parsed on
 * their way through: a parse and re-serialize rounds longs above 2^53 and rewrites `1.0` or escapes.
 */
export interface Body {
  readonly bytes: Buffer;
  /** The Content-Type header they came with (`application/json`, `application/yaml`, ...). */
  readonly contentType: string;
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
  readonly doc?: Body | undefined;
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
  readonly body?: Body | undefined;
}

export interface OutcomeRecord {
  readonly t: "out";
  readonly rid: string;
  readonly n: number;
  /** HTTP status of the request, or of the `_bulk` item; 0 = never reached the cluster. */
  readonly status: number;
  /** The request was answered but this item's own result could not be read: replay copies the document. */
  readonly unknown?: true | undefined;
  readonly doc?: DocRef | undefined;
  /** As on the intent; absent in records of older gateways, which only captured the source side. */
  readonly side?: Side | undefined;
  /** Where the cluster put this document write in its shard's history (from its answer). */
  readonly applied?: AppliedAt | undefined;
  readonly req?: Omit<RequestRecord, "t" | "rid" | "side"> | undefined;
  /**
   * A `_rollover` the cluster answered: the index it rolled over to, or null when it did not (conditions
   * not met, a dry run). Replay repeats that effect; its conditions, judged again on the target's own
   * sizes and counts, could decide otherwise.
   */
  readonly rolledTo?: string | null | undefined;
}

/**
 * A document write's place in its shard's history, as the cluster answered it: the sequence number and
 * primary term it got, and the concrete index (only when it differs from the one the client named: an
 * alias, a data stream), because sequence numbers only compare within one shard. Two writes to one
 * document can reach the cluster in another order than their intents reached the log; replay uses this
 * to apply only the one the cluster applied last (src/replay/order.ts).
 */
export interface AppliedAt {
  readonly seq: number;
  readonly term: number;
  readonly index?: string | undefined;
}

export type CaptureRecord = OpRecord | RequestRecord | OutcomeRecord;

/**
 * Version 2: a one-line JSON header, then (when the record carries a body) a line feed and the body's
 * bytes as they are. JSON.stringify never emits a raw line feed, so the first one ends the header.
 * Version 1 embedded documents as parsed JSON; such logs are still read (their numbers were already
 * rounded when they were written). A newer version is refused instead of misread.
 */
const VERSION = 2;
const LF = 0x0a;

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

/**
 * The record's header JSON and its body. A document operation or outcome (one each per document of
 * every captured write) gets its header from an object literal: `v` leads, as readers of the format
 * expect, without a copy of the record or a second string to put it in front. The literal's type
 * names every member of the record's, so one added to the record cannot be left out. Other records
 * are rarer: the body's field is set to undefined (JSON.stringify leaves undefined fields out) and
 * `v` is put in front of the copy's members.
 */
function split(record: CaptureRecord): { head: string; body: Body | undefined } {
  switch (record.t) {
    case "op": {
      const header: { readonly [K in keyof OpRecord]-?: unknown } & { v: number; ct: unknown } = {
        v: VERSION,
        t: record.t,
        rid: record.rid,
        n: record.n,
        op: record.op,
        index: record.index,
        id: record.id,
        routing: record.routing,
        pipeline: record.pipeline,
        side: record.side,
        doc: undefined,
        ct: record.doc?.contentType,
      };
      return { head: JSON.stringify(header), body: record.doc };
    }
    case "req": {
      const body = record.body;
      return {
        head: versioned(body === undefined ? record : { ...record, body: undefined, ct: body.contentType }),
        body,
      };
    }
    case "out": {
      if (record.req === undefined) {
        // A document's outcome: as many as operations.
        const header: { readonly [K in keyof OutcomeRecord]-?: unknown } & { v: number } = {
          v: VERSION,
          t: record.t,
          rid: record.rid,
          n: record.n,
          status: record.status,
          unknown: record.unknown,
          doc: record.doc,
          side: record.side,
          applied: record.applied,
          req: undefined,
          rolledTo: record.rolledTo,
        };
        return { head: JSON.stringify(header), body: undefined };
      }
      const body = record.req.body;
      if (body === undefined) return { head: versioned(record), body: undefined };
      const header = { ...record, req: { ...record.req, body: undefined }, ct: body.contentType };
      return { head: versioned(header), body };
    }
  }
}

/** `{"v":2,` then the header's own members. */
function versioned(header: object): string {
  return `{"v":${VERSION},${JSON.stringify(header).slice(1)}`;
}

export function encodeRecord(record: CaptureRecord, timestampMs: number): LogRecord {
  const { head, body } = split(record);
  if (body === undefined) return { key: recordKey(record), value: Buffer.from(head), timestampMs };
  const headBytes = Buffer.byteLength(head);
  const value = Buffer.allocUnsafe(headBytes + 1 + body.bytes.length);
  value.write(head, 0);
  value[headBytes] = LF;
  body.bytes.copy(value, headBytes + 1);
  return { key: recordKey(record), value, timestampMs };
}

/** Returns undefined for bytes that are not a record this version understands. */
export function decodeRecord(value: Uint8Array): CaptureRecord | undefined {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const lf = bytes.indexOf(LF);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8", 0, lf === -1 ? bytes.length : lf));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== "object") return undefined;
  const { v, ct, ...rest } = parsed as { v?: unknown; t?: unknown; ct?: unknown };
  if (rest.t !== "op" && rest.t !== "req" && rest.t !== "out") return undefined;
  if (v === 1) return fromVersion1(rest as Record<string, unknown>);
  if (v !== VERSION) return undefined;
  const record = rest as CaptureRecord;
  if (lf === -1 || typeof ct !== "string") return record;
  const body: Body = { bytes: bytes.subarray(lf + 1), contentType: ct };
  switch (record.t) {
    case "op":
      return { ...record, doc: body };
    case "req":
      return { ...record, body };
    case "out":
      return record.req === undefined ? record : { ...record, req: { ...record.req, body } };
  }
}

const JSON_TYPE = "application/json";

function fromVersion1(record: Record<string, unknown>): CaptureRecord {
  const text = (value: unknown): Body | undefined =>
    value === undefined ? undefined : { bytes: Buffer.from(String(value)), contentType: JSON_TYPE };
  if (record.t === "op") {
    const { doc, ...rest } = record;
    const body = doc === undefined ? undefined : text(JSON.stringify(doc));
    return { ...(rest as unknown as OpRecord), doc: body };
  }
  if (record.t === "req") return { ...(record as unknown as RequestRecord), body: text(record.body) };
  const out = record as unknown as OutcomeRecord & { req?: { body?: unknown } };
  if (out.req?.body === undefined) return out;
  return { ...out, req: { ...out.req, body: text(out.req.body) } } as OutcomeRecord;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
