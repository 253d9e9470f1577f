import type { Requester } from "../cluster/index.ts";

/**
 * Refusals that may come after the source made the index: OpenSearch (and Elasticsearch) create a
 * missing index before a shard sees the document, so a document the mapping refuses (400), or a shard
 * turns away (429, 503), still leaves its new index behind, with the templates' settings, mappings and
 * aliases. 404 means the index could not be made (auto-create off); 409 means the document, and so its
 * index, was already there; 0, that the write never reached the source. Called for refusals only.
 */
export function mayHaveMadeIndex(status: number): boolean {
  return status >= 400 && status !== 404 && status !== 409;
}

export type IndexMade = "made" | "already there" | "not on the source" | { readonly problem: string };

/**
 * Gives the target an index that a refused write made on the source, as the source's auto-create did:
 * `PUT` with no body, so the target's templates shape it. Nothing when the source has no such index
 * (the refusal came first) or the target has it already. A failure is reported, not retried: the index
 * is empty, and validate names any index missing on the target.
 */
export async function mirrorMadeIndex(
  source: Requester,
  target: Requester,
  index: string,
  targetIndex: string,
): Promise<IndexMade> {
  const exists = async (cluster: Requester, name: string) =>
    (await cluster.request({ method: "HEAD", path: `/${encodeURIComponent(name)}`, allowStatus: [400] }))
      .status === 200;
  if (!(await exists(source, index))) return "not on the source";
  if (await exists(target, targetIndex)) return "already there";
  const made = await target.request<{ error?: { type?: string; reason?: string } }>({
    method: "PUT",
    path: `/${encodeURIComponent(targetIndex)}`,
    allowStatus: [400],
  });
  if (made.status < 300 || made.body.error?.type === "resource_already_exists_exception") return "made";
  return { problem: `${made.body.error?.type ?? made.status}: ${made.body.error?.reason ?? ""}` };
}
