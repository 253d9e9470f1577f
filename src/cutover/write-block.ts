/**
 * The source write block: `index.blocks.write: true` on every index the migration selects (by pattern,
 * so indices created since backfill too), so writers that bypass the gateway cannot change the source
 * after the switch. What each index had before is recorded first; rollback restores exactly that.
 */
import type { Cluster } from "../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";

/** index → its `index.blocks.write` before cutover (null: not set). */
export type PreviousBlocks = Readonly<Record<string, string | null>>;

/** The selected source indices; a closed one is refused before anything changes (it cannot be blocked). */
export async function indicesToBlock(config: MigrationConfig, source: Cluster): Promise<string[]> {
  const selected = selectIndices(await source.indices(), config.indices);
  const closed = selected.filter((i) => i.status !== "open").map((i) => i.name);
  if (closed.length > 0) {
    throw new BluegreenError(
      "BG_CUTOVER_BLOCKED",
      `The source index(es) ${closed.join(", ")} are closed, so cutover cannot put a write block on them; nothing was changed.`,
      {
        fix: "Open them (POST /<index>/_open) or leave them out of indices.include, then run cutover again.",
        details: { closed },
      },
    );
  }
  return selected.map((i) => i.name).sort();
}

export async function readBlocks(source: Cluster, indices: readonly string[]): Promise<PreviousBlocks> {
  const previous: Record<string, string | null> = {};
  for (const index of indices) {
    const res = await source.request<Record<string, { settings?: Record<string, string> }>>({
      method: "GET",
      path: `/${encodeURIComponent(index)}/_settings/index.blocks.write`,
      querystring: { flat_settings: true },
    });
    previous[index] = res.body[index]?.settings?.["index.blocks.write"] ?? null;
  }
  return previous;
}

export async function setBlocks(
  source: Cluster,
  blocks: Readonly<Record<string, string | boolean | null>>,
): Promise<void> {
  for (const [index, value] of Object.entries(blocks)) {
    await source.request({
      method: "PUT",
      path: `/${encodeURIComponent(index)}/_settings`,
      body: { "index.blocks.write": value },
    });
  }
}
