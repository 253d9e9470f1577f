import { randomBytes } from "node:crypto";
import { BadWrite } from "./bad-write.ts";
import type { DocOp, RequestClass } from "./classify.ts";
import type { OpRecord, OutcomeRecord, RequestRecord } from "./records.ts";


export type Intent = Omit<OpRecord, "side"> | Omit<RequestRecord, "side">;

/** A write, parsed, with ids assigned: what to forward, what to log first, how to read the answer. */
export interface PreparedWrite {
  readonly method: string;
  /** Path and query string to forward. */
  readonly path: string;
  readonly body: Buffer | undefined;
  readonly intents: readonly Intent[];
  /** Outcome records from the cluster's status and body; [] when the answer cannot be attributed. */
  outcomes(status: number, body: Buffer): OutcomeRecord[];
  /** The same write with index names rewritten for the target (dual mode). */
  renamed(rename: Readonly<Record<string, string>>): { path: string; body: Buffer | undefined };
}

/** Random bytes for ids, fetched 256 ids at a time: one call into the CSPRNG per 256 ids, not per id. */
const ID_BYTES = 15;
let idPool = Buffer.alloc(0);
let idAt = 0;

/** Random, URL-safe, 20 characters: the same shape as the ids OpenSearch generates. */
export function newDocumentId(): string {
  if (idAt + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256);
    idAt = 0;
  }
  idAt += ID_BYTES;
  return idPool.toString("base64url", idAt - ID_BYTES, idAt);
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

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadWrite(400, `${what} is not valid JSON: ${(error as Error).message}`);
  }
}

function parseObject(text: string, what: string): Record<string, unknown> {
  const value = parseJson(text, what);
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new BadWrite(400, `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

function prepareDoc(cls: Extract<RequestClass, { kind: "doc" }>, req: Target): PreparedWrite {
  let op: DocOp = cls.op === "index" && req.query.get("op_type") === "create" ? "create" : cls.op;
  let id = cls.id;
  let method = req.method;
  let pathname = req.pathname;
  const query = new URLSearchParams(req.query);
  const text = req.body.toString("utf8");
  let doc: unknown;
  if (op === "index" || op === "create") doc = parseObject(text, "the document");
  else if (op === "update") parseObject(text, "the update body");
  if (id === undefined && req.assignIds) {
    // POST /idx/_doc becomes PUT /idx/_doc/<id>?op_type=create: the answer has the same shape, and the
    // source and target hold the document under the same id.
    id = newDocumentId();
    op = "create";
    method = "PUT";
    pathname = `/${encodeURIComponent(cls.index)}/_doc/${encodeURIComponent(id)}`;
    query.set("op_type", "create");
  }
  const routing = req.query.get("routing") ?? undefined;
  const intent: Omit<OpRecord, "side"> = {
    t: "op",
    rid: req.rid,
    n: 0,
    op,
    index: cls.index,
    id,
    routing,
    pipeline: req.query.get("pipeline") ?? undefined,
    doc,
  };
  const path = withQuery(pathname, query);
  const body = req.body.length === 0 ? undefined : req.body;
  return {
    method,
    path,
    body,
    intents: [intent],
    outcomes(status, answer) {
      const assigned = id ?? idFromAnswer(answer);
      return [{ t: "out", rid: req.rid, n: 0, status, doc: { index: cls.index, id: assigned, routing } }];
    },
    renamed: (rename) => ({ path: renamePath(path, rename), body }),
  };
}

function idFromAnswer(answer: Buffer): string | undefined {
  try {
    const id = (JSON.parse(answer.toString("utf8")) as { _id?: unknown })._id;
    return typeof id === "string" ? id : undefined;
  } catch {
    return undefined;
  }
}

function prepareRequest(index: string | undefined, req: Target): PreparedWrite {
  const text = req.body.toString("utf8");
  if (text.trim() !== "") parseJson(text, "the request body");
  const path = withQuery(req.pathname, req.query);
  const body = req.body.length === 0 ? undefined : req.body;
  const request = { index, method: req.method, path, body: body === undefined ? undefined : text };
  return {
    method: req.method,
    path,
    body,
    intents: [{ t: "req", rid: req.rid, ...request }],
    outcomes: (status) => [{ t: "out", rid: req.rid, n: 0, status, req: request }],
    renamed: (rename) => ({ path: renamePath(path, rename), body }),
  };
}

const BULK_OPS: ReadonlySet<string> = new Set(["index", "create", "update", "delete"]);

interface BulkItem {
  readonly op: DocOp;
  readonly meta: Record<string, unknown>;
  /** Index of the action line in `lines`; the document line (if any) follows it. */
  readonly line: number;
  readonly index: string;
  readonly id: string | undefined;
  readonly routing: string | undefined;
}

function prepareBulk(defaultIndex: string | undefined, req: Target): PreparedWrite {
  const lines = req.body
    .toString("utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new BadWrite(400, "the _bulk body is empty");
  const items: BulkItem[] = [];
  const intents: Omit<OpRecord, "side">[] = [];
  const queryRouting = req.query.get("routing") ?? undefined;
  const queryPipeline = req.query.get("pipeline") ?? undefined;
  for (let i = 0; i < lines.length; i++) {
    const where = `_bulk line ${i + 1}`;
    const action = parseObject(lines[i] as string, where);
    const keys = Object.keys(action);
    const op = keys[0];
    if (keys.length !== 1 || op === undefined || !BULK_OPS.has(op))
      throw new BadWrite(400, `${where} must be one action: index, create, update or delete`);
    const meta = action[op];
    if (meta === null || typeof meta !== "object" || Array.isArray(meta))
      throw new BadWrite(400, `${where}: the ${op} action must be a JSON object`);
    const m = meta as Record<string, unknown>;
    const index = typeof m._index === "string" ? m._index : defaultIndex;
    if (index === undefined) throw new BadWrite(400, `${where} names no _index and the URL names no index`);
    let id = typeof m._id === "string" || typeof m._id === "number" ? String(m._id) : undefined;
    const docOp = op as DocOp;
    if (id === undefined && (docOp === "update" || docOp === "delete"))
      throw new BadWrite(400, `${where}: a ${op} action needs an _id`);
    if (id === undefined && req.assignIds) {
      id = newDocumentId();
      m._id = id;
      lines[i] = JSON.stringify(action);
    }
    const routing = str(m.routing) ?? str(m._routing) ?? queryRouting;
    let doc: unknown;
    const actionLine = i;
    if (docOp !== "delete") {
      i++;
      const docLine = lines[i];
      if (docLine === undefined) throw new BadWrite(400, `${where}: the ${op} action has no document line`);
      const body = parseObject(docLine, `_bulk line ${i + 1}`);
      if (docOp !== "update") doc = body;
    }
    items.push({ op: docOp, meta: m, line: actionLine, index, id, routing });
    intents.push({
      t: "op",
      rid: req.rid,
      n: items.length - 1,
      op: docOp,
      index,
      id,
      routing,
      pipeline: str(m.pipeline) ?? queryPipeline,
      doc,
    });
  }
  const path = withQuery(req.pathname, req.query);
  const body = Buffer.from(`${lines.join("\n")}\n`);
  return {
    method: req.method,
    path,
    body,
    intents,
    outcomes: (status, answer) => bulkOutcomes(req.rid, items, status, answer),
    renamed(rename) {
      if (Object.keys(rename).length === 0) return { path, body };
      const copy = [...lines];
      for (const item of items) {
        const to = typeof item.meta._index === "string" ? rename[item.meta._index] : undefined;
        if (to !== undefined) copy[item.line] = JSON.stringify({ [item.op]: { ...item.meta, _index: to } });
      }
      return { path: renamePath(path, rename), body: Buffer.from(`${copy.join("\n")}\n`) };
    },
  };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
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
  let results: unknown[];
  try {
    results = (JSON.parse(answer.toString("utf8")) as { items?: unknown[] }).items ?? [];
  } catch {
    return [];
  }
  const out: OutcomeRecord[] = [];
  items.forEach((item, n) => {
    const result = results[n] as Record<string, { status?: unknown; _id?: unknown }> | undefined;
    const detail = result === undefined ? undefined : Object.values(result)[0];
    if (typeof detail?.status !== "number") return;
    const id = item.id ?? (typeof detail._id === "string" ? detail._id : undefined);
    out.push({ t: "out", rid, n, status: detail.status, doc: ref(item, id) });
  });
  return out;
}
