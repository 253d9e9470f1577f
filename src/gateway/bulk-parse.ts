// INTERIM (JSON only) until the full splitter lands.
import { isRawJson, losslessParse } from "../json/index.ts";
import { BadWrite } from "./bad-write.ts";

export type BulkFormat = "json" | "smile";

export interface BulkItem {
  readonly op: "index" | "create" | "update" | "delete";
  readonly index: string;
  /** Whether the action line named `_index` (else the URL's index applies). */
  readonly explicitIndex: boolean;
  readonly id: string | undefined;
  readonly routing: string | undefined;
  readonly pipeline: string | undefined;
  readonly action: Buffer;
  readonly doc: Buffer | undefined;
}

const OPS = new Set(["index", "create", "update", "delete"]);

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (isRawJson(value)) {
    const raw = value.rawJSON;
    return raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return undefined;
}

export function parseBulk(
  body: Buffer,
  format: BulkFormat,
  defaults: { index?: string | undefined; routing?: string | undefined; pipeline?: string | undefined },
): BulkItem[] {
  if (format !== "json") throw new BadWrite(400, "smile not yet");
  const lines: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lf = body.indexOf(0x0a, at);
    if (lf === -1)
      throw new BadWrite(
        400,
        "The bulk request must be terminated by a newline [\\n]",
        "illegal_argument_exception",
      );
    const line = body.subarray(at, lf);
    if (line.toString("latin1").trim() !== "") lines.push(line);
    at = lf + 1;
  }
  const items: BulkItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    let action: unknown;
    try {
      action = losslessParse((lines[i] as Buffer).toString("utf8"));
    } catch {
      throw new BadWrite(400, "malformed action line", "illegal_argument_exception");
    }
    const keys = action !== null && typeof action === "object" ? Object.keys(action) : [];
    const op = keys[0];
    if (keys.length !== 1 || op === undefined || !OPS.has(op))
      throw new BadWrite(400, "bad action", "illegal_argument_exception");
    const meta = (action as Record<string, Record<string, unknown>>)[op] ?? {};
    const named = text(meta._index);
    const index = named ?? defaults.index;
    if (index === undefined) throw new BadWrite(400, "no index", "action_request_validation_exception");
    const actionLine = lines[i] as Buffer;
    let doc: Buffer | undefined;
    if (op !== "delete") {
      i++;
      doc = lines[i];
      if (doc === undefined) throw new BadWrite(400, "no doc", "illegal_argument_exception");
    }
    items.push({
      op: op as BulkItem["op"],
      index,
      explicitIndex: named !== undefined,
      id: text(meta._id),
      routing: text(meta.routing) ?? text(meta._routing) ?? defaults.routing,
      pipeline: text(meta.pipeline) ?? defaults.pipeline,
      action: actionLine,
      doc,
    });
  }
  return items;
}

function rewrite(item: BulkItem, change: Record<string, string>): Buffer {
  const action = losslessParse(item.action.toString("utf8")) as Record<string, Record<string, unknown>>;
  return Buffer.from(JSON.stringify({ [item.op]: { ...action[item.op], ...change } }));
}

export function withId(item: BulkItem, _format: BulkFormat, id: string): Buffer {
  return rewrite(item, { _id: id });
}

export function withIndex(item: BulkItem, _format: BulkFormat, index: string): Buffer {
  return rewrite(item, { _index: index });
}

export function joinBulk(lines: readonly Buffer[], _format: BulkFormat): Buffer {
  const parts: Buffer[] = [];
  const lf = Buffer.from("\n");
  for (const line of lines) parts.push(line, lf);
  return Buffer.concat(parts);
}
