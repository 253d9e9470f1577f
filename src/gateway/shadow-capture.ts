/**
 * The copy a shadow read keeps of one streamed read: the request body and the source's answer, each
 * up to MAX_BYTES, taken as the bytes pass through (src/gateway/upstream.ts `StreamTap`).
 */
import type { OutgoingHttpHeaders } from "node:http";
import { promisify } from "node:util";
import { brotliDecompress, gunzip, inflate } from "node:zlib";
import type { StreamTap } from "./upstream.ts";

/** Larger requests or answers are not compared: parsing them would hold up the event loop. */
export const MAX_BYTES = 1024 * 1024;

const DECODERS: Readonly<Record<string, (b: Buffer, o: object) => Promise<Buffer>>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export class Capture implements StreamTap {
  readonly #requestChunks: Buffer[] = [];
  readonly #responseChunks: Buffer[] = [];
  status = 0;
  headers: OutgoingHttpHeaders = {};
  tooLarge = false;
  #requestBytes = 0;
  #responseBytes = 0;

  request(chunk: Buffer): void {
    this.#requestBytes += chunk.length;
    if (this.#requestBytes > MAX_BYTES) this.tooLarge = true;
    else this.#requestChunks.push(chunk);
  }

  head(status: number, headers: OutgoingHttpHeaders): void {
    this.status = status;
    this.headers = headers;
  }

  response(chunk: Buffer): void {
    this.#responseBytes += chunk.length;
    if (this.#responseBytes > MAX_BYTES) this.tooLarge = true;
    else if (!this.tooLarge) this.#responseChunks.push(chunk);
  }

  requestBody(): Buffer {
    return Buffer.concat(this.#requestChunks);
  }

  /** The answer as text (decompressed the way the client asked for it), or why it is not compared. */
  async answerText(): Promise<string | { skip: string }> {
    if (this.tooLarge) return { skip: "too-large" };
    // An error answer is compared by status alone, whatever its format (a 401 is plain text).
    const json = String(this.headers["content-type"] ?? "").startsWith("application/json");
    if (!json && this.status < 300) return { skip: "not-json" };
    const raw = Buffer.concat(this.#responseChunks);
    const encoding = String(this.headers["content-encoding"] ?? "identity");
    if (encoding === "identity") return raw.toString("utf8");
    const decode = DECODERS[encoding];
    if (decode === undefined) return { skip: "encoding" };
    try {
      return (await decode(raw, { maxOutputLength: MAX_BYTES })).toString("utf8");
    } catch {
      return { skip: "too-large" };
    }
  }
}
