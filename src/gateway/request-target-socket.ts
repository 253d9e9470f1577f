import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import type { PeerCertificate, TLSSocket } from "node:tls";
import { RequestTargetTracker } from "./request-target.ts";

/**
 * A connection as Node's HTTP server sees it when the request-target fixer sits in front of its
 * parser: requests come through a RequestTargetTracker, answers go straight to the socket. The server
 * would otherwise read the socket natively (below JavaScript), where nothing can be put in between; an
 * injected Duplex is the documented way to hand it a connection ("connection" event).
 */
export class TargetFixingSocket extends Duplex {
  readonly #raw: Socket;
  readonly #tracker = new RequestTargetTracker();
  /** The write callback waiting for the socket's 'drain', so backpressure reaches the response. */
  #waiting: (() => void) | undefined;

  /** `head`: bytes already read from `raw` that belong to this connection's stream, before the rest. */
  constructor(raw: Socket, head?: Buffer) {
    super({
      allowHalfOpen: true,
      readableHighWaterMark: raw.readableHighWaterMark,
      writableHighWaterMark: raw.writableHighWaterMark,
    });
    this.#raw = raw;
    const take = (chunk: Buffer) => {
      const out = this.#tracker.feed(chunk);
      // A full buffer stops the socket, so a slow reader holds the client back instead of memory.
      if (out !== undefined && !this.push(out)) raw.pause();
    };
    if (head !== undefined) take(head);
    raw.on("data", take);
    const ended = () => {
      const rest = this.#tracker.end();
      if (rest !== undefined) this.push(rest);
      this.push(null);
    };
    // A connection that moves here mid-stream may have ended already.
    if (raw.readableEnded) ended();
    else raw.on("end", ended);
    raw.on("drain", () => {
      const done = this.#waiting;
      this.#waiting = undefined;
      done?.();
    });
    raw.on("timeout", () => this.emit("timeout"));
    raw.on("error", (error) => this.destroy(error));
    raw.on("close", () => this.destroy());
  }

  override _read(): void {
    if (this.#raw.isPaused()) this.#raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.#raw.write(chunk)) done();
    else this.#waiting = done;
  }

  override _writev(chunks: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    // One corked batch keeps the header and body of an answer in one write, as on a plain socket.
    const raw = this.#raw;
    raw.cork();
    let ok = true;
    for (const { chunk } of chunks) ok = raw.write(chunk);
    raw.uncork();
    if (ok) done();
    else this.#waiting = done;
  }

  override _final(done: (error?: Error | null) => void): void {
    this.#raw.end(() => done());
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#waiting = undefined;
    this.#raw.destroy();
    done(error);
  }

  /** As net.Socket's: end, then close once the answer is out (Node calls it after `Connection: close`). */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once("finish", () => this.destroy());
  }

  setTimeout(ms: number, callback?: () => void): this {
    this.#raw.setTimeout(ms);
    if (callback !== undefined) {
      if (ms === 0) this.removeListener("timeout", callback);
      else this.once("timeout", callback);
    }
    return this;
  }

  get timeout(): number | undefined {
    return this.#raw.timeout;
  }

  setNoDelay(noDelay?: boolean): this {
    this.#raw.setNoDelay(noDelay);
    return this;
  }

  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    this.#raw.setKeepAlive(enable, initialDelay);
    return this;
  }

  ref(): this {
    this.#raw.ref();
    return this;
  }

  unref(): this {
    this.#raw.unref();
    return this;
  }

  address(): ReturnType<Socket["address"]> {
    return this.#raw.address();
  }

  get remoteAddress(): string | undefined {
    return this.#raw.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#raw.remotePort;
  }

  get remoteFamily(): string | undefined {
    return this.#raw.remoteFamily;
  }

  get localAddress(): string | undefined {
    return this.#raw.localAddress;
  }

  get localPort(): number | undefined {
    return this.#raw.localPort;
  }

  get bytesRead(): number {
    return this.#raw.bytesRead;
  }

  get bytesWritten(): number {
    return this.#raw.bytesWritten;
  }

  /** TLS only: what a handler may ask a TLSSocket (protocol, client certificate). */
  get encrypted(): boolean | undefined {
    return (this.#raw as Partial<TLSSocket>).encrypted;
  }

  get authorized(): boolean | undefined {
    return (this.#raw as Partial<TLSSocket>).authorized;
  }

  get alpnProtocol(): string | false | null | undefined {
    return (this.#raw as Partial<TLSSocket>).alpnProtocol;
  }

  getPeerCertificate(detailed?: boolean): PeerCertificate | undefined {
    const raw = this.#raw as Partial<TLSSocket>;
    return raw.getPeerCertificate?.(detailed === true);
  }
}
