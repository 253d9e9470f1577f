import type { FileHandle } from "node:fs/promises";
import { crc32 } from "node:zlib";
import type { LogRecord, StoredRecord } from "../types.ts";

/**
 * On-disk framing of one segment file:
 *
 *   MAGIC (8 bytes), then frames back to back:
 *   u32 bodyLength | u32 crc32(body) | body
 *   body = u64 offset | f64 timestampMs | u32 keyLength | key (UTF-8) | value
 *
 * The offset lives inside the checksummed body so a frame read from the wrong place (a renamed file, a
 * stale index) is caught instead of silently returned under another offset.
 */
export const MAGIC = Buffer.from("BGCLOG\u0000\u0001", "latin1");
export const FRAME_HEADER = 8;
const BODY_FIXED = 20;

export function encodeFrames(records: readonly LogRecord[], firstOffset: number): Buffer {
  let total = 0;
  for (const record of records) total += frameSize(record);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as LogRecord;
    const body = at + FRAME_HEADER;
    const keyLength = out.write(record.key, body + BODY_FIXED, "utf8");
    const bodyLength = BODY_FIXED + keyLength + record.value.length;
    // The offset as two 32-bit halves: exact up to 2^53, without a BigInt per frame.
    const offset = firstOffset + i;
    out.writeUInt32BE(Math.floor(offset / 2 ** 32), body);
    out.writeUInt32BE(offset >>> 0, body + 4);
    out.writeDoubleBE(record.timestampMs, body + 8);
    out.writeUInt32BE(keyLength, body + 16);
    out.set(record.value, body + BODY_FIXED + keyLength);
    out.writeUInt32BE(bodyLength, at);
    out.writeUInt32BE(crc32(out.subarray(body, body + bodyLength)), at + 4);
    at = body + bodyLength;
  }
  return out;
}

/** The encoded size of a record, to refuse oversized ones before they reach a group commit. */
export function frameSize(record: LogRecord): number {
  return FRAME_HEADER + BODY_FIXED + Buffer.byteLength(record.key, "utf8") + record.value.length;
}

export type Frame =
  | { readonly ok: true; readonly position: number; readonly size: number; readonly record: StoredRecord }
  | { readonly ok: false; readonly position: number; readonly reason: string };

const CHUNK = 256 * 1024;

/**
 * Reads frames from `start` up to byte `end` of a segment. Stops after yielding the first bad frame (a
 * short read, an impossible length, a checksum or offset mismatch): at the tail of the active segment
 * that is a torn write, anywhere else it is corruption; the caller decides which.
 */
export async function* readFrames(
  file: FileHandle,
  start: number,
  end: number,
  expectedOffset: number,
): AsyncGenerator<Frame> {
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = start;
  let position = start;
  let offset = expectedOffset;
  while (position < end) {
    const want = Math.min(end - position, FRAME_HEADER);
    if (position + want > chunkStart + chunk.length) {
      chunk = await readAt(file, position, Math.min(end - position, CHUNK));
      chunkStart = position;
    }
    const at = position - chunkStart;
    if (chunk.length - at < FRAME_HEADER) {
      yield { ok: false, position, reason: "incomplete frame header" };
      return;
    }
    const bodyLength = chunk.readUInt32BE(at);
    const size = FRAME_HEADER + bodyLength;
    if (bodyLength < BODY_FIXED || position + size > end) {
      yield { ok: false, position, reason: `impossible frame length ${bodyLength}` };
      return;
    }
    if (at + size > chunk.length) {
      chunk = await readAt(file, position, Math.max(size, Math.min(end - position, CHUNK)));
      chunkStart = position;
      if (chunk.length < size) {
        yield { ok: false, position, reason: "incomplete frame" };
        return;
      }
    }
    const frameAt = position - chunkStart;
    const body = chunk.subarray(frameAt + FRAME_HEADER, frameAt + size);
    if (crc32(body) !== chunk.readUInt32BE(frameAt + 4)) {
      yield { ok: false, position, reason: "checksum mismatch" };
      return;
    }
    const stored = Number(body.readBigUInt64BE(0));
    if (stored !== offset) {
      yield { ok: false, position, reason: `offset ${stored} where ${offset} was expected` };
      return;
    }
    const keyLength = body.readUInt32BE(16);
    if (BODY_FIXED + keyLength > body.length) {
      yield { ok: false, position, reason: "key overruns the frame" };
      return;
    }
    // Copies, so a record handed out never pins the whole read chunk in memory.
    const value = new Uint8Array(body.length - BODY_FIXED - keyLength);
    value.set(body.subarray(BODY_FIXED + keyLength));
    const record: StoredRecord = {
      partition: 0,
      offset,
      timestampMs: body.readDoubleBE(8),
      key: body.toString("utf8", BODY_FIXED, BODY_FIXED + keyLength),
      value,
    };
    yield { ok: true, position, size, record };
    position += size;
    offset += 1;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}
