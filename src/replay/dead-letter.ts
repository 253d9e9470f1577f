import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { type Body, bodyFormat } from "../gateway/index.ts";

/** One write the replayer gave up on, with why; enough to re-apply it by hand. */
export interface DeadLetter {
  readonly reason: string;
  readonly status?: number | undefined;
  readonly index?: string | undefined;
  readonly id?: string | undefined;
  readonly request?: { readonly method: string; readonly path: string } | undefined;
  readonly logOffset?: { readonly partition: number; readonly offset: number } | undefined;
  readonly doc?: unknown;
}

/**
 * Appends dead letters as NDJSON and fsyncs before returning: the position that skips past them is
 * stored only afterwards, so a dead letter is never lost to a crash.
 */
export function writeDeadLetters(path: string, letters: readonly DeadLetter[], now: Date = new Date()): void {
  if (letters.length === 0) return;
  const text = letters.map((l) => `${JSON.stringify({ at: now.toISOString(), ...l })}\n`).join("");
  let fd: number | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, "a");
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (error) {
    throw new BluegreenError(
      "BG_REPLAY_DEAD_LETTER",
      `Cannot write dead letters to ${path}: ${(error as Error).message}.`,
      {
        fix: "Check replay.deadLetterPath points at a writable file on a disk with free space.",
        details: { path },
        cause: error,
      },
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A document write the target refused, where it came from in the log, and its bytes when it had any. */
export function docDeadLetter(
  item: {
    readonly partition: number;
    readonly offset: number;
    readonly index: string;
    readonly id: string;
    readonly doc?: Body;
  },
  status: number | undefined,
  reason: string | undefined,
): DeadLetter {
  return {
    logOffset: { partition: item.partition, offset: item.offset },
    reason: reason ?? "rejected by the target",
    status,
    index: item.index,
    id: item.id,
    ...(item.doc === undefined ? {} : { doc: deadLetterDoc(item.doc) }),
  };
}

/** A dead letter keeps the document re-appliable by hand: its text, or base64 for binary formats. */
function deadLetterDoc(doc: Body): { contentType: string; text?: string; base64?: string } {
  const format = bodyFormat(doc.contentType);
  return format === "json" || format === "yaml"
    ? { contentType: doc.contentType, text: doc.bytes.toString("utf8") }
    : { contentType: doc.contentType, base64: doc.bytes.toString("base64") };
}
