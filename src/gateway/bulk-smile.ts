/**
 * The SMILE side of the action-line parser: SmileReader's tokens with the value accessors and
 * refusals of OpenSearch's SMILE XContentParser (Jackson's SmileParser).
 */
import { BadWrite } from "./bad-write.ts";
import type { ActionReader, Token } from "./bulk-reader.ts";
import { SmileError, type SmileNumber, SmileReader } from "./smile.ts";

const LONG: readonly [bigint, bigint, string] = [
  -(1n << 63n),
  (1n << 63n) - 1n,
  "long (-9223372036854775808 - 9223372036854775807)",
];
const INT: readonly [bigint, bigint, string] = [
  -(1n << 31n),
  (1n << 31n) - 1n,
  "int (-2147483648 - 2147483647)",
];

export class SmileActionReader implements ActionReader {
  readonly #reader: SmileReader | undefined;
  readonly #length: number;
  #token: Token | null = null;
  readonly tokenStart = 0;
  readonly tokenEnd = 0;

  constructor(body: Buffer, start: number, end: number) {
    this.#length = end - start;
    try {
      this.#reader = new SmileReader(body, start, end);
    } catch (error) {
      throw this.#wrap(error, start);
    }
  }

  #fail(message: string, at: number, type = "json_parse_exception", status: 400 | 500 = 400): BadWrite {
    // OpenSearch's byte offset also counts where the body sat in its network buffer: ours cannot match.
    return new BadWrite(
      status,
      `${message}\n at [Source: (byte[])[${this.#length} bytes]; byte offset: #${at}]`,
      type,
    );
  }

  #wrap(error: unknown, at: number): unknown {
    return error instanceof SmileError ? this.#fail(error.message, at) : error;
  }

  get #r(): SmileReader {
    return this.#reader as SmileReader;
  }

  get name(): string {
    return this.#r.name;
  }

  next(): Token | null {
    try {
      this.#token = this.#r.next();
      return this.#token;
    } catch (error) {
      throw this.#wrap(error, this.#r.offset);
    }
  }

  text(): string {
    const value = this.#r.value;
    if (typeof value === "string") return value;
    if (typeof value === "boolean") return String(value);
    return smileNumberText(value as SmileNumber);
  }

  #integral([min, max, range]: readonly [bigint, bigint, string]): bigint {
    const value = this.#r.value;
    if (typeof value === "boolean") {
      const name = value ? "VALUE_TRUE" : "VALUE_FALSE";
      throw this.#fail(`Internal error: number token (${name}) decoded, no value set`, this.#r.offset);
    }
    if (this.#token !== "VALUE_NUMBER")
      throw this.#fail(
        `Current token (${this.#token}) not numeric, can not use numeric value accessors`,
        this.#r.offset,
      );
    const n = value as SmileNumber;
    let result: bigint;
    let inRange: boolean;
    if (n.kind === "float" || n.kind === "double") {
      inRange = n.value >= Number(min) && n.value <= Number(max);
      result = inRange ? BigInt(Math.trunc(n.value)) : 0n;
    } else if (n.kind === "bigdecimal") {
      const scale = 10n ** BigInt(Math.abs(n.scale));
      const exact = n.scale >= 0 ? n.unscaled / scale : n.unscaled * scale;
      inRange = exact >= min && exact <= max;
      result = exact;
    } else {
      result = n.value as bigint;
      inRange = result >= min && result <= max;
    }
    if (!inRange)
      throw this.#fail(
        `Numeric value (${smileNumberText(n)}) out of range of ${range}`,
        this.#r.offset,
        "input_coercion_exception",
        500,
      );
    return result > max ? max : result;
  }

  long(): bigint {
    return this.#integral(LONG);
  }

  int(): number {
    return Number(this.#integral(INT));
  }

  bool(): boolean {
    const value = this.#r.value;
    if (typeof value === "boolean") return value;
    if (this.#token !== "VALUE_NUMBER")
      throw this.#fail(`Current token (${this.#token}) not of boolean type`, this.#r.offset);
    const n = value as SmileNumber;
    const kind = n.kind === "int" || n.kind === "long" || n.kind === "bigint" ? "INT" : "FLOAT";
    throw this.#fail(`Current token (VALUE_NUMBER_${kind}) not of boolean type`, this.#r.offset);
  }
}

/** Java's Double.toString / Float.toString layout over the shortest digits that read back the same. */
function javaFloating(value: number, float: boolean): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  let shortest = value.toExponential();
  if (float) {
    for (let p = 1; p <= 9; p++) {
      const candidate = value.toExponential(p - 1);
      if (Math.fround(Number(candidate)) === value) {
        shortest = candidate;
        break;
      }
    }
  }
  const [mantissa = "", exp = "0"] = shortest.split("e");
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace(/[-.]/g, "");
  const e = Number(exp);
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    if (e >= 0) {
      const int = digits.slice(0, e + 1).padEnd(e + 1, "0");
      return `${sign}${int}.${digits.slice(e + 1) || "0"}`;
    }
    return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || "0"}E${e}`;
}

/** Java's BigDecimal.toString. */
function javaBigDecimal(unscaled: bigint, scale: number): string {
  const sign = unscaled < 0n ? "-" : "";
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString();
  const adjusted = -scale + (digits.length - 1);
  if (scale >= 0 && adjusted >= -6) {
    if (scale === 0) return sign + digits;
    if (digits.length > scale) return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
    return `${sign}0.${"0".repeat(scale - digits.length)}${digits}`;
  }
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${head}E${adjusted >= 0 ? "+" : ""}${adjusted}`;
}

/** What Jackson's SmileParser.getText() gives for a number: Java's toString of its type. */
export function smileNumberText(n: SmileNumber): string {
  switch (n.kind) {
    case "float":
    case "double":
      return javaFloating(n.value, n.kind === "float");
    case "bigdecimal":
      return javaBigDecimal(n.unscaled, n.scale);
    default:
      return n.value.toString();
  }
}
