import { randomBytes } from "node:crypto";
import { BadWrite } from "./bad-write.ts";
import { answerValue } from "./body-value.ts";
import { bulkAnswerItems, docAnswer } from "./bulk-answer.ts";
import { type BulkItem, joinBulk, parseBulk, withId, withIndex } from "./bulk-parse.ts";
import type { DocOp, RequestClass } from "./classify.ts";
import { bulkFormat, JSON_TYPE, SMILE_TYPE } from "./content-type.ts";
import { type Body, isSuccess, type OpRecord, type OutcomeRecord, type RequestRecord } from "./records.ts";

export type Intent = Omit<OpRecord, "side"> | Omit<RequestRecord, "side">;

/** A write, parsed, with ids assigned: what to forward, what to log first, how to read the answer. */
export interface PreparedWrite {
  readonly method: string;
  /** Path and query string to forward. */
  readonly path: string;
  readonly body: Buffer | undefined;
  readonly intents: readonly Intent[];
  /**
   * Whether replay can settle this write without its outcome, by copying its documents from the
   * cluster as they are (every intent is a document operation with an id). A by-query or admin
   * request cannot be settled that way: replay needs its logged outcome to know it was applied.
   */
  readonly resolvable: boolean;
  /** Outcome records from the cluster's status and body; [] when the answer cannot be attributed. */
  outcomes(status: number, body: Buffer): OutcomeRecord[];
  /** The same write with index names rewritten for the target (dual mode). */
  renamed(rename: Readonly<Record<string, string>>): { path: string; body: Buffer | undefined };
}

/**
 * This process's part of every id it makes: random, so two gateways (or two runs of one) never make
 * the same id, whatever their clocks say.
 */
const ID_TAG = randomBytes(6);
let idClock = 0;
let idSequence = randomBytes(3).readUIntBE(0, 3);
/** URL-safe like base64url, but in ASCII order, so the text of the ids sorts as their bytes do. */
const ID_ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/**
 * 20 URL-safe characters (15 bytes), the shape of the ids OpenSearch generates: milliseconds,
 * then a sequence, then this process's tag. Time comes first so that one gateway's ids sort in the
 * order it made them. An explicit id costs the source a lookup that its own ids skip (is the id taken
 * already?), and an id above every term of an older segment fails that lookup fast; a random id
 * searches every segment's terms. `_bulk` of 50 straight to a 2.11 source: 0.85× the throughput of
 * its own ids with these, 0.7× with random ones (docs/performance.md). Within one process the ids
 * strictly increase, as bytes and as text, even if the wall clock steps back, so they never repeat.
 */
export function newDocumentId(): string {
  const now = Date.now();
  if (now > idClock) idClock = now;
  idSequence = (idSequence + 1) & 0xffffff;
  // Where the sequence wraps, the clock moves on: a (clock, sequence) pair never comes back.
  if (idSequence === 0) idClock += 1;
  const bytes = Buffer.allocUnsafe(15);
  bytes.writeUIntBE(idClock, 0, 6);
  bytes.writeUIntBE(idSequence, 6, 3);
  ID_TAG.copy(bytes, 9);
  let id = "";
  for (let at = 0; at < 15; at += 3) {
    const group = bytes.readUIntBE(at, 3);
    id +=
      ID_ALPHABET.charAt(group >>> 18) +
      ID_ALPHABET.charAt((group >>> 12) & 63) +
      ID_ALPHABET.charAt((group >>> 6) & 63) +
      ID_ALPHABET.charAt(group & 63);
  }
  return id;
}

/** Rewrites the index names (comma lists too) in the first path segment; API paths stay as they are. */
export function renamePath(path: string, rename: Readonly<Record<string, string>>): string {
  const match = /^\/([^/?]+)(.*)$/s.exec(path);
  if (match === null || match[1] === undefined || match[1].startsWith("_")) return path;
  const names = match[1]
    .split(",")
    .map((n) => encodeURIComponent(rename[decodeURIComponent(n)] ?? decodeURIComponent(n)));
  return `/${names.join(",")}${match[2] ?? ""}`;
}

/**
 * The index part of a by-query path, or undefined for other paths. A by-query replayed on the target
 * must first refresh it there, so the query sees every write applied before it, as on the source.
 */
export function byQueryIndex(path: string): string | undefined {
  const match = /^\/([^/?]+)\/_(?:delete|update)_by_query(?:[/?]|$)/.exec(path);
  return match?.[1];
}

interface Target {
  readonly method: string;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
  /** The request's Content-Type header; bodies are logged with it and replayed in the same format. */
  readonly contentType: string | undefined;
  readonly rid: string;
  readonly assignIds: boolean;
}

export function prepareWrite(cls: Exclude<RequestClass, { kind: "read" }>, req: Target): PreparedWrite {
  switch (cls.kind) {
    case "doc":
      return prepareDoc(cls, req);
    case "bulk":
      return prepareBulk(cls.index, req);
    case "request":
      return prepareRequest(cls.index, req);
  }
}

function withQuery(pathname: string, query: URLSearchParams): string {
  const text = query.toString();
  return text === "" ? pathname : `${pathname}?${text}`;
}

/** What OpenSearch assumes for a body without a Content-Type (it refuses such writes; the log keeps the fact). */
const NO_TYPE = "application/octet-stream";

function bodyOf(req: Target): Body | undefined {
  return req.body.length === 0 ? undefined : { bytes: req.body, contentType: req.contentType ?? NO_TYPE };
}

/**
 * A single-document write. The body is never parsed: it is logged and forwarded as the client's bytes
 * in the client's format (JSON, YAML, CBOR or SMILE), and the source alone judges it; a body it
 * refuses gets a failed outcome and is never replayed.
 */
function prepareDoc(cls: Extract<RequestClass, { kind: "doc" }>, req: Target): PreparedWrite {
  let op: DocOp = cls.op === "index" && req.query.get("op_type") === "create" ? "create" : cls.op;
  let id = cls.id;
  let method = req.method;
  let pathname = req.pathname;
  const query = new URLSearchParams(req.query);
  // A typed path (`POST /idx/<type>`) goes out as sent, wherever the source routes it (OpenSearch 2.x
  // does not): the id comes from its answer, and the outcome is awaited, as without assignIds.
  if (id === undefined && req.assignIds && cls.type === undefined) {
    // POST /idx/_doc becomes PUT /idx/_doc/<id>?op_type=create: the answer has the same shape, and the
    // source and target hold the document under the same id.
    id = newDocumentId();
    op = "create";
    method = "PUT";
    pathname = `/${encodeURIComponent(cls.index)}/_doc/${encodeURIComponent(id)}`;
    query.set("op_type", "create");
  }
  const routing = req.query.get("routing") ?? undefined;
  const body = bodyOf(req);
  const intent: Omit<OpRecord, "side"> = {
    t: "op",
    rid: req.rid,
    n: 0,
    op,
    index: cls.index,
    id,
    routing,
    pipeline: req.query.get("pipeline") ?? undefined,
    doc: op === "index" || op === "create" ? body : undefined,
  };
  const path = withQuery(pathname, query);
  return {
    method,
    path,
    body: body?.bytes,
    intents: [intent],
    resolvable: id !== undefined,
    outcomes(status, answer) {
      const read = id === undefined || isSuccess(status) ? docAnswer(answer, cls.index) : undefined;
      const doc = { index: cls.index, id: id ?? read?.id, routing };
      // Set even when undefined (JSON.stringify leaves it out): one record shape, no spread per write.
      return [
        { t: "out", rid: req.rid, n: 0, status, doc, applied: isSuccess(status) ? read?.applied : undefined },
      ];
    },
    renamed: (rename) => ({ path: renamePath(path, rename), body: body?.bytes }),
  };
}

const ROLLOVER = /^\/[^/]+\/_rollover(?:\/[^/]+)?\/?$/;

/**
 * What a `_rollover` answer says happened, in whichever format the client asked for (or sent its body
 * in); undefined when it cannot be read.
 */
function rolloverOf(answer: Buffer): string | null | undefined {
  const body = answerValue(answer) as { rolled_over?: unknown; new_index?: unknown } | undefined;
  if (body === undefined || body === null || typeof body !== "object") return undefined;
  if (body.rolled_over === false) return null;
  return body.rolled_over === true && typeof body.new_index === "string" ? body.new_index : undefined;
}

/** By-query, index and template administration: logged and replayed as the same bytes. */
function prepareRequest(index: string | undefined, req: Target): PreparedWrite {
  const path = withQuery(req.pathname, req.query);
  const body = bodyOf(req);
  const request = { index, method: req.method, path, body };
  return {
    method: req.method,
    path,
    body: body?.bytes,
    intents: [{ t: "req", rid: req.rid, ...request }],
    resolvable: false,
    outcomes: (status, answer) => {
      const rolledTo = isSuccess(status) && ROLLOVER.test(req.pathname) ? rolloverOf(answer) : undefined;
      return [
        {
          t: "out",
          rid: req.rid,
          n: 0,
          status,
          req: request,
          ...(rolledTo === undefined ? {} : { rolledTo }),
        },
      ];
    },
    renamed: (rename) => ({ path: renamePath(path, rename), body: body?.bytes }),
  };
}

/**
 * `_bulk`: only the action lines are read (losslessly); document lines stay the client's bytes, in
 * the log and on the wire. Actions the gateway gives an id to are the only lines it rewrites.
 */
function prepareBulk(defaultIndex: string | undefined, req: Target): PreparedWrite {
  const format = bulkFormat(req.contentType);
  let parsed: BulkItem[];
  try {
    if (format === undefined) return prepareRequest(defaultIndex, req);
    parsed = parseBulk(req.body, format, {
      index: defaultIndex,
      routing: req.query.get("routing") ?? undefined,
      pipeline: req.query.get("pipeline") ?? undefined,
      types: true,
    });
  } catch (error) {
    if (!(error instanceof BadWrite)) throw error;
    // A body the gateway cannot split (a format OpenSearch does not stream, a malformed line) is logged
    // whole, as an opaque request, and forwarded: the source answers it in its own words (it refuses
    // such a bulk before applying any item), and should it ever accept one, replay sends the target
    // the same bytes. Nothing unlogged reaches the source, and the client cannot tell we are here.
    return prepareRequest(defaultIndex, req);
  }
  // No action at all: OpenSearch refuses it; logged whole like any body we cannot split.
  if (parsed.length === 0) return prepareRequest(defaultIndex, req);
  const docType = format === "smile" ? SMILE_TYPE : JSON_TYPE;
  const items: BulkItem[] = [];
  let changed = false;
  const intents = parsed.map((item, n): Omit<OpRecord, "side"> => {
    let current = item;
    if (item.id === undefined && req.assignIds && (item.op === "index" || item.op === "create")) {
      const id = newDocumentId();
      current = { ...item, id, action: withId(item, format, id) };
      changed = true;
    }
    items.push(current);
    return {
      t: "op",
      rid: req.rid,
      n,
      op: current.op,
      index: current.index,
      id: current.id,
      routing: current.routing,
      pipeline: current.pipeline,
      doc:
        current.doc !== undefined && current.op !== "update"
          ? { bytes: current.doc, contentType: docType }
          : undefined,
    };
  });
  const path = withQuery(req.pathname, req.query);
  // Unchanged, the client's own bytes go out; otherwise the lines are joined around the new actions.
  const body = changed ? joinBulk(lines(items), format) : req.body;
  return {
    method: req.method,
    path,
    body,
    intents,
    resolvable: items.every((item) => item.id !== undefined),
    outcomes: (status, answer) => bulkOutcomes(req.rid, items, status, answer),
    renamed(rename) {
      if (!items.some((i) => rename[i.index] !== undefined)) return { path: renamePath(path, rename), body };
      // An action that took the URL's index gets an explicit `_index` too: the same value, so harmless.
      const copy = items.map((item) => {
        const to = rename[item.index];
        return to === undefined ? item : { ...item, action: withIndex(item, format, to) };
      });
      return { path: renamePath(path, rename), body: joinBulk(lines(copy), format) };
    },
  };
}

function lines(items: readonly BulkItem[]): Buffer[] {
  const out: Buffer[] = [];
  for (const item of items) {
    out.push(item.action);
    if (item.doc !== undefined) out.push(item.doc);
  }
  return out;
}

function bulkOutcomes(
  rid: string,
  items: readonly BulkItem[],
  status: number,
  answer: Buffer,
): OutcomeRecord[] {
  const ref = (item: BulkItem, id: string | undefined) => ({ index: item.index, id, routing: item.routing });
  if (status < 200 || status >= 300) {
    // The whole request was refused: no item was applied.
    return items.map((item, n) => ({ t: "out", rid, n, status, doc: ref(item, item.id) }));
  }
  const results = bulkAnswerItems(
    answer,
    items.map((item) => item.index),
  );
  if (results === undefined) {
    // Applied or not, item by item, cannot be read (a broken answer): replay copies each document from
    // the source instead of waiting for outcomes that will never be logged.
    return items.map((item, n) => ({ t: "out", rid, n, status, unknown: true, doc: ref(item, item.id) }));
  }
  const out: OutcomeRecord[] = [];
  items.forEach((item, n) => {
    const result = results[n];
    // An item whose status the answer leaves out (`filter_path=items.*._id`): whether it was applied
    // is unknown, so replay copies the document at once instead of waiting for an outcome.
    if (result?.status === undefined) {
      out.push({ t: "out", rid, n, status, unknown: true, doc: ref(item, item.id ?? result?.id) });
      return;
    }
    const id = item.id ?? result.id;
    const applied = isSuccess(result.status) ? result.applied : undefined;
    out.push({ t: "out", rid, n, status: result.status, doc: ref(item, id), applied });
  });
  return out;
}
