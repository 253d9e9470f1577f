/**
 * A byte-exact `_bulk` splitter that accepts and refuses what OpenSearch 2.x's BulkRequestParser
 * does (checked against OpenSearch 2.11.1). Only action lines are parsed; documents stay the exact
 * bytes the client sent, as slices of the body. Refusals of the whole request throw BadWrite with
 * OpenSearch's status, error type and reason; what OpenSearch fails per item passes through.
 */
import { BadWrite } from "./bad-write.ts";
import { JsonActionLexer } from "./bulk-lexer.ts";
import type { ActionReader, Token } from "./bulk-reader.ts";
import {
  type BulkOp,
  checkSeqNo,
  illegal,
  MATCH_ANY,
  type Meta,
  parsing,
  stringToInt,
  stringToLong,
  UNASSIGNED_SEQ_NO,
  VERSION_TYPES,
  validate,
} from "./bulk-rules.ts";
import { SmileActionReader } from "./bulk-smile.ts";
import type { BulkFormat } from "./content-type.ts";
import { encodeSmile, SMILE_SEPARATOR, SmileReader, type SmileValue } from "./smile.ts";

export type { BulkOp } from "./bulk-rules.ts";
export type { BulkFormat } from "./content-type.ts";

export interface BulkItem {
  /** `create` also for an `index` action with `op_type: create`, as OpenSearch answers it. */
  readonly op: BulkOp;
  /** From `_index`, else the URL's default index. */
  readonly index: string;
  /** `_id` as OpenSearch reads it (a number becomes its literal text); undefined when absent or null. */
  readonly id: string | undefined;
  /** `routing`, else the URL's `?routing`; an empty routing is none. */
  readonly routing: string | undefined;
  /** index/create: `pipeline`, else the URL's; update: the URL's (it applies to the upsert only). */
  readonly pipeline: string | undefined;
  /** The action line's exact bytes, without its separator (and, for JSON, without a trailing `\r`). */
  readonly action: Buffer;
  /** The document line's exact bytes, the same way; undefined for delete. */
  readonly doc: Buffer | undefined;
  /** 1-based number of the action line, counted as OpenSearch counts them in its messages. */
  readonly line: number;
  readonly spans?: ActionSpans | undefined;
}

/**
 * Where parseBulk found a JSON action line's metadata object and its `_id`/`_index` values, for the
 * bytes in `of`: a rewrite then needs no second lexing of the line, and an item whose line was
 * rewritten since (a copy with another `action`) is never edited by stale offsets.
 */
export interface ActionSpans extends Pick<Meta, "open" | "members" | "idSpan" | "indexSpan"> {
  readonly of: Buffer;
}

export interface BulkDefaults {
  readonly index?: string | undefined;
  readonly routing?: string | undefined;
  readonly pipeline?: string | undefined;
  /**
   * Take `_type` in action lines, as Elasticsearch 7.x and OpenSearch 1.x do (2.x refuses the whole
   * request). The gateway sets it whatever the source: the source judges the type; refused here, such
   * a bulk would be logged as an opaque request, which replay sends to a 2.x target as it is, and
   * which that target refuses.
   */
  readonly types?: boolean;
}

const VALID_ACTIONS: ReadonlySet<string> = new Set(["create", "delete", "index", "update"]);
const NEWLINE = Buffer.from("\n");
const FF = Buffer.from([SMILE_SEPARATOR]);

const VALUE_TOKENS: ReadonlySet<Token> = new Set([
  "VALUE_STRING",
  "VALUE_NUMBER",
  "VALUE_BOOLEAN",
  "VALUE_EMBEDDED_OBJECT",
]);
const SOURCE_KEYS: ReadonlySet<string> = new Set(["includes", "include", "excludes", "exclude"]);

function longValue(reader: ActionReader, token: Token): bigint {
  return token === "VALUE_STRING" ? stringToLong(reader.text()) : reader.long();
}

function booleanValue(reader: ActionReader, token: Token): boolean {
  if (token !== "VALUE_STRING") return reader.bool();
  const text = reader.text();
  if (text === "true" || text === "false" || text === "") return text === "true";
  throw illegal(`Failed to parse value [${text}] as only [true] or [false] are allowed.`);
}

/** FetchSourceContext.fromXContent on the `_source` object of an action line. */
function sourceObject(reader: ActionReader): void {
  let field = "";
  for (let token = reader.next(); token !== "END_OBJECT"; token = reader.next()) {
    if (token === "FIELD_NAME") field = reader.name;
    else if (token === "START_ARRAY" && SOURCE_KEYS.has(field)) {
      for (let item = reader.next(); item !== "END_ARRAY"; item = reader.next())
        if (item !== "VALUE_STRING") throw parsing(`Unknown key for a ${item} in [${field}].`);
    } else if (token !== "VALUE_STRING" || !SOURCE_KEYS.has(field))
      throw parsing(`Unknown key for a ${token} in [${field}].`);
  }
}

/** The metadata of one action line, or null for a line OpenSearch skips (blank, comments only). */
function readMeta(reader: ActionReader, line: number, types = false): Meta | null {
  const malformed = (what: string) => illegal(`Malformed action/metadata line [${line}], ${what}`);
  let token = reader.next();
  if (token === null) return null;
  if (token !== "START_OBJECT") throw malformed(`expected START_OBJECT but found [${token}]`);
  token = reader.next();
  if (token !== "FIELD_NAME") throw malformed(`expected FIELD_NAME but found [${token}]`);
  const action = reader.name;
  if (!VALID_ACTIONS.has(action))
    throw malformed(`expected one of [create, delete, index, update] but found [${action}]`);
  const meta: Meta = {
    action: action as BulkOp,
    opType: undefined,
    index: undefined,
    id: undefined,
    routing: undefined,
    pipeline: undefined,
    version: MATCH_ANY,
    versionType: "INTERNAL",
    ifSeqNo: UNASSIGNED_SEQ_NO,
    ifPrimaryTerm: 0n,
    retryOnConflict: 0,
    open: -1,
    members: 0,
    idSpan: undefined,
    indexSpan: undefined,
  };
  token = reader.next();
  if (token === "END_OBJECT") return meta;
  if (token !== "START_OBJECT") throw malformed(`expected START_OBJECT or END_OBJECT but found [${token}]`);
  meta.open = reader.tokenEnd;
  let field = "";
  const simple = (found: string) =>
    malformed(`expected a simple value for field [${field}] but found [${found}]`);
  for (token = reader.next(); token !== "END_OBJECT"; token = reader.next()) {
    if (token === "FIELD_NAME") {
      field = reader.name;
      meta.members++;
    } else if (VALUE_TOKENS.has(token as Token)) readField(reader, token as Token, field, meta, line, types);
    else if (token === "START_OBJECT" && field === "_source") sourceObject(reader);
    else if (token === "VALUE_NULL") {
      if (field === "_id") meta.idSpan = [reader.tokenStart, reader.tokenEnd];
    } else throw simple(String(token));
  }
  return meta;
}

function readField(
  reader: ActionReader,
  token: Token,
  field: string,
  meta: Meta,
  line: number,
  types: boolean,
): void {
  const span = (): [number, number] => [reader.tokenStart, reader.tokenEnd];
  const text = () => (token === "VALUE_EMBEDDED_OBJECT" ? null : reader.text());
  switch (field) {
    case "_index":
      meta.index = text();
      meta.indexSpan = span();
      return;
    case "_id":
      meta.id = text();
      meta.idSpan = span();
      return;
    case "routing":
      meta.routing = text();
      return;
    case "op_type":
      meta.opType = text();
      return;
    case "version":
      meta.version = longValue(reader, token);
      return;
    case "version_type": {
      const name = String(text());
      const type = Object.hasOwn(VERSION_TYPES, name) ? VERSION_TYPES[name] : undefined;
      if (type === undefined) throw illegal(`No version type match [${name}]`);
      meta.versionType = type;
      return;
    }
    case "if_seq_no":
      meta.ifSeqNo = longValue(reader, token);
      return;
    case "if_primary_term":
      meta.ifPrimaryTerm = longValue(reader, token);
      return;
    case "retry_on_conflict":
      meta.retryOnConflict = token === "VALUE_STRING" ? stringToInt(reader.text()) : reader.int();
      return;
    case "pipeline":
      meta.pipeline = text();
      return;
    case "_source":
      if (token === "VALUE_BOOLEAN") reader.bool();
      else if (token !== "VALUE_STRING")
        throw parsing(`Expected one of [VALUE_BOOLEAN, START_OBJECT] but found [${token}]`);
      return;
    case "require_alias":
      booleanValue(reader, token);
      return;
    case "_type":
      if (!types) break;
      text();
      return;
  }
  throw illegal(`Action/metadata line [${line}] contains an unknown parameter [${field}]`);
}

function reader(body: Buffer, start: number, end: number, format: BulkFormat): ActionReader {
  return format === "json" ? new JsonActionLexer(body, start, end) : new SmileActionReader(body, start, end);
}

/** Splits a `_bulk` body into items exactly as OpenSearch would, or throws its refusal as BadWrite. */
export function parseBulk(body: Buffer, format: BulkFormat, defaults: BulkDefaults): BulkItem[] {
  if (body.length === 0) throw new BadWrite(400, "request body is required", "parse_exception");
  const marker = format === "json" ? 0x0a : SMILE_SEPARATOR;
  const nextMarker = (from: number): number => {
    const at = body.indexOf(marker, from);
    if (at === -1 && from !== body.length)
      throw illegal("The bulk request must be terminated by a newline [\\n]");
    return at;
  };
  // OpenSearch drops the `\r` of a CRLF document line; the action line's is white space to the parser.
  const trimmedEnd = (from: number, end: number) =>
    format === "json" && end > from && body[end - 1] === 0x0d ? end - 1 : end;
  const items: BulkItem[] = [];
  const errors: string[] = [];
  let line = 0;
  let from = 0;
  for (;;) {
    let end = nextMarker(from);
    if (end === -1) break;
    line++;
    const actionLine = line;
    const actionStart = from;
    const meta = readMeta(reader(body, from, end, format), line, defaults.types === true);
    const action = body.subarray(from, trimmedEnd(from, end));
    from = end + 1;
    if (meta === null) continue;
    let doc: Buffer | undefined;
    if (meta.action !== "delete") {
      end = nextMarker(from);
      if (end === -1) break;
      line++;
      doc = body.subarray(from, trimmedEnd(from, end));
      from = end + 1;
      if (meta.action === "update" && (meta.version !== MATCH_ANY || meta.versionType !== "INTERNAL"))
        throw illegal(
          "Update requests do not support versioning. Please use `if_seq_no` and `if_primary_term` instead",
        );
    }
    checkSeqNo(meta);
    const op: BulkOp = meta.action === "index" && meta.opType === "create" ? "create" : meta.action;
    const given = <T>(value: T | null | undefined, fallback: T | undefined) =>
      value === undefined ? fallback : (value ?? undefined);
    const index = given(meta.index, defaults.index);
    const pipeline =
      op === "delete"
        ? undefined
        : op === "update"
          ? defaults.pipeline
          : given(meta.pipeline, defaults.pipeline);
    validate(meta, op, index, pipeline, errors);
    const routing = given(meta.routing, defaults.routing);
    const spans: ActionSpans | undefined =
      format === "json" && meta.open >= 0
        ? {
            of: action,
            open: meta.open - actionStart,
            members: meta.members,
            idSpan: relative(meta.idSpan, actionStart),
            indexSpan: relative(meta.indexSpan, actionStart),
          }
        : undefined;
    items.push({
      op,
      index: index ?? "",
      id: meta.id ?? undefined,
      routing: routing === "" ? undefined : routing,
      pipeline,
      action,
      doc,
      line: actionLine,
      spans,
    });
  }
  if (items.length === 0) errors.unshift("no requests added");
  if (errors.length > 0)
    throw new BadWrite(
      400,
      `Validation Failed: ${errors.map((e, i) => `${i + 1}: ${e};`).join("")}`,
      "action_request_validation_exception",
    );
  return items;
}

/** The action line with `_id` or `_index` set, in the same format; every other byte kept. */
function rewrite(item: BulkItem, format: BulkFormat, key: "_id" | "_index", value: string): Buffer {
  if (format === "smile") {
    const r = new SmileReader(item.action);
    r.next();
    r.next();
    const op = r.name;
    const token = r.next();
    const meta = token === "START_OBJECT" ? (r.readTree(token) as Map<string, SmileValue>) : new Map();
    meta.set(key, value);
    return encodeSmile(new Map([[op, meta]]));
  }
  // A line parseBulk accepted: `_type` is in it only if the caller allowed it.
  const meta =
    spansOf(item) ?? readMeta(new JsonActionLexer(item.action, 0, item.action.length), item.line, true);
  if (meta === null || meta.open < 0) throw new Error("withId/withIndex need an action line from parseBulk");
  const span = key === "_id" ? meta.idSpan : meta.indexSpan;
  if (span !== undefined) return splice(item.action, span[0], span[1], JSON.stringify(value));
  const member = `"${key}":${JSON.stringify(value)}${meta.members > 0 ? "," : ""}`;
  return splice(item.action, meta.open, meta.open, member);
}

/** `line` with its bytes from `at` to `to` replaced by `text`, in one new buffer: each action given an id. */
function splice(line: Buffer, at: number, to: number, text: string): Buffer {
  const length = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(line.length - (to - at) + length);
  line.copy(out, 0, 0, at);
  out.write(text, at);
  line.copy(out, at + length, to);
  return out;
}

function relative(span: [number, number] | undefined, from: number): [number, number] | undefined {
  return span === undefined ? undefined : [span[0] - from, span[1] - from];
}

/** The spans parseBulk found, if the item's line is still the one they were found in. */
function spansOf(item: BulkItem): ActionSpans | undefined {
  return item.spans?.of === item.action ? item.spans : undefined;
}

/** The action line with `_id` set: for id-less index/create actions the gateway assigns ids to. */
export function withId(item: BulkItem, format: BulkFormat, id: string): Buffer {
  return rewrite(item, format, "_id", id);
}

/** The action line with `_index` set (dual mode renames indices for the target). */
export function withIndex(item: BulkItem, format: BulkFormat, index: string): Buffer {
  return rewrite(item, format, "_index", index);
}

/** A body OpenSearch reads as these lines; each line is copied once, into the result. */
export function joinBulk(lines: readonly Buffer[], format: BulkFormat): Buffer {
  const separator = format === "json" ? NEWLINE : FF;
  const parts: Buffer[] = new Array(lines.length * 2);
  let length = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as Buffer;
    parts[2 * i] = line;
    parts[2 * i + 1] = separator;
    length += line.length + 1;
  }
  return Buffer.concat(parts, length);
}
