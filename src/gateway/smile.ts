/**
 * A minimal SMILE codec (https://github.com/FasterXML/smile-format-specification), for `_bulk` action
 * lines sent as `application/smile`: a pull reader with Jackson's token model, and a writer for the
 * small values an action line holds. No npm package both reads and writes SMILE (smile-js only
 * decodes; @jsonjoy.com/json-pack has no SMILE).
 *
 * Numbers keep their SMILE type and exact value (longs and big integers as bigint, floats and doubles
 * as their bits), so an action line read and written again means the same to OpenSearch.
 */

export const SMILE_SEPARATOR = 0xff;

export type SmileNumber =
  | { readonly kind: "int" | "long" | "bigint"; readonly value: bigint }
  | { readonly kind: "float" | "double"; readonly value: number }
  | { readonly kind: "bigdecimal"; readonly unscaled: bigint; readonly scale: number };

/** Objects are Maps (insertion order is the wire order); binary values are Uint8Arrays. */
export type SmileValue = null | boolean | string | SmileNumber | Uint8Array | SmileValue[] | SmileMap;
export type SmileMap = Map<string, SmileValue>;

export type SmileToken =
  | "START_OBJECT"
  | "END_OBJECT"
  | "START_ARRAY"
  | "END_ARRAY"
  | "FIELD_NAME"
  | "VALUE_STRING"
  | "VALUE_NUMBER"
  | "VALUE_BOOLEAN"
  | "VALUE_NULL"
  | "VALUE_EMBEDDED_OBJECT";

export class SmileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SmileError";
  }
}

const TABLE_SIZE = 1024;
const utf8 = new TextDecoder("utf-8");

function isNumber(value: SmileValue): value is SmileNumber {
  return typeof value === "object" && value !== null && "kind" in value;
}

/**
 * Reads one SMILE document (the bytes between two 0xFF separators) token by token, as Jackson's
 * SmileParser does: nothing past the last token asked for is looked at.
 */
export class SmileReader {
  readonly #buf: Uint8Array;
  readonly #end: number;
  #pos: number;
  readonly #names: string[] | undefined;
  readonly #values: string[] | undefined;
  /** One entry per open container: true for an object (next token is a key or END_OBJECT). */
  readonly #stack: boolean[] = [];
  #expectKey = false;
  name = "";
  value: SmileValue = null;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#end = end;
    this.#pos = start;
    let flags = 0x01; // no header: shared names on, shared values off (spec defaults)
    if (end - start >= 4 && buf[start] === 0x3a && buf[start + 1] === 0x29 && buf[start + 2] === 0x0a) {
      flags = buf[start + 3] as number;
      if (flags >> 4 !== 0)
        throw new SmileError(`Header version number bits (0x${(flags >> 4).toString(16)}) not supported`);
      this.#pos = start + 4;
    } else if (end > start) {
      const first = buf[start] as number;
      throw new SmileError(
        `Input does not start with Smile format header (first byte = 0x${first.toString(16)}) and parser has REQUIRE_HEADER enabled: can not parse`,
      );
    }
    this.#names = flags & 0x01 ? [] : undefined;
    this.#values = flags & 0x02 ? [] : undefined;
  }

  /** Offset of the next unread byte. */
  get offset(): number {
    return this.#pos;
  }

  #byte(): number {
    if (this.#pos >= this.#end) throw new SmileError("Unexpected end-of-input in SMILE content");
    return this.#buf[this.#pos++] as number;
  }

  #bytes(length: number): Uint8Array {
    if (this.#pos + length > this.#end) throw new SmileError("Unexpected end-of-input in SMILE content");
    this.#pos += length;
    return this.#buf.subarray(this.#pos - length, this.#pos);
  }

  #untilEnd(): Uint8Array {
    const from = this.#pos;
    while (this.#byte() !== 0xfc);
    return this.#buf.subarray(from, this.#pos - 1);
  }

  #vint(): bigint {
    let acc = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.#byte();
      if (b & 0x80) return (acc << 6n) | BigInt(b & 0x3f);
      acc = (acc << 7n) | BigInt(b);
    }
    throw new SmileError("Corrupt SMILE VInt");
  }

  #sevenBit(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let acc = 0;
    let bits = 0;
    let o = 0;
    const full = Math.floor((length * 8) / 7);
    const rest = (length * 8) % 7;
    for (let i = 0; i < full + (rest > 0 ? 1 : 0); i++) {
      const width = i < full ? 7 : rest;
      acc = ((acc << width) | (this.#byte() & ((1 << width) - 1))) & 0xffff;
      bits += width;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
    }
    return out;
  }

  #remember(table: string[] | undefined, text: string): void {
    if (table === undefined) return;
    if (table.length >= TABLE_SIZE) table.length = 0;
    table.push(text);
  }

  #shared(table: string[] | undefined, index: number, what: string): string {
    const text = table?.[index];
    if (text === undefined) throw new SmileError(`Invalid shared ${what} reference ${index}`);
    return text;
  }

  #short(length: number, shareable: boolean, table: string[] | undefined): string {
    const text = utf8.decode(this.#bytes(length));
    if (shareable) this.#remember(table, text);
    return text;
  }

  /** The next token, or null at the end of the document. */
  next(): SmileToken | null {
    if (this.#expectKey) return this.#key();
    if (this.#pos >= this.#end) {
      if (this.#stack.length > 0) throw new SmileError("Unexpected end-of-input: expected close marker");
      return null;
    }
    const token = this.#valueToken(this.#byte());
    this.#expectKey = token === "START_OBJECT" || (token !== "START_ARRAY" && this.#stack.at(-1) === true);
    return token;
  }

  #key(): SmileToken {
    const b = this.#byte();
    let name: string;
    if (b === 0xfb) {
      this.#stack.pop();
      this.#expectKey = this.#stack.at(-1) === true;
      return "END_OBJECT";
    }
    if (b === 0x20) name = "";
    else if (b >= 0x30 && b <= 0x33) name = this.#shared(this.#names, ((b & 3) << 8) | this.#byte(), "name");
    else if (b === 0x34) {
      name = utf8.decode(this.#untilEnd());
      this.#remember(this.#names, name);
    } else if (b >= 0x40 && b <= 0x7f) name = this.#shared(this.#names, b & 0x3f, "name");
    else if (b >= 0x80 && b <= 0xbf) name = this.#short((b & 0x3f) + 1, true, this.#names);
    else if (b >= 0xc0 && b <= 0xf7) name = this.#short((b & 0x3f) + 2, true, this.#names);
    else throw new SmileError(`Invalid type marker byte 0x${b.toString(16)} for expected field name`);
    this.name = name;
    this.#expectKey = false;
    return "FIELD_NAME";
  }

  #valueToken(b: number): SmileToken {
    const values = this.#values;
    if (b >= 0x01 && b <= 0x1f) return this.#string(this.#shared(values, b - 1, "value"));
    if (b === 0x20) return this.#string("");
    if (b === 0x21) {
      this.value = null;
      return "VALUE_NULL";
    }
    if (b === 0x22 || b === 0x23) {
      this.value = b === 0x23;
      return "VALUE_BOOLEAN";
    }
    if (b >= 0x24 && b <= 0x2a && b !== 0x27) return this.#number(b);
    if (b >= 0x40 && b <= 0x5f) return this.#string(this.#short((b & 0x1f) + 1, true, values));
    if (b >= 0x60 && b <= 0x7f) return this.#string(this.#short((b & 0x1f) + 33, true, values));
    if (b >= 0x80 && b <= 0x9f) return this.#string(this.#short((b & 0x1f) + 2, true, values));
    if (b >= 0xa0 && b <= 0xbf) return this.#string(this.#short((b & 0x1f) + 34, true, values));
    if (b >= 0xc0 && b <= 0xdf) {
      const z = b & 0x1f;
      this.value = { kind: "int", value: BigInt((z >>> 1) ^ -(z & 1)) };
      return "VALUE_NUMBER";
    }
    if (b === 0xe0 || b === 0xe4) return this.#string(utf8.decode(this.#untilEnd()));
    if (b === 0xe8) {
      this.value = this.#sevenBit(Number(this.#vint()));
      return "VALUE_EMBEDDED_OBJECT";
    }
    if (b >= 0xec && b <= 0xef)
      return this.#string(this.#shared(values, ((b & 3) << 8) | this.#byte(), "value"));
    if (b === 0xfd) {
      this.value = this.#bytes(Number(this.#vint()));
      return "VALUE_EMBEDDED_OBJECT";
    }
    if (b === 0xf8 || b === 0xfa) {
      this.#stack.push(b === 0xfa);
      return b === 0xfa ? "START_OBJECT" : "START_ARRAY";
    }
    if (b === 0xf9 && this.#stack.at(-1) === false) {
      this.#stack.pop();
      return "END_ARRAY";
    }
    if (b === 0xfb)
      throw new SmileError("Invalid type marker byte 0xFB in value mode (would be END_OBJECT in key mode)");
    throw new SmileError(
      `Invalid type marker byte 0x${b.toString(16).toUpperCase()} for expected value token`,
    );
  }

  #string(text: string): SmileToken {
    this.value = text;
    return "VALUE_STRING";
  }

  #number(b: number): SmileToken {
    if (b === 0x24 || b === 0x25) {
      const z = this.#vint();
      this.value = { kind: b === 0x24 ? "int" : "long", value: (z >> 1n) ^ -(z & 1n) };
    } else if (b === 0x26) {
      this.value = { kind: "bigint", value: twosComplement(this.#sevenBit(Number(this.#vint()))) };
    } else if (b === 0x28) {
      let bits = 0;
      for (let i = 0; i < 5; i++) bits = ((bits << 7) | (this.#byte() & 0x7f)) >>> 0;
      const view = new DataView(new ArrayBuffer(4));
      view.setUint32(0, bits);
      this.value = { kind: "float", value: view.getFloat32(0) };
    } else if (b === 0x29) {
      let bits = 0n;
      for (let i = 0; i < 10; i++) bits = (bits << 7n) | BigInt(this.#byte() & 0x7f);
      const view = new DataView(new ArrayBuffer(8));
      view.setBigUint64(0, BigInt.asUintN(64, bits));
      this.value = { kind: "double", value: view.getFloat64(0) };
    } else {
      const z = this.#vint();
      const scale = Number((z >> 1n) ^ -(z & 1n));
      this.value = {
        kind: "bigdecimal",
        scale,
        unscaled: twosComplement(this.#sevenBit(Number(this.#vint()))),
      };
    }
    return "VALUE_NUMBER";
  }

  /** The whole value that starts with `token` (the current token), as a tree. */
  readTree(token: SmileToken): SmileValue {
    if (token === "START_OBJECT") {
      const map: SmileMap = new Map();
      for (let t = this.next(); t !== "END_OBJECT"; t = this.next()) {
        const key = this.name;
        map.set(key, this.readTree(this.next() as SmileToken));
      }
      return map;
    }
    if (token === "START_ARRAY") {
      const list: SmileValue[] = [];
      for (let t = this.next(); t !== "END_ARRAY"; t = this.next()) list.push(this.readTree(t as SmileToken));
      return list;
    }
    return this.value;
  }
}

function twosComplement(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return bytes.length > 0 && (bytes[0] as number) & 0x80 ? n - (1n << BigInt(bytes.length * 8)) : n;
}

/** BigInteger.toByteArray: the shortest two's complement big-endian form. */
function toByteArray(n: bigint): Uint8Array {
  let length = 1;
  while (n >= 1n << BigInt(length * 8 - 1) || n < -(1n << BigInt(length * 8 - 1))) length++;
  const out = new Uint8Array(length);
  let v = BigInt.asUintN(length * 8, n);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Writes SMILE with a header that turns shared names and values off, so no back reference is needed. */
export class SmileWriter {
  readonly #out: number[] = [0x3a, 0x29, 0x0a, 0x00];

  #vint(value: bigint): void {
    const tail: number[] = [0x80 | Number(value & 0x3fn)];
    let v = value >> 6n;
    while (v > 0n) {
      tail.push(Number(v & 0x7fn));
      v >>= 7n;
    }
    for (let i = tail.length - 1; i >= 0; i--) this.#out.push(tail[i] as number);
  }

  #sevenBit(bytes: Uint8Array): void {
    this.#vint(BigInt(bytes.length));
    let acc = 0;
    let bits = 0;
    for (const b of bytes) {
      acc = ((acc << 8) | b) & 0xffff;
      bits += 8;
      while (bits >= 7) {
        bits -= 7;
        this.#out.push((acc >> bits) & 0x7f);
      }
    }
    if (bits > 0) this.#out.push(acc & ((1 << bits) - 1));
  }

  #text(text: string, key: boolean): void {
    const bytes = Buffer.from(text, "utf8");
    const n = bytes.length;
    const ascii = n === text.length;
    if (n === 0) this.#out.push(0x20);
    else if (key && ascii && n <= 64) this.#out.push(0x80 + n - 1, ...bytes);
    else if (key && !ascii && n <= 57) this.#out.push(0xc0 + n - 2, ...bytes);
    else if (key) this.#out.push(0x34, ...bytes, 0xfc);
    else if (ascii && n <= 32) this.#out.push(0x40 + n - 1, ...bytes);
    else if (ascii && n <= 64) this.#out.push(0x60 + n - 33, ...bytes);
    else if (!ascii && n <= 33) this.#out.push(0x80 + n - 2, ...bytes);
    else if (!ascii && n <= 64) this.#out.push(0xa0 + n - 34, ...bytes);
    else this.#out.push(ascii ? 0xe0 : 0xe4, ...bytes, 0xfc);
  }

  #number(n: SmileNumber): void {
    const zigzag = (v: bigint, bits: number) => BigInt.asUintN(bits, (v << 1n) ^ (v >> BigInt(bits - 1)));
    switch (n.kind) {
      case "int":
      case "long":
        if (n.kind === "int" && n.value >= -16n && n.value <= 15n)
          this.#out.push(0xc0 | Number(zigzag(n.value, 32)));
        else {
          this.#out.push(n.kind === "int" ? 0x24 : 0x25);
          this.#vint(zigzag(n.value, n.kind === "int" ? 32 : 64));
        }
        return;
      case "bigint":
        this.#out.push(0x26);
        this.#sevenBit(toByteArray(n.value));
        return;
      case "float": {
        const view = new DataView(new ArrayBuffer(4));
        view.setFloat32(0, n.value);
        const bits = view.getUint32(0);
        this.#out.push(0x28);
        for (let shift = 28; shift >= 0; shift -= 7) this.#out.push((bits >>> shift) & 0x7f);
        return;
      }
      case "double": {
        const view = new DataView(new ArrayBuffer(8));
        view.setFloat64(0, n.value);
        const bits = view.getBigUint64(0);
        this.#out.push(0x29);
        for (let shift = 63n; shift >= 0n; shift -= 7n) this.#out.push(Number((bits >> shift) & 0x7fn));
        return;
      }
      case "bigdecimal":
        this.#out.push(0x2a);
        this.#vint(zigzag(BigInt(n.scale), 32));
        this.#sevenBit(toByteArray(n.unscaled));
    }
  }

  value(value: SmileValue): this {
    if (value === null) this.#out.push(0x21);
    else if (typeof value === "boolean") this.#out.push(value ? 0x23 : 0x22);
    else if (typeof value === "string") this.#text(value, false);
    else if (value instanceof Uint8Array) {
      this.#out.push(0xe8);
      this.#sevenBit(value);
    } else if (Array.isArray(value)) {
      this.#out.push(0xf8);
      for (const item of value) this.value(item);
      this.#out.push(0xf9);
    } else if (value instanceof Map) {
      this.#out.push(0xfa);
      for (const [key, item] of value) {
        this.#text(key, true);
        this.value(item);
      }
      this.#out.push(0xfb);
    } else if (isNumber(value)) this.#number(value);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.#out);
  }
}

export function encodeSmile(value: SmileValue): Buffer {
  return new SmileWriter().value(value).toBuffer();
}
