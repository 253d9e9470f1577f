import { constants } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "node:zlib";

/**
 * The writer's durable end, published for read-only openers in other processes (`bluegreen replay`
 * next to a gateway that owns the log). A reader must never go past it: a record that is written but
 * not yet fsynced could vanish in a power cut and its offset be reused by a later, acknowledged write,
 * which a reader that had moved past that offset would then skip.
 *
 * The file holds a u64 and its crc32 (a reader racing a write retries). It is written only after the records it covers are durable, and never
 * fsynced itself: a value lost in a power cut is an older, smaller one, and the writer rewrites it on
 * open after recovery. So it can lag behind the log, never run ahead of it.
 */
export const END_MARKER = "end";

export class EndMarker {
  readonly #file: FileHandle;
  #wanted: number;
  #writing: Promise<void> | undefined;

  private constructor(file: FileHandle, end: number) {
    this.#file = file;
    this.#wanted = end;
  }

  static async open(dir: string, end: number): Promise<EndMarker> {
    // Not truncated on open: a reader in between would find no end at all.
    const file = await open(join(dir, END_MARKER), constants.O_RDWR | constants.O_CREAT);
    const marker = new EndMarker(file, end);
    await marker.#write(end);
    return marker;
  }

  /** Publishes `end` soon; writes coalesce, so a burst of commits costs one write or two. */
  set(end: number): void {
    this.#wanted = end;
    if (this.#writing !== undefined) return;
    this.#writing = (async () => {
      let written = -1;
      while (written !== this.#wanted) {
        written = this.#wanted;
        await this.#write(written);
      }
    })()
      .catch(() => undefined)
      .finally(() => {
        this.#writing = undefined;
      });
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#file.close();
  }

  async #write(end: number): Promise<void> {
    const bytes = Buffer.alloc(12);
    bytes.writeBigUInt64BE(BigInt(end));
    bytes.writeUInt32BE(crc32(bytes.subarray(0, 8)), 8);
    await this.#file.write(bytes, 0, 12, 0);
  }
}

/** The published end, or undefined when no writer of this version has opened the log yet. */
export async function readEndMarker(dir: string): Promise<number | undefined> {
  let file: FileHandle;
  try {
    file = await open(join(dir, END_MARKER), "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const bytes = Buffer.alloc(12);
    for (let attempt = 0; attempt < 100; attempt++) {
      const { bytesRead } = await file.read(bytes, 0, 12, 0);
      if (bytesRead === 12 && crc32(bytes.subarray(0, 8)) === bytes.readUInt32BE(8))
        return Number(bytes.readBigUInt64BE(0));
      await new Promise((r) => setTimeout(r, 1));
    }
    return undefined;
  } finally {
    await file.close();
  }
}
