/**
 * The content comparison engine: proves, document by document, that a target index holds what the
 * source index holds (`_id`, routing and `_source`, compared losslessly), or names every difference.
 *
 * `full` reads both indices completely, in parallel, and pairs documents up in a temporary SQLite
 * table, so memory stays flat whatever the index size. `sample` compares a seeded random sample.
 * Both read what a search sees: refresh both indices first to include the latest writes.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { compareFull } from "./content-full.ts";
import { compareSample } from "./content-sample.ts";
import { DifferenceSink } from "./content-sink.ts";
import { DigestStore } from "./content-store.ts";
import type { ContentOptions, ContentResult } from "./content-types.ts";

const DEFAULT_LIMIT = 50;

export async function compareContent(o: ContentOptions): Promise<ContentResult> {
  const started = performance.now();
  const sink = new DifferenceSink(o.differencesFile, o.limit ?? DEFAULT_LIMIT);
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const summary = () => ({
    differences: sink.total,
    byKind: { ...sink.byKind },
    first: sink.first,
  });
  try {
    if (o.mode.kind === "sample") {
      const { size, seed } = o.mode;
      const { how, confidence, ...counts } = await compareSample(o, size, seed, sink);
      return {
        mode: "sample",
        ...counts,
        ...summary(),
        sample: { size, seed, how, confidence },
        seconds: seconds(),
      };
    }
    mkdirSync(o.workDir, { recursive: true });
    const store = new DigestStore(join(o.workDir, "content.sqlite"));
    try {
      const counts = await compareFull(o, store, sink);
      return { mode: "full", ...counts, ...summary(), seconds: seconds() };
    } finally {
      store.close();
    }
  } finally {
    sink.close();
    rmSync(o.workDir, { recursive: true, force: true });
  }
}
