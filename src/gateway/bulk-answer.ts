import { parse as parseYaml } from "yaml";
import { answerFormat, answerValue } from "./body-value.ts";
import { type SmileMap, SmileReader, type SmileToken, type SmileValue } from "./smile.ts";

/** One `_bulk` item's result as the gateway needs it for its outcome record. */
export interface BulkAnswerItem {
  readonly status: number | undefined;
  readonly id: string | undefined;
}

/**
 * The items of a `_bulk` answer, in whichever format the cluster answered: a client's `Accept` header
 * (or `?format=`) picks JSON, YAML, SMILE or CBOR, and the client must get that answer untouched, so the
 * gateway reads it as it is. Undefined when the items cannot be read (a broken answer): the
 * outcomes are then logged as unknown and replay copies those documents from the source.
 */
export function bulkAnswerItems(answer: Buffer): BulkAnswerItem[] | undefined {
  try {
    switch (answerFormat(answer)) {
      case "smile":
        return smileItems(answer);
      case "yaml":
        return plainItems(parseYaml(answer.toString("utf8")));
      case "cbor":
        return plainItems(answerValue(answer));
      default:
        // An empty answer is not JSON either: JSON.parse refuses it.
        return plainItems(JSON.parse(answer.toString("utf8")));
    }
  } catch {
    return undefined;
  }
}

function plainItems(answer: unknown): BulkAnswerItem[] | undefined {
  const items = (answer as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => {
    const detail = (item === null || typeof item !== "object" ? undefined : Object.values(item)[0]) as
      | { status?: unknown; _id?: unknown }
      | undefined;
    return {
      status: typeof detail?.status === "number" ? detail.status : undefined,
      id: typeof detail?._id === "string" ? detail._id : undefined,
    };
  });
}

function smileItems(answer: Buffer): BulkAnswerItem[] | undefined {
  const reader = new SmileReader(answer);
  const tree = reader.readTree(reader.next() as SmileToken);
  const items = tree instanceof Map ? tree.get("items") : undefined;
  if (!Array.isArray(items)) return undefined;
  return items.map((item) => {
    const detail = item instanceof Map ? (item.values().next().value as SmileValue) : undefined;
    const fields: SmileMap = detail instanceof Map ? detail : new Map();
    const status = fields.get("status");
    const id = fields.get("_id");
    return {
      status: isInteger(status) ? Number(status.value) : undefined,
      id: typeof id === "string" ? id : undefined,
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
