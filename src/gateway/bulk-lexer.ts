/**
 * Reads one JSON `_bulk` action line token by token the way OpenSearch 2.x does (Jackson 2.15 with
 * comments allowed and strict duplicate detection), so the gateway accepts exactly the action lines
 * OpenSearch accepts and refuses the others with Jackson's own message and location. Like Jackson's
 * streaming parser it never looks past the last token asked for: OpenSearch stops reading an action
 * line once its metadata object closes, so whatever follows it there is never checked.
 */
import { BadWrite } from "./bad-write.ts";
import type { ActionReader, Token } from "./bulk-reader.ts";
import {
  charDesc,
  escapeControls,
  INT_RANGE,
  isIdentifierPart,
  LONG_RANGE,
  MAX_LONG,
  MIN_LONG,
  SNIPPET,
  VALID_VALUES,
} from "./jackson-text.ts";

interface Container {
  readonly object: boolean;
  readonly open: number;
  readonly names: Set<string> | undefined;
  /** A value (or, in an object, a member) has been read: a comma or the close comes next. */
  filled: boolean;
}

export class JsonActionLexer implements ActionReader {
  readonly #buf: Buffer;
  readonly #start: number;
  readonly #end: number;
  #pos: number;
  readonly #stack: Container[] = [];
  #started = false;
  #pending: Token | undefined;
  #token: Token | null = null;
  #isInt = false;
  #string: string | undefined;
  name = "";
  tokenStart = 0;
  tokenEnd = 0;

  constructor(buf: Buffer, start: number, end: number) {
    this.#buf = buf;
    this.#start = start;
    this.#end = end;
    this.#pos = start + (buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf ? 3 : 0);
  }

  #at(i: number): number {
    return i < this.#end ? (this.#buf[i] as number) : -1;
  }

  /** ` at [Source: ...; line: L, column: C]` for the byte offset `at`, as Jackson prints it. */
  #where(at: number): string {
    const length = this.#end - this.#start;
    let text = this.#buf.toString("utf8", this.#start, this.#start + Math.min(length, SNIPPET));
    text = escapeControls(text);
    text = `"${text}"${length > SNIPPET ? `[truncated ${length - SNIPPET} bytes]` : ""}`;
    let line = 1;
    let rowStart = this.#start;
    for (let i = this.#start; i < at && i < this.#end; i++) {
      if (this.#buf[i] === 0x0d) {
        line++;
        rowStart = i + 1;
      }
    }
    return `[Source: (byte[])${text}; line: ${line}, column: ${at - rowStart + 1}]`;
  }

  #fail(message: string, at = this.#pos, type = "json_parse_exception", status: 400 | 500 = 400): BadWrite {
    return new BadWrite(status, `${message}\n at ${this.#where(at)}`, type);
  }

  #eof(message: string): BadWrite {
    return this.#fail(`Unexpected end-of-input${message}`, this.#pos, "json_e_o_f_exception");
  }

  #unexpected(c: number, what: string): BadWrite {
    return this.#fail(`Unexpected character (${charDesc(c)}): ${what}`);
  }

  /** Skips white space and comments; the next byte (consumed), or -1 at the end. */
  #skip(): number {
    for (;;) {
      const c = this.#at(this.#pos++);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
      if (c === 0x2f) {
        this.#comment();
        continue;
      }
      if (c >= 0 && c < 0x20)
        throw this.#fail(
          `Illegal character (${charDesc(c)}): only regular white space (\\r, \\n, \\t) is allowed between tokens`,
        );
      if (c < 0) this.#pos = this.#end;
      return c;
    }
  }

  #comment(): void {
    const c = this.#at(this.#pos++);
    if (c < 0) {
      this.#pos = this.#end;
      throw this.#eof(" in a comment");
    }
    if (c === 0x2f) {
      while (this.#pos < this.#end && this.#buf[this.#pos] !== 0x0a && this.#buf[this.#pos] !== 0x0d)
        this.#pos++;
      return;
    }
    if (c !== 0x2a) throw this.#unexpected(c, "was expecting either '*' or '/' for a comment");
    for (;;) {
      const d = this.#at(this.#pos++);
      if (d < 0) {
        this.#pos = this.#end;
        throw this.#eof(" in a comment");
      }
      if (d === 0x2a && this.#at(this.#pos) === 0x2f) {
        this.#pos++;
        return;
      }
    }
  }

  #closeMarkerEof(top: Container): BadWrite {
    const kind = top.object ? "Object" : "Array";
    return this.#eof(`: expected close marker for ${kind} (start marker at ${this.#where(top.open)})`);
  }

  next(): Token | null {
    if (this.#pending !== undefined) {
      const token = this.#pending;
      this.#pending = undefined;
      return this.#emit(token);
    }
    const top = this.#stack.at(-1);
    if (top === undefined) {
      if (this.#started) return null;
      this.#started = true;
      const c = this.#skip();
      return c < 0 ? null : this.#emit(this.#value(c));
    }
    let c = this.#skip();
    if (c < 0) throw this.#closeMarkerEof(top);
    if (c === 0x7d || c === 0x5d) {
      if ((c === 0x7d) !== top.object) {
        const [got, want, kind] = top.object ? ["]", "}", "Object"] : ["}", "]", "Array"];
        throw this.#fail(
          `Unexpected close marker '${got}': expected '${want}' (for ${kind} starting at ${this.#where(top.open)})`,
        );
      }
      this.#stack.pop();
      this.tokenStart = this.#pos - 1;
      this.tokenEnd = this.#pos;
      return this.#emit(top.object ? "END_OBJECT" : "END_ARRAY");
    }
    const kind = top.object ? "Object" : "Array";
    if (top.filled) {
      if (c !== 0x2c) throw this.#unexpected(c, `was expecting comma to separate ${kind} entries`);
      c = this.#skip();
      if (c < 0) throw this.#fail(`Unexpected end-of-input within/between ${kind} entries`);
    }
    top.filled = true;
    if (!top.object) return this.#emit(this.#value(c));
    if (c !== 0x22) throw this.#unexpected(c, "was expecting double-quote to start field name");
    this.name = this.#stringBody(true);
    if (top.names?.has(this.name)) throw this.#fail(`Duplicate field '${this.name}'`);
    top.names?.add(this.name);
    c = this.#skip();
    if (c < 0) throw this.#eof(" within/between Object entries");
    if (c !== 0x3a) throw this.#unexpected(c, "was expecting a colon to separate field name and value");
    c = this.#skip();
    if (c < 0) throw this.#eof(" within/between Object entries");
    // Jackson reads the value's first token together with its name: its errors come first.
    this.#pending = this.#value(c);
    this.#token = "FIELD_NAME";
    return this.#token;
  }

  #emit(token: Token): Token {
    this.#token = token;
    if (token === "START_OBJECT" || token === "START_ARRAY") {
      const object = token === "START_OBJECT";
      this.#stack.push({
        object,
        open: this.tokenStart,
        names: object ? new Set() : undefined,
        filled: false,
      });
    }
    return token;
  }

  /** Reads the value that starts with byte `c` (already consumed). */
  #value(c: number): Token {
    const start = this.#pos - 1;
    this.tokenStart = start;
    this.#string = undefined;
    let token: Token;
    if (c === 0x22) {
      this.#string = this.#stringBody(false);
      token = "VALUE_STRING";
    } else if (c === 0x7b || c === 0x5b) token = c === 0x7b ? "START_OBJECT" : "START_ARRAY";
    else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) token = this.#number(c);
    else if (c === 0x74 || c === 0x66 || c === 0x6e) {
      this.#literal(c === 0x74 ? "true" : c === 0x66 ? "false" : "null");
      token = c === 0x6e ? "VALUE_NULL" : "VALUE_BOOLEAN";
    } else if (c === 0x4e || c === 0x49) {
      const word = c === 0x4e ? "NaN" : "Infinity";
      this.#literal(word);
      throw this.#nonNumeric(word);
    } else if (c === 0x2b) {
      if (this.#pos < this.#end) this.#pos++;
      throw this.#fail(
        "Unexpected character ('+' (code 43)) in numeric value: JSON spec does not allow numbers to have plus signs: enable `JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS` to allow",
      );
    } else if (c === 0x7d || c === 0x2c || (c === 0x5d && this.#stack.at(-1)?.object === false)) {
      throw this.#unexpected(c, "expected a value");
    } else if (isIdentifierPart(c) && !(c >= 0x30 && c <= 0x39)) throw this.#invalidToken(start);
    else throw this.#unexpected(c, `expected a valid value ${VALID_VALUES}`);
    this.tokenEnd = this.#pos;
    return token;
  }

  #nonNumeric(word: string): BadWrite {
    return this.#fail(
      `Non-standard token '${word}': enable \`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS\` to allow`,
    );
  }

  #invalidToken(start: number): BadWrite {
    while (this.#pos < this.#end && isIdentifierPart(this.#buf[this.#pos] as number)) this.#pos++;
    const token = this.#buf.toString("utf8", start, this.#pos);
    if (this.#pos < this.#end) this.#pos++;
    return this.#fail(`Unrecognized token '${token}': was expecting ${VALID_VALUES}`);
  }

  #literal(word: string): void {
    const start = this.#pos - 1;
    for (let i = 1; i < word.length; i++) {
      if (this.#at(this.#pos) !== word.charCodeAt(i)) throw this.#invalidToken(start);
      this.#pos++;
    }
    if (this.#pos < this.#end && isIdentifierPart(this.#buf[this.#pos] as number))
      throw this.#invalidToken(start);
  }

  #digits(): number {
    const from = this.#pos;
    while (
      this.#pos < this.#end &&
      (this.#buf[this.#pos] as number) >= 0x30 &&
      (this.#buf[this.#pos] as number) <= 0x39
    )
      this.#pos++;
    return this.#pos - from;
  }

  #number(c: number): Token {
    let first = c;
    if (c === 0x2d) {
      first = this.#at(this.#pos++);
      if (first < 0) {
        this.#pos = this.#end;
        throw this.#eof(" in FIELD_NAME");
      }
      if (first === 0x49) {
        this.#literal("Infinity");
        throw this.#nonNumeric("-Infinity");
      }
      if (first < 0x30 || first > 0x39)
        throw this.#fail(
          `Unexpected character (${charDesc(first)}) in numeric value: expected digit (0-9) to follow minus sign, for valid numeric value`,
        );
    }
    if (first === 0x30) {
      const d = this.#at(this.#pos);
      if (d >= 0x30 && d <= 0x39) {
        this.#pos++;
        throw this.#fail("Invalid numeric value: Leading zeroes not allowed", this.#pos - 1);
      }
    } else this.#digits();
    this.#isInt = true;
    if (this.#at(this.#pos) === 0x2e) {
      this.#pos++;
      this.#isInt = false;
      if (this.#digits() === 0) this.#badNumberChar("Decimal point not followed by a digit");
    }
    const e = this.#at(this.#pos);
    if (e === 0x65 || e === 0x45) {
      this.#pos++;
      this.#isInt = false;
      const sign = this.#at(this.#pos);
      if (sign === 0x2b || sign === 0x2d) this.#pos++;
      if (this.#digits() === 0) this.#badNumberChar("Exponent indicator not followed by a digit");
    }
    return "VALUE_NUMBER";
  }

  #badNumberChar(what: string): never {
    const c =
      this.#pos < this.#end ? (this.#buf[this.#pos++] as number) : (this.#buf[this.#pos - 1] as number);
    throw this.#fail(`Unexpected character (${charDesc(c)}) in numeric value: ${what}`);
  }

  /** Reads a string whose opening quote was just consumed; returns its decoded text. */
  #stringBody(name: boolean): string {
    const from = this.#pos;
    let plain = true;
    for (;;) {
      const c = this.#at(this.#pos++);
      if (c < 0) {
        this.#pos = this.#end;
        throw this.#eof(name ? " in field name" : " in VALUE_STRING");
      }
      if (c === 0x22) break;
      if (c === 0x5c) {
        plain = false;
        this.#escape();
      } else if (c < 0x20)
        throw this.#fail(
          `Illegal unquoted character (${charDesc(c)}): has to be escaped using backslash to be included in string value`,
        );
      else if (c >= 0x80) {
        plain = false;
        this.#utf8(c);
      }
    }
    if (plain) return this.#ascii(from, this.#pos - 1);
    return JSON.parse(this.#buf.toString("utf8", from - 1, this.#pos)) as string;
  }

  /** Short ASCII text; building it in JS beats a call into Buffer's native decoder at this size. */
  #ascii(from: number, to: number): string {
    if (to - from > 32) return this.#buf.toString("latin1", from, to);
    let text = "";
    for (let i = from; i < to; i++) text += String.fromCharCode(this.#buf[i] as number);
    return text;
  }

  #escape(): void {
    const c = this.#at(this.#pos++);
    if (c < 0) {
      this.#pos = this.#end;
      throw this.#eof(" in character escape sequence");
    }
    if (c === 0x75) {
      for (let i = 0; i < 4; i++) {
        const h = this.#at(this.#pos++);
        if (h < 0) {
          this.#pos = this.#end;
          throw this.#eof(" in character escape sequence");
        }
        if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66)))
          throw this.#unexpected(h, "expected a hex-digit for character escape sequence");
      }
    } else if (![0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(c)) {
      throw this.#fail(`Unrecognized character escape ${charDesc(c)}`);
    }
  }

  #utf8(c: number): void {
    const extra = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0) throw this.#fail(`Invalid UTF-8 start byte 0x${c.toString(16)}`);
    for (let i = 0; i < extra; i++) {
      const d = this.#at(this.#pos++);
      if (d < 0) {
        this.#pos = this.#end;
        throw this.#eof(" in VALUE_STRING");
      }
      if ((d & 0xc0) !== 0x80) throw this.#fail(`Invalid UTF-8 middle byte 0x${d.toString(16)}`);
    }
  }

  text(): string {
    if (this.#string !== undefined) return this.#string;
    return this.#ascii(this.tokenStart, this.tokenEnd);
  }

  /** Jackson's name for the current value token in its own messages. */
  #jacksonToken(): string {
    if (this.#token === "VALUE_BOOLEAN")
      return this.#buf[this.tokenStart] === 0x74 ? "VALUE_TRUE" : "VALUE_FALSE";
    if (this.#token === "VALUE_NUMBER") return this.#isInt ? "VALUE_NUMBER_INT" : "VALUE_NUMBER_FLOAT";
    return this.#token ?? "null";
  }

  #integral(bits: 32 | 64): bigint {
    if (this.#token !== "VALUE_NUMBER")
      throw this.#fail(
        `Current token (${this.#jacksonToken()}) not numeric, can not use numeric value accessors`,
        this.tokenEnd,
      );
    const text = this.text();
    const [min, max, range, what] =
      bits === 64
        ? [MIN_LONG, MAX_LONG, LONG_RANGE, "long"]
        : [-(1n << 31n), (1n << 31n) - 1n, INT_RANGE, "int"];
    const overflow = () =>
      this.#fail(
        `Numeric value (${text}) out of range of ${what} ${range}`,
        this.tokenEnd,
        "input_coercion_exception",
        500,
      );
    if (this.#isInt) {
      const value = BigInt(text);
      if (value < min || value > max) throw overflow();
      return value;
    }
    const d = Number(text);
    if (d < Number(min) || d > Number(max)) throw overflow();
    const value = BigInt(Math.trunc(d));
    return value > max ? max : value;
  }

  long(): bigint {
    return this.#integral(64);
  }

  int(): number {
    return Number(this.#integral(32));
  }

  bool(): boolean {
    if (this.#token === "VALUE_BOOLEAN") return this.#buf[this.tokenStart] === 0x74;
    throw this.#fail(`Current token (${this.#jacksonToken()}) not of boolean type`, this.tokenEnd);
  }
}
