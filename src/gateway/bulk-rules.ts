/**
 * What OpenSearch 2.x checks in a `_bulk` action line's values once it has read them: string to
 * number coercions, the setters that throw, and each item's validation (BulkRequest.validate
 * numbers these across items into one "Validation Failed" answer).
 */
import { BadWrite } from "./bad-write.ts";

export type BulkOp = "index" | "create" | "update" | "delete";
export type VersionType = "INTERNAL" | "EXTERNAL" | "EXTERNAL_GTE";

export const VERSION_TYPES: Readonly<Record<string, VersionType>> = {
  internal: "INTERNAL",
  external: "EXTERNAL",
  external_gt: "EXTERNAL",
  external_gte: "EXTERNAL_GTE",
};
export const MATCH_ANY = -3n;
export const MATCH_DELETED = -4n;
export const UNASSIGNED_SEQ_NO = -2n;
const MAX_LONG = (1n << 63n) - 1n;
const MIN_LONG = -(1n << 63n);

/** An action line's metadata, with the byte spans withId/withIndex edit (JSON only). */
export interface Meta {
  action: BulkOp;
  /** null: set to a SMILE binary value, whose text Jackson gives as null (it overrides the URL's). */
  opType: string | null | undefined;
  index: string | null | undefined;
  id: string | null | undefined;
  routing: string | null | undefined;
  pipeline: string | null | undefined;
  version: bigint;
  versionType: VersionType;
  ifSeqNo: bigint;
  ifPrimaryTerm: bigint;
  retryOnConflict: number;
  /** Offset just past the metadata object's `{`, and whether it has members. */
  open: number;
  members: number;
  idSpan: [number, number] | undefined;
  indexSpan: [number, number] | undefined;
}

export const illegal = (reason: string) => new BadWrite(400, reason, "illegal_argument_exception");
export const parsing = (reason: string) => new BadWrite(400, reason, "parsing_exception");

/** Numbers.toLong(text, coerce = true): what OpenSearch makes of a long given as a string. */
export function stringToLong(text: string): bigint {
  if (/^[+-]?\d+$/.test(text)) {
    const value = BigInt(text);
    if (value >= MIN_LONG && value <= MAX_LONG) return value;
  }
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null || (match[2] === "" && (match[3] ?? "") === ""))
    throw illegal(`For input string: "${text}"`);
  const digits = `${match[2]}${match[3] ?? ""}`.replace(/^0+/, "");
  const exponent = Number(match[4] ?? "0") - (match[3] ?? "").length;
  const integral = digits.length + exponent;
  if (digits === "" || integral <= 0) return 0n;
  if (integral > 19) throw illegal(`Value [${text}] is out of range for a long`);
  const value = BigInt(exponent >= 0 ? digits + "0".repeat(exponent) : digits.slice(0, integral));
  const signed = match[1] === "-" ? -value : value;
  if (signed < MIN_LONG || signed > MAX_LONG) throw illegal(`Value [${text}] is out of range for a long`);
  return signed;
}

/** AbstractXContentParser.intValue on a string: Java's Double.parseDouble, then a range check. */
export function stringToInt(text: string): number {
  const trimmed = text.replace(/^[\0- ]+|[\0- ]+$/g, "");
  if (trimmed === "") throw new BadWrite(400, "empty String", "number_format_exception");
  const number = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/.test(trimmed)
    ? Number(trimmed.replace(/[fFdD]$/, ""))
    : undefined;
  if (number === undefined)
    throw new BadWrite(400, `For input string: "${trimmed}"`, "number_format_exception");
  if (number < -2147483648 || number > 2147483647)
    throw illegal(`Value [${text}] is out of range for an integer`);
  return Number.isNaN(number) ? 0 : Math.trunc(number);
}

/** The setters OpenSearch calls while building the item, which throw on negative numbers. */
export function checkSeqNo(meta: Meta): void {
  if (meta.ifSeqNo < 0n && meta.ifSeqNo !== UNASSIGNED_SEQ_NO)
    throw illegal(`sequence numbers must be non negative. got [${meta.ifSeqNo}].`);
  if (meta.ifPrimaryTerm < 0n)
    throw illegal(`primary term must be non negative. got [${meta.ifPrimaryTerm}]`);
}

/** DocWriteRequest.validateSeqNoBasedCASParams. */
function validateCas(meta: Meta, version: bigint, errors: string[]): void {
  const { versionType, ifSeqNo, ifPrimaryTerm } = meta;
  const internal = versionType === "INTERNAL";
  const valid = internal ? version > 0n || version === MATCH_ANY || version === MATCH_DELETED : version >= 0n;
  if (!valid) errors.push(`illegal version value [${version}] for version type [${versionType}]`);
  if (internal && version !== MATCH_ANY && version !== MATCH_DELETED)
    errors.push(
      "internal versioning can not be used for optimistic concurrency control. Please use `if_seq_no` and `if_primary_term` instead",
    );
  if (ifSeqNo !== UNASSIGNED_SEQ_NO && (!internal || version !== MATCH_ANY))
    errors.push("compare and write operations can not use versioning");
  if (ifPrimaryTerm === 0n && ifSeqNo !== UNASSIGNED_SEQ_NO)
    errors.push("ifSeqNo is set, but primary term is [0]");
  if (ifPrimaryTerm !== 0n && ifSeqNo === UNASSIGNED_SEQ_NO)
    errors.push(`ifSeqNo is unassigned, but primary term is [${ifPrimaryTerm}]`);
}

function validateIdLength(id: string | null | undefined, errors: string[]): void {
  const length = id === undefined || id === null ? 0 : Buffer.byteLength(id, "utf8");
  if (length > 512)
    errors.push(`id [${id}] is too long, must be no longer than 512 bytes but was: ${length}`);
}

/** IndexRequest/DeleteRequest/UpdateRequest.validate, as far as the action line decides them. */
export function validate(
  meta: Meta,
  op: BulkOp,
  index: string | undefined,
  pipeline: string | undefined,
  errors: string[],
) {
  if (index === undefined) errors.push("index is missing");
  if (op === "delete" || op === "update") {
    if (meta.id === undefined || meta.id === null || meta.id === "") errors.push("id is missing");
    validateCas(meta, meta.version, errors);
    if (op === "update" && meta.ifSeqNo !== UNASSIGNED_SEQ_NO && meta.retryOnConflict > 0)
      errors.push("compare and write operations can not be retried");
    if (op === "update") validateIdLength(meta.id, errors);
    return;
  }
  const create = op === "create";
  const version = create && meta.version === MATCH_ANY ? MATCH_DELETED : meta.version;
  if (create) {
    if (meta.versionType !== "INTERNAL")
      return errors.push("create operations only support internal versioning. use index instead");
    if (version !== MATCH_DELETED)
      return errors.push("create operations do not support explicit versions. use index instead");
    if (meta.ifSeqNo !== UNASSIGNED_SEQ_NO || meta.ifPrimaryTerm !== 0n)
      return errors.push("create operations do not support compare and set. use index instead");
  }
  if (
    (meta.id ?? undefined) === undefined &&
    (meta.versionType !== "INTERNAL" || (version !== MATCH_DELETED && version !== MATCH_ANY))
  )
    errors.push("an id must be provided if version type or value are set");
  validateCas(meta, version, errors);
  validateIdLength(meta.id, errors);
  if (pipeline === "") errors.push("pipeline cannot be an empty string");
}
