/**
 * Data streams the migration's selection reaches. Prepare creates them on the target (after their
 * index template), but the document copiers and validation work index by index: a stream's name is no
 * index, and its backing indices (`.ds-<name>-000001`, hidden) belong to the stream on each cluster.
 * Copied as plain indices they would not be part of the target's stream; skipped, their documents
 * would be missing while every check passed. Until streams are copied as streams, a selection that
 * reaches one is refused, naming it.
 */
import { type IndexSelection, selectIndices } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Requester } from "./types.ts";

export type SelectionStep = "Backfill" | "Validation";

export interface DataStreamInfo {
  readonly name: string;
  readonly backingIndices: readonly string[];
  /** `@timestamp` unless the stream names another field. */
  readonly timestampField: string;
}

type Json = Record<string, unknown>;
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The streams of a `GET _data_stream` answer; anything else in it is ignored. */
export function parseDataStreams(body: unknown): DataStreamInfo[] {
  const list = isJson(body) && Array.isArray(body.data_streams) ? body.data_streams : [];
  return list.flatMap((item: unknown) => {
    if (!isJson(item) || typeof item.name !== "string") return [];
    const indices: unknown[] = Array.isArray(item.indices) ? item.indices : [];
    const field = isJson(item.timestamp_field) ? item.timestamp_field.name : undefined;
    return [
      {
        name: item.name,
        backingIndices: indices.flatMap((i) =>
          isJson(i) && typeof i.index_name === "string" ? [i.index_name] : [],
        ),
        timestampField: typeof field === "string" ? field : "@timestamp",
      },
    ];
  });
}

/**
 * The cluster's data streams; none where the API does not exist (Elasticsearch OSS answers 400) or the
 * user may not list them (403: a migration user without that privilege is not stopped by this check).
 */
export async function listDataStreams(cluster: Requester, signal?: AbortSignal): Promise<DataStreamInfo[]> {
  const res = await cluster.request({
    method: "GET",
    path: "/_data_stream",
    allowStatus: [400, 403, 404, 405],
    ...(signal === undefined ? {} : { signal }),
  });
  return res.status >= 300 ? [] : parseDataStreams(res.body);
}

/**
 * BG_DATA_STREAM when the selection names one of `streams`, or picks one of a stream's backing indices
 * (`selectedIndices`: the names the caller already selected).
 */
export function dataStreamRefusal(
  streams: readonly DataStreamInfo[],
  selection: IndexSelection,
  selectedIndices: readonly string[],
  step: SelectionStep,
): BluegreenError | undefined {
  const selected = new Set(selectedIndices);
  const reached = streams.filter(
    (s) =>
      selectIndices([{ name: s.name }], selection).length > 0 ||
      s.backingIndices.some((i) => selected.has(i)),
  );
  if (reached.length === 0) return undefined;
  const names = reached.map((s) => s.name);
  const listed = reached
    .map((s) => `${s.name} (${s.backingIndices.join(", ") || "no backing index"})`)
    .join("; ");
  return new BluegreenError(
    "BG_DATA_STREAM",
    `The migration selects data stream(s) on the source: ${listed}. ${step} works index by index and does not ${step === "Backfill" ? "copy" : "compare"} a data stream's documents yet, so they would be ${step === "Backfill" ? "missing on the target" : "left unchecked"} without any check failing.`,
    {
      fix: `Leave them out (indices.exclude: [${names.map((n) => JSON.stringify(n)).join(", ")}], and their .ds-* backing indices if includeHidden picks them) and move them yourself: _reindex from the source into the target's stream with "op_type": "create", then compare their _count on both sides.`,
      details: { dataStreams: names },
    },
  );
}
