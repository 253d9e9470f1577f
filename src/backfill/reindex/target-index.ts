/** The destination must exist before `_reindex` writes to it, or it would get dynamic mappings. */
import { BluegreenError } from "../../errors/index.ts";
import { apply, emptyInventory, type Inventory, inventory, plan } from "../../prepare/index.ts";
import type { BackfillContext, IndexTask } from "../types.ts";

const only = (name: string) => ({ include: [name], exclude: [], includeHidden: true });

/**
 * Creates the target index from the source's definition through prepare (or brings an existing one
 * up to date). A renamed copy gets the definition without the source's aliases, which keep pointing
 * at the index they were made for.
 */
export async function ensureTargetIndex(ctx: BackfillContext, task: IndexTask): Promise<void> {
  const options = { signal: ctx.signal };
  const source = await inventory(ctx.source, only(task.index), options);
  const meta = source.indices[task.index];
  if (meta === undefined) {
    throw new BluegreenError("BG_REINDEX_FAILED", `Source index ${task.index} does not exist.`, {
      fix: "Plan the backfill again: the index was deleted or renamed since the plan was made.",
    });
  }
  const renamed = task.targetIndex !== task.index;
  const wanted: Inventory = {
    ...emptyInventory(),
    indices: { [task.targetIndex]: renamed ? { ...meta, aliases: {} } : meta },
  };
  const current = await inventory(ctx.target, only(task.targetIndex), options);
  const { items } = plan(wanted, current);
  const conflict = items.find((item) => item.action === "conflict");
  if (conflict !== undefined) {
    throw new BluegreenError(
      "BG_REINDEX_FAILED",
      `Target index ${task.targetIndex} cannot take documents from ${task.index}: ${conflict.diff ?? "definitions differ"}.`,
      { fix: conflict.reason ?? "Delete the target index and re-run.", details: { index: task.index } },
    );
  }
  await apply(ctx.target, items, wanted, options);
}
