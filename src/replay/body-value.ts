/**
 * A logged request body read as a JSON value, whatever format the client sent it in (OpenSearch takes
 * JSON, YAML, CBOR and SMILE bodies alike), for the few rewrites replay must make (portable.ts). A body
 * that needs no rewrite is never decoded and travels as its own bytes; one that does goes to the target
 * as JSON. Numbers keep their exact value: an integer a double cannot hold, and any number whose JSON
 * text would change, become raw JSON literals.
 */
import { decode as decodeCbor } from "cborg";
import { parse as parseYaml } from "yaml";
import { type Body, bodyFormat } from "../gateway/index.ts";
import { SmileReader, type SmileToken, type SmileValue } from "../gateway/smile.ts";
import { losslessParse, rawJson } from "../json/index.ts";

/** The body as a JSON value (raw literals for numbers that need them); undefined when it cannot be read. */
export function bodyValue(body: Body | undefined): unknown {
  if (body === undefined) return undefined;
  try {
    switch (bodyFormat(body.contentType)) {
      case "json":
        return losslessParse(body.bytes.toString("utf8"));
      case "yaml":
        return plain(parseYaml(body.bytes.toString("utf8"), { intAsBigInt: true }));
      case "cbor":
        return plain(decodeCbor(body.bytes, { useMaps: false }));
      case "smile": {
        const reader = new SmileReader(body.bytes);
        const first = reader.next();
        return first === null ? undefined : smile(reader.readTree(first as SmileToken));
      }
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

/** YAML and CBOR decoders give bigints for integers past 2^53 and plain objects otherwise. */
function plain(value: unknown): unknown {
  if (typeof value === "bigint") return rawJson(value.toString());
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = plain(child);
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) throw new Error("not a JSON number");
  return value;
}

function smile(value: SmileValue): unknown {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  // Jackson writes a binary value into JSON as base64.
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(smile);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of value) out[key] = smile(child);
    return out;
  }
  switch (value.kind) {
    case "int":
    case "long":
    case "bigint":
      return rawJson(value.value.toString());
    case "float":
    case "double":
      if (!Number.isFinite(value.value)) throw new Error("not a JSON number");
      return value.value;
    case "bigdecimal":
      return rawJson(decimalText(value.unscaled, value.scale));
  }
}

function decimalText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return `${unscaled}${"0".repeat(-scale)}`;
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
