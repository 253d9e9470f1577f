/**
 * A body or an answer read as a JSON value, whatever format it is in (OpenSearch takes and gives JSON,
 * YAML, CBOR and SMILE alike): for the few request rewrites replay must make (replay/portable.ts), and
 * for the answers the gateway must read (a rollover's new index). A request that needs no rewrite is
 * never decoded and travels as its own bytes; one that does goes to the target as JSON. Integers keep
 * their exact value: one a double cannot hold becomes a raw JSON literal.
 */
import { decode as decodeCbor } from "cborg";
import { parse as parseYaml } from "yaml";
import { losslessParse, parseForTransform, rawJson } from "../json/index.ts";
import { type BodyFormat, bodyFormat } from "./content-type.ts";
import type { Body } from "./records.ts";
import { SmileReader, type SmileToken, type SmileValue } from "./smile.ts";

/** The body as a JSON value (raw literals for numbers that need them); undefined when it cannot be read. */
export function bodyValue(body: Body | undefined): unknown {
  if (body === undefined) return undefined;
  // JSON strings stay raw too: a rewritten body keeps every string as the client wrote it.
  return decodeAs(body.bytes, bodyFormat(body.contentType), losslessParse);
}

/**
 * An answer's format told by its first bytes, for answers whose Content-Type is not at hand: SMILE's
 * header, YAML's document marker, a CBOR major type, JSON otherwise.
 */
export function answerFormat(bytes: Buffer): BodyFormat {
  const first = bytes[0];
  if (first === 0x3a && bytes[1] === 0x29 && bytes[2] === 0x0a) return "smile";
  if (bytes.subarray(0, 3).toString("latin1") === "---") return "yaml";
  return first !== undefined && first >= 0x80 ? "cbor" : "json";
}

/** An answer read as bodyValue reads a body, in the format answerFormat tells. */
export function answerValue(bytes: Buffer): unknown {
  // Read, not rewritten: plain strings, numbers raw only where a double would change them.
  return decodeAs(bytes, answerFormat(bytes), parseForTransform);
}

function decodeAs(
  bytes: Buffer,
  format: BodyFormat | undefined,
  parseJson: (text: string) => unknown,
): unknown {
  try {
    switch (format) {
      case "json":
        return parseJson(bytes.toString("utf8"));
      case "yaml":
        return plain(parseYaml(bytes.toString("utf8"), { intAsBigInt: true }));
      case "cbor":
        return plain(decodeCbor(bytes, { useMaps: false }));
      case "smile": {
        const reader = new SmileReader(bytes);
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
