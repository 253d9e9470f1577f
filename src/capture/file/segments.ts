import { type FileHandle, open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { BluegreenError } from "../../errors/index.ts";
import { MAGIC, readFrames } from "./format.ts";

/** One index entry per this many records: a read seeks to the entry and scans at most this many frames. */
export const INDEX_EVERY = 32;

export interface Segment {
  /** Offset of the segment's first record; also its file name. */
  readonly base: number;
  readonly path: string;
  /** Bytes of whole, durable frames (MAGIC included). */
  size: number;
  /** Byte position of record `base + i * INDEX_EVERY`; undefined until the segment was scanned. */
  index: number[] | undefined;
}

const NAME = /^(\d{20})\.log$/;

export function segmentPath(dir: string, base: number): string {
  return join(dir, `${String(base).padStart(20, "0")}.log`);
}

export async function listSegments(dir: string): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const name of await readdir(dir)) {
    const match = NAME.exec(name);
    if (match === null) continue;
    const path = join(dir, name);
    segments.push({ base: Number(match[1]), path, size: (await stat(path)).size, index: undefined });
  }
  return segments.sort((a, b) => a.base - b.base);
}

export async function createSegment(
  dir: string,
  base: number,
): Promise<{ segment: Segment; file: FileHandle }> {
  const path = segmentPath(dir, base);
  const file = await open(path, "wx+");
  await file.write(MAGIC, 0, MAGIC.length, 0);
  await file.sync();
  // The new name must survive a crash too, or the records written into it would vanish with it.
  await syncDirectory(dir);
  return { segment: { base, path, size: MAGIC.length, index: [] }, file };
}

export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function corrupt(segment: Segment, detail: string): BluegreenError {
  return new BluegreenError(
    "BG_CAPTURE_CORRUPT",
    `Capture log segment ${segment.path} is damaged: ${detail}.`,
    {
      fix: "The disk or file was changed outside bluegreen. Restore the log directory from a copy, or start a new log and backfill again.",
      details: { segment: segment.path },
    },
  );
}

/**
 * Scans a segment from its first frame, building its index. In the active segment a bad frame is the torn
 * tail of a write that never completed (its append never resolved): the scan reports where the good part
 * ends so the caller can cut the rest off. In a sealed segment every frame was fsynced before the next
 * segment began, so a bad frame is corruption.
 */
export async function scanSegment(
  segment: Segment,
  file: FileHandle,
  active: boolean,
): Promise<{ count: number; goodBytes: number }> {
  const magic = Buffer.alloc(MAGIC.length);
  const { bytesRead } = await file.read(magic, 0, MAGIC.length, 0);
  if (bytesRead < MAGIC.length || !magic.equals(MAGIC)) {
    // A crash between creating the file and writing its header leaves a prefix of MAGIC (or nothing).
    if (
      active &&
      MAGIC.subarray(0, bytesRead).equals(magic.subarray(0, bytesRead)) &&
      segment.size <= MAGIC.length
    )
      return { count: 0, goodBytes: -1 };
    throw corrupt(segment, "it does not start with the capture log header");
  }
  const index: number[] = [];
  let count = 0;
  let goodBytes = MAGIC.length;
  for await (const frame of readFrames(file, MAGIC.length, segment.size, segment.base)) {
    if (!frame.ok) {
      if (!active) throw corrupt(segment, `${frame.reason} at byte ${frame.position}`);
      break;
    }
    if (count % INDEX_EVERY === 0) index.push(frame.position);
    count += 1;
    goodBytes = frame.position + frame.size;
  }
  segment.index = index;
  return { count, goodBytes };
}

/** Opens a segment to read; one released under the reader (retention) is a position error, not a crash. */
export async function openSegmentForRead(segment: Segment): Promise<FileHandle> {
  try {
    return await open(segment.path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    throw new BluegreenError(
      "BG_CAPTURE_POSITION",
      `Capture log segment ${segment.path} was released while being read.`,
      { fix: "Release only positions every consumer has passed.", cause: error },
    );
  }
}
