import { BluegreenError } from "../errors/index.ts";
import { type SelectOptions, STEP_IDS, type Step, type StepId } from "./types.ts";

export interface Selection {
  readonly steps: readonly Step[];
  /** Steps `from` asks to redo: reset to pending with checkpoints cleared before the run starts. */
  readonly forced: ReadonlySet<StepId>;
}

/** The steps a run or plan covers. Wiring mistakes are bugs; unknown names from the user are usage errors. */
export function selectSteps(steps: readonly Step[], options: SelectOptions): Selection {
  const order = steps.map((s) => STEP_IDS.indexOf(s.id));
  const ordered = order.every((position, i) => i === 0 || position > (order[i - 1] ?? -1));
  if (!ordered) {
    throw new BluegreenError("BG_INTERNAL", `Workflow steps are duplicated or out of order: ${ids(steps)}.`, {
      fix: "This is a bug in bluegreen: please report it.",
    });
  }
  const known = new Set<StepId>(steps.map((s) => s.id));
  const named = [options.from, options.until].filter((id) => id !== undefined);
  for (const id of [...(options.only ?? []), ...named]) {
    if (!known.has(id)) {
      throw new BluegreenError("BG_USAGE", `There is no step "${id}" in this workflow.`, {
        fix: `Use one of: ${ids(steps)}.`,
      });
    }
  }
  const only = options.only === undefined ? undefined : new Set(options.only);
  const fromIndex = options.from === undefined ? 0 : steps.findIndex((s) => s.id === options.from);
  const selected = steps.filter((s, i) => i >= fromIndex && (only === undefined || only.has(s.id)));
  const forced = new Set(options.from === undefined ? [] : selected.map((s) => s.id));
  return { steps: selected, forced };
}

function ids(steps: readonly Step[]): string {
  return steps.map((s) => s.id).join(", ");
}
