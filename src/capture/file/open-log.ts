import { type FileHandle, mkdir, open, unlink } from "node:fs/promises";
import { dirname, resolve as resolvePath } from "node:path";
import { EndMarker } from "./end-marker.ts";
import { lockDirectory } from "./lock.ts";
import { FileCaptureLog } from "./log.ts";
import { type FileLogOptions, normalizeFileOptions } from "./options.ts";
import { createSegment, listSegments, scanSegment, syncDirectory } from "./segments.ts";

/**
 * Opens (creating if needed) the file capture log in `options.dir`, recovering a torn tail left by a
 * crash, and takes the directory's single-writer lock (BG_CAPTURE_LOCKED if another log holds it).
 */
export async function openFileLog(options: FileLogOptions): Promise<FileCaptureLog> {
  const normalized = normalizeFileOptions(options);
  const dir = resolvePath(normalized.dir);
  const created = await mkdir(dir, { recursive: true });
  // A new directory's own name must be durable too, or a power cut could take the whole log with it.
  if (created !== undefined) await syncDirectory(dirname(created));
  const lock = lockDirectory(dir);
  let file: FileHandle | undefined;
  try {
    const segments = await listSegments(dir);
    let recoveredBytes = 0;
    let last = segments.at(-1);
    let count = 0;
    if (last === undefined) {
      const created = await createSegment(dir, 0);
      segments.push(created.segment);
      last = created.segment;
      file = created.file;
    } else {
      file = await open(last.path, "r+");
      const scan = await scanSegment(last, file, true);
      count = scan.count;
      if (scan.goodBytes === -1) {
        // Torn while being created: rewrite the header as createSegment would have.
        await file.close();
        file = undefined;
        await unlink(last.path);
        segments.pop();
        recoveredBytes = last.size;
        const created = await createSegment(dir, last.base);
        segments.push(created.segment);
        last = created.segment;
        file = created.file;
      } else if (scan.goodBytes < last.size) {
        recoveredBytes = last.size - scan.goodBytes;
        await file.truncate(scan.goodBytes);
        last.size = scan.goodBytes;
      }
      // Whatever survived the crash is made durable before a reader may see it.
      await file.sync();
    }
    const marker = await EndMarker.open(dir, last.base + count);
    return new FileCaptureLog(
      dir,
      normalized,
      lock,
      segments,
      file,
      last.base + count,
      recoveredBytes,
      marker,
    );
  } catch (error) {
    await file?.close();
    lock.release();
    throw error;
  }
}
