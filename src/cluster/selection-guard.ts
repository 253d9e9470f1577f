/**
 * What backfill and validation check about the selection before they read a document: each step
 * works on the open indices the selection picks, so anything else it reaches would be left out while
 * the step reports success. A selection that reaches nothing at all is refused too: a copy of nothing
 * and a validation that compared nothing would pass, and cutover would switch clients to an empty
 * target (a wrong source.url does that). A single pattern that matches nothing is not refused here:
 * it may name indices that writers create through the gateway later (cutover blocks by pattern);
 * `prepare` (the command) reports it.
 */
import { type IndexSelection, selectIndices } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { dataStreamRefusal, listDataStreams, type SelectionStep } from "./data-streams.ts";
import type { IndexInfo } from "./indices.ts";
import type { Requester } from "./types.ts";

const quoted = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(", ");

/**
 * Throws, before anything is written, when the selection reaches nothing on the source
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
  const reachesStream = streams.some((s) => selectIndices([{ name: s.name }], selection).length > 0);
  if (selectIndices(all, selection).length === 0 && !reachesStream) {
    const patterns = selection.include;
    throw new BluegreenError(
      "BG_SELECTION_NO_MATCH",
      `indices.include (${quoted(patterns)}) selects no index or data stream on the source, so ${step.toLowerCase()} would ${step === "Backfill" ? "copy" : "check"} nothing and still pass.`,
      {
        fix: "Check indices.include, indices.exclude and source.url in the migration file (GET _cat/indices?expand_wildcards=all on the source lists the names); hidden indices also need indices.includeHidden: true.",
        details: { patterns },
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
