/**
 * What backfill and validation check about the selection before they read a document: each step
 * works on the open indices the selection picks, so anything else it reaches would be left out while
 * the step reports success. Prepare refuses the same unmatched patterns (BG_PREPARE_NO_MATCH); these
 * checks also hold when a step runs on its own.
 */
import { type IndexSelection, unmatchedPatterns } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { dataStreamRefusal, listDataStreams, type SelectionStep } from "./data-streams.ts";
import type { IndexInfo } from "./indices.ts";
import type { Requester } from "./types.ts";

const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(", ");

/**
 * Throws, before anything is written, when an include pattern matches nothing on the source
 * (BG_SELECTION_NO_MATCH), when a selected index the step would cover is closed (BG_INDEX_CLOSED), or
 * when the selection reaches a data stream (BG_DATA_STREAM).
 *
 * @param all every source index (`Cluster.indices()`)
 * @param covered the selected indices this run covers (the selection, narrowed by `--index`)
 */
export async function guardSelection(
  source: Requester,
  selection: IndexSelection,
  all: readonly IndexInfo[],
  covered: readonly IndexInfo[],
  step: SelectionStep,
  signal?: AbortSignal,
): Promise<void> {
  const streams = await listDataStreams(source, signal);
  const unmatched = unmatchedPatterns(selection, [...all.map((i) => i.name), ...streams.map((s) => s.name)]);
  if (unmatched.length > 0) {
    throw new BluegreenError(
      "BG_SELECTION_NO_MATCH",
      `The index pattern(s) ${quoted(unmatched)} in indices.include match no index or data stream on the source, so ${step.toLowerCase()} would ${step === "Backfill" ? "copy" : "check"} nothing for them and still pass.`,
      {
        fix: "Check indices.include in the migration file (GET _cat/indices?expand_wildcards=all on the source lists the names), or remove the pattern.",
        details: { patterns: unmatched },
      },
    );
  }
  const closed = covered.filter((i) => i.status !== "open").map((i) => i.name);
  if (closed.length > 0) {
    throw new BluegreenError(
      "BG_INDEX_CLOSED",
      `The migration selects closed source index(es) ${quoted(closed)}. A closed index cannot be read, so ${step === "Backfill" ? "its documents would be missing on the target" : "it would be left unchecked"}; nothing was ${step === "Backfill" ? "copied" : "compared"}.`,
      {
        fix: `Open them on the source (POST /<index>/_open) and run again, or leave them out with indices.exclude: [${quoted(closed)}].`,
        details: { closed },
      },
    );
  }
  const streamError = dataStreamRefusal(
    streams,
    selection,
    covered.map((i) => i.name),
    step,
  );
  if (streamError !== undefined) throw streamError;
}
