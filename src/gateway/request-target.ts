/**
 * OpenSearch (Netty) takes `GET _nodes/plugins HTTP/1.1` as `GET /_nodes/plugins`, and some clients
 * (OpenSearch's own REST test runner) send such targets. Node's parser (llhttp) answers them with a
 * bare 400 before any handler runs, so the gateway would be visible to those clients. This tracker
 * follows the framing of the request stream of one connection (request line, header section, body by
 * Content-Length or chunked coding) so it knows where each request-target starts, and inserts the `/`
 * there. Everything else passes through unchanged; a chunk that needs no change is not copied.
 *
 * It only has to agree with llhttp on messages llhttp accepts: on one it rejects, the connection is
 * answered 400 and closed before any later byte is parsed. Whatever the tracker is unsure about
 * (CONNECT, Upgrade, obs-fold, both or several framing headers, odd chunk sizes) makes it step aside
 * for the rest of the connection, which is exactly the behaviour without it.
 */

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const SLASH_BYTE = 0x2f;
const STAR = 0x2a;
const COLON = 0x3a;
const SLASH = Buffer.from("/");

/** Longest scheme still taken for one when telling `http://h/p` from `index:x/…`. */
const MAX_SCHEME = 64;
/**
 * Longest header line kept for inspection across chunks; Node rejects a header section past 16 KiB
 * (maxHeaderSize) long before, so only a client that llhttp is about to refuse gets here.
 */
const MAX_LINE = 64 * 1024;

// Where the next byte belongs. Numbers rather than an enum: Node runs this file with types stripped.
const START = 0; // before a request line; llhttp skips empty lines here
const METHOD = 1;
const BEFORE_TARGET = 2;
const TARGET = 3; // first byte of the request-target: the one decision
const REQUEST_LINE = 4; // rest of the request line
const HEADERS = 5;
const BODY = 6; // Content-Length bytes left in #remaining
const CHUNK_SIZE = 7;
const CHUNK_EXT = 8; // rest of the chunk-size line (extensions)
const CHUNK_DATA = 9;
const CHUNK_CR = 10;
const CHUNK_LF = 11;
const TRAILERS = 12;
const PASS = 13; // stepped aside for the rest of the connection

const CONNECT = Buffer.from("CONNECT");
const CONTENT_LENGTH = Buffer.from("content-length:");
const TRANSFER_ENCODING = Buffer.from("transfer-encoding:");
const UPGRADE = Buffer.from("upgrade:");
const CHUNKED = Buffer.from("chunked");

function isAlpha(b: number): boolean {
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** RFC 3986 scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
function isSchemeChar(b: number): boolean {
  return isAlpha(b) || (b >= 0x30 && b <= 0x39) || b === 0x2b || b === 0x2d || b === 0x2e;
}

function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  return l >= 0x61 && l <= 0x66 ? l - 0x57 : -1;
}

/** `name` is lowercase and ends in ":"; `| 0x20` folds letters and leaves "-" and ":" as they are. */
function startsWithName(line: Buffer, s: number, t: number, name: Buffer): boolean {
  // The colon's place tells most other headers apart at once.
  if (t - s < name.length || line[s + name.length - 1] !== COLON) return false;
  for (let k = 0; k < name.length; k++) if (((line[s + k] as number) | 0x20) !== name[k]) return false;
  return true;
}

function isOws(b: number | undefined): boolean {
  return b === SP || b === HT;
}

export class RequestTargetTracker {
  #state = START;
  /** Bytes of the method matching "CONNECT" so far, -1 once it cannot be CONNECT. */
  #connect = 0;
  #methodLength = 0;
  #contentLength = -1;
  #transferEncoding = false;
  #upgrade = false;
  #remaining = 0;
  #chunkDigits = 0;
  /** Bytes of the current header or trailer line seen in earlier chunks. */
  #lineSize = 0;
  #lineFirst = 0;
  /** The line's earlier pieces, kept only when it may be a framing header. */
  #lineParts: Buffer[] = [];
  /** The start of a request-target that could not be classified yet (it may be `http:/`…). */
  #held: Buffer | undefined;
  readonly #inserts: number[] = [];

  /** True once the tracker has stepped aside for good; bytes then pass untouched. */
  get passingThrough(): boolean {
    return this.#state === PASS;
  }

  /** The bytes to hand to the HTTP parser for `input`: `input` itself when nothing changes. */
  feed(input: Buffer): Buffer | undefined {
    if (this.#state === PASS) return input;
    let chunk = input;
    if (this.#held !== undefined) {
      chunk = Buffer.concat([this.#held, input]);
      this.#held = undefined;
    }
    this.#inserts.length = 0;
    const stop = this.#scan(chunk);
    if (stop === chunk.length && this.#inserts.length === 0) return chunk;
    if (stop < chunk.length) this.#held = chunk.subarray(stop);
    const pieces: Buffer[] = [];
    let from = 0;
    for (const at of this.#inserts) {
      pieces.push(chunk.subarray(from, at), SLASH);
      from = at;
    }
    pieces.push(chunk.subarray(from, stop));
    const out = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
    return out.length === 0 ? undefined : out;
  }

  /** At the end of the stream: what is still held, so the parser sees (and refuses) it as before. */
  end(): Buffer | undefined {
    const held = this.#held;
    this.#held = undefined;
    return held;
  }

  #pass(): number {
    this.#state = PASS;
    this.#lineParts = [];
    return Number.POSITIVE_INFINITY;
  }

  /** Walks `chunk`; returns where holding starts (chunk.length when nothing is held). */
  #scan(chunk: Buffer): number {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case START: {
          let b = chunk[i] as number;
          while (b === CR || b === LF) {
            if (++i === n) return n;
            b = chunk[i] as number;
          }
          this.#state = METHOD;
          this.#connect = 0;
          this.#methodLength = 0;
          this.#contentLength = -1;
          this.#transferEncoding = false;
          this.#upgrade = false;
          break;
        }
        case METHOD:
          i = this.#method(chunk, i);
          break;
        case BEFORE_TARGET:
          while (i < n && chunk[i] === SP) i++;
          if (i < n) this.#state = TARGET;
          break;
        case TARGET: {
          const decided = this.#target(chunk, i);
          if (decided === -1) return i;
          this.#state = decided;
          break;
        }
        case REQUEST_LINE: {
          const e = chunk.indexOf(LF, i);
          if (e === -1) return n;
          i = e + 1;
          this.#state = HEADERS;
          this.#lineSize = 0;
          break;
        }
        case HEADERS:
        case TRAILERS:
          i = this.#line(chunk, i);
          break;
        case BODY:
        case CHUNK_DATA: {
          const take = Math.min(this.#remaining, n - i);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = this.#state === BODY ? START : CHUNK_CR;
          break;
        }
        case CHUNK_SIZE:
          i = this.#chunkSize(chunk, i);
          break;
        case CHUNK_EXT: {
          const e = chunk.indexOf(LF, i);
          if (e === -1) return n;
          i = e + 1;
          if (this.#remaining > 0) {
            this.#state = CHUNK_DATA;
          } else {
            this.#state = TRAILERS;
            this.#lineSize = 0;
          }
          break;
        }
        case CHUNK_CR: {
          const b = chunk[i++];
          if (b === CR) this.#state = CHUNK_LF;
          else if (b === LF) this.#startChunk();
          else i = this.#pass();
          break;
        }
        case CHUNK_LF:
          if (chunk[i++] === LF) this.#startChunk();
          else i = this.#pass();
          break;
        default:
          return n;
      }
    }
    return n;
  }

  #startChunk(): void {
    this.#state = CHUNK_SIZE;
    this.#remaining = 0;
    this.#chunkDigits = 0;
  }

  #method(chunk: Buffer, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const b = chunk[i] as number;
      if (b === SP) {
        // A CONNECT target is an authority (host:port), and Node stops parsing HTTP after it.
        if (this.#methodLength === 0 || (this.#connect === CONNECT.length && this.#methodLength === 7))
          return this.#pass();
        this.#state = BEFORE_TARGET;
        return i + 1;
      }
      // llhttp knows only upper-case methods (and M-SEARCH); anything else is its 400.
      if (!((b >= 0x41 && b <= 0x5a) || b === 0x2d || b === 0x5f) || ++this.#methodLength > 32)
        return this.#pass();
      this.#connect = this.#connect >= 0 && CONNECT[this.#connect] === b ? this.#connect + 1 : -1;
    }
    return n;
  }

  /** The state after the target's first byte at `i` (inserting `/` before it if needed); -1: hold. */
  #target(chunk: Buffer, i: number): number {
    const n = chunk.length;
    const b = chunk[i] as number;
    if (b === SLASH_BYTE) return REQUEST_LINE;
    // Control bytes cannot start a target: llhttp's 400 stays.
    if (b <= SP || b === 0x7f) {
      this.#pass();
      return PASS;
    }
    if (b === STAR) {
      // `*` alone is the asterisk-form of OPTIONS; `*/_search` is an index pattern without its slash.
      if (i + 1 === n) return -1;
      if (chunk[i + 1] !== SP) this.#inserts.push(i);
      return REQUEST_LINE;
    }
    if (isAlpha(b)) {
      // absolute-form (`http://host/path`) is Node's to handle; `index/_search` and `a:b` are not.
      let j = i + 1;
      while (j < n && j - i <= MAX_SCHEME && isSchemeChar(chunk[j] as number)) j++;
      if (j - i > MAX_SCHEME) {
        this.#inserts.push(i);
        return REQUEST_LINE;
      }
      if (j === n) return -1;
      if (chunk[j] === COLON) {
        if (j + 1 === n || (chunk[j + 1] === SLASH_BYTE && j + 2 === n)) return -1;
        if (chunk[j + 1] === SLASH_BYTE && chunk[j + 2] === SLASH_BYTE) return REQUEST_LINE;
      }
    }
    this.#inserts.push(i);
    return REQUEST_LINE;
  }

  /** Consumes a header or trailer line (or its part in this chunk); returns where it stopped. */
  #line(chunk: Buffer, i: number): number {
    const n = chunk.length;
    const e = chunk.indexOf(LF, i);
    const headers = this.#state === HEADERS;
    if (e === -1) {
      if (this.#lineSize === 0) this.#lineFirst = chunk[i] as number;
      if (headers && this.#mayFrame(this.#lineFirst)) this.#lineParts.push(chunk.subarray(i));
      this.#lineSize += n - i;
      return this.#lineSize > MAX_LINE ? this.#pass() : n;
    }
    const size = this.#lineSize + e - i;
    const first = this.#lineSize > 0 ? this.#lineFirst : (chunk[i] as number);
    let line = chunk;
    let s = i;
    let t = e;
    if (this.#lineParts.length > 0) {
      this.#lineParts.push(chunk.subarray(i, e));
      line = Buffer.concat(this.#lineParts);
      this.#lineParts = [];
      s = 0;
      t = line.length;
    }
    this.#lineSize = 0;
    if (size === 0 || (size === 1 && first === CR)) return this.#sectionEnd(e + 1);
    if (headers && this.#mayFrame(first)) {
      if (line[t - 1] === CR) t--;
      if (!this.#header(line, s, t)) return this.#pass();
    }
    return e + 1;
  }

  /** Whether a header line starting with `b` can matter for framing (and so is worth keeping). */
  #mayFrame(b: number): boolean {
    const l = b | 0x20;
    // obs-fold (a line starting with white space) continues the previous header: step aside.
    return l === 0x63 || l === 0x74 || l === 0x75 || b === SP || b === HT;
  }

  /** Reads Content-Length, Transfer-Encoding and Upgrade; false when the framing is not plain. */
  #header(line: Buffer, s: number, t: number): boolean {
    const first = line[s] as number;
    if (first === SP || first === HT) return false;
    if (startsWithName(line, s, t, CONTENT_LENGTH)) {
      if (this.#contentLength !== -1 || this.#transferEncoding) return false;
      let k = s + CONTENT_LENGTH.length;
      while (isOws(line[k])) k++;
      let value = 0;
      let digits = 0;
      for (; k < t; k++) {
        const d = (line[k] as number) - 0x30;
        if (d < 0 || d > 9) break;
        value = value * 10 + d;
        digits++;
      }
      while (isOws(line[k])) k++;
      if (digits === 0 || k !== t || !Number.isSafeInteger(value)) return false;
      this.#contentLength = value;
      return true;
    }
    if (startsWithName(line, s, t, TRANSFER_ENCODING)) {
      // Only one header, chunked last; llhttp's rules for the rest are not worth imitating.
      if (this.#transferEncoding || this.#contentLength !== -1) return false;
      this.#transferEncoding = true;
      let end = t;
      while (end > s && isOws(line[end - 1])) end--;
      let begin = end;
      while (begin > s && line[begin - 1] !== 0x2c && line[begin - 1] !== COLON) begin--;
      while (begin < end && isOws(line[begin])) begin++;
      if (end - begin !== CHUNKED.length) return false;
      for (let k = 0; k < CHUNKED.length; k++)
        if (((line[begin + k] as number) | 0x20) !== CHUNKED[k]) return false;
      return true;
    }
    if (startsWithName(line, s, t, UPGRADE)) this.#upgrade = true;
    return true;
  }

  /** After the blank line: where the body ends follows from the headers; returns the index. */
  #sectionEnd(i: number): number {
    if (this.#state === TRAILERS) {
      this.#state = START;
      return i;
    }
    // With Upgrade, Node may hand the rest of the connection to another protocol.
    if (this.#upgrade) return this.#pass();
    if (this.#transferEncoding) this.#startChunk();
    else if (this.#contentLength > 0) {
      this.#state = BODY;
      this.#remaining = this.#contentLength;
    } else this.#state = START;
    return i;
  }

  #chunkSize(chunk: Buffer, from: number): number {
    const n = chunk.length;
    for (let i = from; i < n; i++) {
      const h = hexValue(chunk[i] as number);
      if (h === -1) {
        if (this.#chunkDigits === 0) return this.#pass();
        this.#state = CHUNK_EXT;
        return i;
      }
      // 13 hex digits stay below 2^53; llhttp would refuse far larger chunks anyway.
      if (++this.#chunkDigits > 13) return this.#pass();
      this.#remaining = this.#remaining * 16 + h;
    }
    return n;
  }
}
