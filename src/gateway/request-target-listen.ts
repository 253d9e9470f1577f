import { METHODS as httpMethods, maxHeaderSize, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { TargetFixingSocket } from "./request-target-socket.ts";

/**
 * How a listener serves request-targets without their leading slash (`GET _nodes/plugins`, which
 * OpenSearch takes and Node's parser refuses) without paying for it on every other request.
 *
 * A connection starts on Node's own parser, which reads the socket natively: a JavaScript stream in
 * front of it (TargetFixingSocket) on every connection cost 17–27% of the listener's CPU on small
 * requests and 44% on a 1 MB body (`npm run bench:listener`). When that parser refuses a
 * request-target (HPE_INVALID_URL), the connection moves to the fixing path for the rest of its life:
 * the refused request is fed again, from the start of its request line, through a
 * RequestTargetTracker into a fresh parser, and what follows takes the same way. Answers to requests
 * parsed before the refused one go out first.
 *
 * What this relies on in Node beyond its documented API: a parse error carries the read being parsed
 * (`rawPacket`) and where in it the error is (`bytesParsed`); `socket.parser` is the connection's
 * parser, with per-connection callbacks (after each read, at each message's start, at each head's
 * end) and `getCurrentBuffer()`; `socket._httpMessage` is the answer being written; and
 * `_http_common.freeParser` detaches a parser from its socket, as Node does for an Upgrade. A Node
 * without the module-level pieces gets the fixing path on every connection, as before; one whose
 * parser lacks a per-connection piece answers a refused target as Node does, which the request-target
 * tests would show.
 */

type ParseError = Error & { code?: unknown; rawPacket?: unknown; bytesParsed?: unknown };
type Parse = (this: Server, socket: Socket | Duplex) => void;
type NodeSocket = Socket & { parser?: NodeParser | null; _httpMessage?: ServerResponse | null };
type NodeParser = Record<number, unknown> & {
  getCurrentBuffer?: () => Buffer;
  onIncoming?: ((...args: unknown[]) => unknown) | null;
};

/** Node's own, undocumented: the parser's per-read callback slot and how it hands a socket to an Upgrade. */
const common = process.getBuiltinModule("_http_common") as
  | {
      freeParser?: (parser: unknown, req: undefined, socket: Socket) => void;
      HTTPParser?: { kOnExecute?: unknown; kOnMessageBegin?: unknown };
    }
  | undefined;
const freeParser = common?.freeParser;
const kOnExecute = common?.HTTPParser?.kOnExecute;
const kOnMessageBegin = common?.HTTPParser?.kOnMessageBegin;

/** A natively parsed connection: Node's listeners on it, and the bytes read since its last line feed. */
type Listener = [string | symbol, (...args: unknown[]) => void];

interface Native {
  readonly listeners: readonly Listener[];
  /** At most as long as the longest request line Node takes. */
  line: Buffer;
  /** A request has begun whose head Node has not finished parsing: its request line may be in pieces. */
  open: boolean;
}

const natives = new WeakMap<Socket, Native>();

const LF = 0x0a;
const SP = 0x20;
const EMPTY = Buffer.alloc(0);
const METHODS = new Set(httpMethods);

/**
 * `event` is "connection" for http.Server and "secureConnection" (the decrypted stream) for
 * https.Server. Node's parser is the one listener of that event (which is why emitting it injects a
 * connection); anything else means a Node that wires connections differently, and failing at start
 * beats serving unfixed.
 */
export function fixRequestTargets(server: Server, event: "connection" | "secureConnection"): void {
  const own = server.listeners(event);
  if (own.length !== 1) {
    throw new Error(`the HTTP server has ${own.length} "${event}" listeners; expected only Node's own`);
  }
  const parse = own[0] as Parse;
  server.removeListener(event, parse);
  if (freeParser === undefined || typeof kOnExecute !== "number" || typeof kOnMessageBegin !== "number") {
    // A Node without these internals: every connection takes the fixing path, as it always could.
    server.on(event, function (this: Server, socket: Socket) {
      parse.call(this, new TargetFixingSocket(socket));
    });
    return;
  }
  const slots: Slots = {
    execute: kOnExecute,
    messageBegin: kOnMessageBegin,
    longest: (server as { maxHeaderSize?: number }).maxHeaderSize ?? maxHeaderSize,
  };
  server.on(event, function (this: Server, socket: Socket) {
    const before = new Map(socket.eventNames().map((name) => [name, socket.listeners(name)]));
    parse.call(this, socket);
    watchNative(socket as NodeSocket, before, slots);
  });
  server.on("clientError", (error: ParseError, socket: Socket) => {
    if (!moveToFixing(server, parse, error, socket as NodeSocket)) answerParseError(error, socket);
  });
}

/** The parser's callback slots and the longest request line the server takes. */
interface Slots {
  readonly execute: number;
  readonly messageBegin: number;
  readonly longest: number;
}

/**
 * Remembers what Node added to a natively parsed connection (`before`: its listeners until then), and
 * keeps the last line of a read that ends inside a request's head, so a request line that arrived in
 * pieces can be fed again whole if its target is refused in a later read; other reads are not copied.
 * The parser's callbacks are per connection: Node clears them when it frees the parser.
 */
function watchNative(socket: NodeSocket, before: Map<string | symbol, unknown[]>, slots: Slots): void {
  const parser = socket.parser;
  const onExecute = parser?.[slots.execute];
  const onIncoming = parser?.onIncoming;
  const current = parser?.getCurrentBuffer;
  if (parser == null || typeof onExecute !== "function" || typeof onIncoming !== "function") return;
  if (parser[slots.messageBegin] != null || current === undefined) return;
  const listeners: Listener[] = [];
  for (const name of socket.eventNames()) {
    const had = before.get(name) ?? [];
    for (const listener of socket.listeners(name))
      if (!had.includes(listener)) listeners.push([name, listener as Listener[1]]);
  }
  const native: Native = { listeners, line: EMPTY, open: false };
  natives.set(socket, native);
  parser[slots.messageBegin] = () => {
    native.open = true;
  };
  parser.onIncoming = (...args: unknown[]) => {
    native.open = false;
    return onIncoming(...args);
  };
  parser[slots.execute] = (ret: unknown) => {
    if (!(ret instanceof Error))
      native.line = native.open ? lastLine(native.line, current.call(parser), slots.longest) : EMPTY;
    return onExecute(ret);
  };
}

/** The last `longest` bytes read since the last line feed, after `read`; a request line is no longer. */
function lastLine(line: Buffer, read: Buffer, longest: number): Buffer {
  const lf = read.lastIndexOf(LF);
  const joined = lf !== -1 ? read.subarray(lf + 1) : line.length === 0 ? read : Buffer.concat([line, read]);
  const kept = joined.length > longest ? joined.subarray(joined.length - longest) : joined;
  // A copy unless it is already one of its own: a view would keep a whole read alive while the
  // connection idles.
  return kept.buffer === read.buffer && kept.length !== read.length ? Buffer.from(kept) : kept;
}

/**
 * Where the request line of a refused target starts in `bytes`, `at` being where Node's parser stopped
 * in its target. Back from there: the target's first bytes, the spaces before it, the method. What
 * precedes the method on its line can only be the end of a body (a pipelined request right after a
 * body with no line feed), so the method is the longest method name that ends there.
 */
function requestLineStart(bytes: Buffer, at: number): number | undefined {
  let i = at;
  while (i > 0 && bytes[i - 1] !== SP && bytes[i - 1] !== LF) i--;
  const targetStart = i;
  while (i > 0 && bytes[i - 1] === SP) i--;
  if (i === targetStart) return undefined;
  const methodEnd = i;
  while (i > 0 && isMethodByte(bytes[i - 1] as number)) i--;
  for (let start = i; start < methodEnd; start++)
    if (METHODS.has(bytes.toString("latin1", start, methodEnd))) return start;
  return undefined;
}

function isMethodByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x2d;
}

/** Moves a natively parsed connection whose request-target Node refused to the fixing path. */
function moveToFixing(server: Server, parse: Parse, error: ParseError, raw: NodeSocket): boolean {
  const native = natives.get(raw);
  const packet = error.rawPacket;
  const at = error.bytesParsed;
  if (error.code !== "HPE_INVALID_URL" || native === undefined || raw.parser == null) return false;
  if (freeParser === undefined || !Buffer.isBuffer(packet) || typeof at !== "number" || at > packet.length)
    return false;
  // With no line feed before it in this read, the refused request line may have begun in an earlier one.
  const earlier = at > 0 && packet.lastIndexOf(LF, at - 1) !== -1 ? EMPTY : native.line;
  const bytes = earlier.length === 0 ? packet : Buffer.concat([earlier, packet]);
  const start = requestLineStart(bytes, earlier.length + at);
  if (start === undefined) return false;
  natives.delete(raw);
  // Detaches the native parser, as Node does for an Upgrade: the socket is read from JavaScript again.
  // Its listeners for reading go with it; the rest serve answers still being written.
  freeParser(raw.parser, undefined, raw);
  for (const [name, listener] of native.listeners)
    if (name === "data" || name === "end" || name === "pause" || name === "resume")
      raw.removeListener(name, listener);
  // What arrives meanwhile is kept for the new parser. Paused, the socket stops reading when its
  // buffer is full; Node may still resume it as an earlier answer finishes, hence the listener.
  raw.pause();
  const pending: Buffer[] = [Buffer.from(bytes.subarray(start))];
  const keep = (chunk: Buffer) => {
    pending.push(chunk);
    raw.pause();
  };
  raw.on("data", keep);
  whenAnswered(raw, () => {
    raw.removeListener("data", keep);
    for (const [name, listener] of native.listeners) raw.removeListener(name, listener);
    for (const own of ["on", "addListener", "prependListener", "setEncoding"] as const)
      if (Object.hasOwn(raw, own)) delete (raw as unknown as Record<string, unknown>)[own];
    parse.call(server, new TargetFixingSocket(raw, Buffer.concat(pending)));
  });
  return true;
}

/** Runs `then` once no answer to an earlier request is being written on `raw`; never if it closes. */
function whenAnswered(raw: NodeSocket, then: () => void): void {
  // Closing after an earlier answer (its client asked to): what follows is dropped, as Node drops it.
  if (raw.destroyed || raw.writableEnded) return;
  const answering = raw._httpMessage;
  if (answering == null) {
    then();
    return;
  }
  // Node's own 'finish' listener, added first, hands the socket to the next queued answer.
  answering.once("finish", () => whenAnswered(raw, then));
}

/** What Node's server does with a parse error when nobody listens for 'clientError'. */
function answerParseError(error: ParseError, socket: Socket): void {
  const answering = (socket as NodeSocket)._httpMessage;
  // `_headerSent` as Node checks it: the head of an answer is on the wire, so a 400 would corrupt it.
  if (socket.writable && (answering == null || !(answering as { _headerSent?: boolean })._headerSent)) {
    const status =
      error.code === "HPE_HEADER_OVERFLOW"
        ? "431 Request Header Fields Too Large"
        : error.code === "HPE_CHUNK_EXTENSIONS_OVERFLOW"
          ? "413 Payload Too Large"
          : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
            ? "408 Request Timeout"
            : "400 Bad Request";
    socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(error);
}
