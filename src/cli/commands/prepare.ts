import type { Command } from "commander";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../../config/index.ts";
import { createLogger } from "../../log/index.ts";
import { apply, compare, conflictError, type PlanItem, pending, withClusters } from "../../prepare/index.ts";
import { table, toJson } from "../../report/index.ts";
import { consoleOutput, type Output } from "../output.ts";

function renderPlan(items: readonly PlanItem[]): string {
  const changed = items.filter((i) => i.action !== "identical");
  const counts = ["create", "update", "conflict", "identical"].map(
    (a) => `${items.filter((i) => i.action === a).length} ${a}`,
  );
  if (changed.length === 0) return `no changes: ${counts.join(", ")}`;
  const rows = changed.map((i) => [i.action, i.kind, i.name, i.reason ?? i.diff]);
  return `${table(["action", "kind", "name", "detail"], rows, [10, 20, 36, 60])}\n${counts.join(", ")}`;
}

export function registerPrepare(program: Command, io: Output = consoleOutput): void {
  program
    .command("prepare")
    .description(
      "Step 1: align the target's templates, pipelines, scripts, indices and aliases with the source",
    )
    .option("-c, --config <file>", "migration file", DEFAULT_CONFIG_FILE)
    .option("--plan", "show what would change (the default)", false)
    .option("--apply", "create and update on the target; never deletes anything", false)
    .option("--json", "print as JSON", false)
    .action(async (opts: { config: string; plan: boolean; apply: boolean; json: boolean }) => {
      const config = await loadConfig(opts.config);
      const logger = createLogger();
      await withClusters(config, logger, async (source, target) => {
        const comparison = await compare(config, source, target);
        if (!opts.apply) {
          io.out(opts.json ? toJson({ items: comparison.items }) : renderPlan(comparison.items));
          return;
        }
        const { conflicts } = pending(comparison.items);
        // Conflicts stop the whole apply: a half-aligned target is harder to reason about than none.
        if (conflicts.length > 0) throw conflictError(conflicts);
        const result = await apply(target, comparison.items, comparison.source);
        io.out(
          opts.json
            ? toJson(result)
            : `applied ${result.applied.length} change(s)${result.applied.length === 0 ? "" : `:\n${renderPlan(result.applied)}`}`,
        );
      });
    });
}
