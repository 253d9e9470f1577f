import { parse as parseYaml } from "yaml";
import { isRawJson } from "../json/index.ts";
import { answerFormat, answerValue } from "./body-value.ts";
import type { AppliedAt } from "./records.ts";
import { type SmileMap, SmileReader, type SmileToken, type SmileValue } from "./smile.ts";

/** One `_bulk` item's result as the gateway needs it for its outcome record. */
export interface BulkAnswerItem {
  readonly status: number | undefined;
  readonly id: string | undefined;
  readonly applied: AppliedAt | undefined;
}

/** What a single-document write's answer says: its id, and where the cluster applied it. */
export interface DocAnswer {
  readonly id: string | undefined;
  readonly applied: AppliedAt | undefined;
}

/**
 * A single-document write's answer, in whichever format the cluster answered; nothing when it
 * cannot be read. JSON, by far the usual format, is parsed plainly: only small integers and
 * strings are read from it.
 */
export function docAnswer(answer: Buffer, named: string): DocAnswer {
  let value: unknown;
  if (answerFormat(answer) === "json") {
    try {
      value = JSON.parse(answer.toString("utf8"));
    } catch {
      value = undefined;
    }
  } else value = answerValue(answer);
  const fields = value !== null && typeof value === "object" ? (value as Fields) : {};
  return { id: typeof fields._id === "string" ? fields._id : undefined, applied: appliedOf(fields, named) };
}

interface Fields {
  readonly _id?: unknown;
  readonly _index?: unknown;
  readonly _seq_no?: unknown;
  readonly _primary_term?: unknown;
}

/** Undefined unless both numbers are there and exact. */
function appliedOf(fields: Fields, named: string | undefined): AppliedAt | undefined {
  const seq = exact(fields._seq_no);
  const term = exact(fields._primary_term);
  if (seq === undefined || term === undefined) return undefined;
  const index = typeof fields._index === "string" && fields._index !== named ? fields._index : undefined;
  return index === undefined ? { seq, term } : { seq, term, index };
}

/** A YAML or CBOR answer read by answerValue gives integers as raw literals. */
function exact(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : isRawJson(value) ? Number(value.rawJSON) : Number.NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The items of a `_bulk` answer, in whichever format the cluster answered: a client's `Accept` header
 * (or `?format=`) picks JSON, YAML, SMILE or CBOR, and the client must get that answer untouched, so the
 * gateway reads it as it is. Undefined when the items cannot be read (a broken answer): the
 * outcomes are then logged as unknown and replay copies those documents from the source.
 */
export function bulkAnswerItems(
  answer: Buffer,
  named: readonly (string | undefined)[],
): BulkAnswerItem[] | undefined {
  try {
    switch (answerFormat(answer)) {
      case "smile":
        return smileItems(answer, named);
      case "yaml":
        return plainItems(parseYaml(answer.toString("utf8")), named);
      case "cbor":
        return plainItems(answerValue(answer), named);
      default:
        // An empty answer is not JSON either: JSON.parse refuses it.
        return plainItems(JSON.parse(answer.toString("utf8")), named);
    }
  } catch {
    return undefined;
  }
}

function plainItems(answer: unknown, named: readonly (string | undefined)[]): BulkAnswerItem[] | undefined {
  const items = (answer as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.map((item, n) => {
    const detail = (item === null || typeof item !== "object" ? undefined : Object.values(item)[0]) as
      | (Fields & { status?: unknown })
      | undefined;
    return {
      status: exact(detail?.status),
      id: typeof detail?._id === "string" ? detail._id : undefined,
      applied: detail === undefined ? undefined : appliedOf(detail, named[n]),
    };
  });
}

function smileItems(answer: Buffer, named: readonly (string | undefined)[]): BulkAnswerItem[] | undefined {
  const reader = new SmileReader(answer);
  const tree = reader.readTree(reader.next() as SmileToken);
  const items = tree instanceof Map ? tree.get("items") : undefined;
  if (!Array.isArray(items)) return undefined;
  return items.map((item, n) => {
    const detail = item instanceof Map ? (item.values().next().value as SmileValue) : undefined;
    const fields: SmileMap = detail instanceof Map ? detail : new Map();
    const id = fields.get("_id");
    const int = (key: string) => {
      const value = fields.get(key);
      return isInteger(value) ? Number(value.value) : undefined;
    };
    const index = fields.get("_index");
    return {
      status: int("status"),
      id: typeof id === "string" ? id : undefined,
      applied: appliedOf(
        { _seq_no: int("_seq_no"), _primary_term: int("_primary_term"), _index: index },
        named[n],
      ),
    };
  });
}

function isInteger(value: SmileValue | undefined): value is { kind: "int" | "long"; value: bigint } {
  return (
    typeof value === "object" &&
    value !== null &&
    "kind" in value &&
    (value.kind === "int" || value.kind === "long")
  );
}
