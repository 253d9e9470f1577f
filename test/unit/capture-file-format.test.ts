/**
 * The file log's frames, encoded and read back: offsets past 2^32 (written as two 32-bit halves),
 * keys in UTF-8 beyond ASCII, empty values. A frame read under another offset is refused.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { encodeFrames, readFrames } from "../../src/capture/file/format.ts";

const RECORDS = [
  { key: "idx/1", value: Buffer.from('{"a":1}'), timestampMs: 1_700_000_000_123 },
  { key: "índice/ü/😀", value: Buffer.from("x\ny"), timestampMs: 0.5 },
  { key: "", value: Buffer.alloc(0), timestampMs: 1 },
];

async function roundTrip(firstOffset: number, expectedOffset = firstOffset) {
  const dir = mkdtempSync(join(tmpdir(), "cl-format-"));
  try {
    const bytes = encodeFrames(RECORDS, firstOffset);
    const file = await open(join(dir, "segment"), "w+");
    try {
      await file.write(bytes, 0, bytes.length, 0);
      const frames = [];
      for await (const frame of readFrames(file, 0, bytes.length, expectedOffset)) frames.push(frame);
      return frames;
    } finally {
      await file.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const first of [0, 2 ** 32 - 2, 2 ** 40 + 7, Number.MAX_SAFE_INTEGER - 2]) {
  test(`frames from offset ${first} read back as written`, async () => {
    const frames = await roundTrip(first);
    assert.deepEqual(
      frames.map((f) => (f.ok ? { ...f.record, value: Buffer.from(f.record.value) } : f)),
      RECORDS.map((r, i) => ({ partition: 0, offset: first + i, ...r })),
    );
  });
}

test("a frame read where another offset is expected is refused", async () => {
  const frames = await roundTrip(2 ** 32 + 1, 1);
  assert.deepEqual(
    frames.map((f) => (f.ok ? "ok" : f.reason)),
    [`offset ${2 ** 32 + 1} where 1 was expected`],
  );
});
