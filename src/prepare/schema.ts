/**
 * The `bluegreen prepare --json` plan output, defined once: the CLI validates what it prints against it
 * and docs/prepare-plan.schema.json is generated from it (`npm run schema:prepare`).
 */
import { z } from "zod";
import { BLOCKER_CODES, ITEM_ACTIONS, ITEM_KINDS } from "./types.ts";

const cluster = z
  .strictObject({
    distribution: z.enum(["opensearch", "elasticsearch"]),
    version: z.string().describe('The version the cluster reports, e.g. "2.19.4".'),
    plugins: z.array(z.string()).describe("Plugins installed on every node."),
    nodes: z.number().int().nonnegative(),
    dataNodes: z.number().int().nonnegative(),
    security: z.boolean().describe("The security plugin is installed."),
    ism: z.boolean().describe("The index-management (ISM) plugin is installed."),
    ilm: z.boolean().describe("Elasticsearch index lifecycle management (x-pack) is present."),
  })
  .describe("What the plan knows about one cluster.");

const blocker = z
  .strictObject({
    code: z.enum(BLOCKER_CODES),
    message: z.string(),
    fix: z.string(),
  })
  .describe("Stops --apply before anything is touched.");

const item = z
  .strictObject({
    kind: z.enum(ITEM_KINDS).describe("Object kinds in dependency order: apply creates in this order."),
    name: z.string().describe("The object's name; for aliases `<index>/<alias>`."),
    action: z
      .enum(ITEM_ACTIONS)
      .describe(
        "create/update: apply will do it; identical: nothing to do; conflict: cannot change in place " +
          "(see reason); unsupported: cannot be read or translated (see reason); extra: only on the target, " +
          "left alone; delete: only on the target and --prune was given.",
      ),
    diff: z.string().optional().describe("What differs (update and conflict)."),
    reason: z.string().optional().describe("Why (conflict, unsupported, extra) and what to do instead."),
    transforms: z
      .array(z.string())
      .optional()
      .describe("Version transforms applied to the source definition, e.g. mapping-types-removed."),
  })
  .describe("One object and what apply would do to it on the target.");

const setting = z.union([z.string(), z.array(z.string())]);

export const planOutputSchema = z
  .strictObject({
    source: cluster,
    target: cluster,
    blockers: z.array(blocker),
    clusterSettings: z
      .array(
        z.strictObject({
          key: z.string(),
          source: setting.optional().describe("Absent: not set on the source."),
          target: setting.optional().describe("Absent: not set on the target."),
        }),
      )
      .describe("Persistent cluster settings that differ; reported only, never copied."),
    items: z.array(item),
    summary: z
      .record(z.enum(ITEM_ACTIONS), z.number().int().nonnegative())
      .describe("How many items have each action."),
  })
  .describe("bluegreen prepare --plan --json: the plan of step 1 (prepare).");

export type PlanOutput = z.infer<typeof planOutputSchema>;

export function planJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(planOutputSchema) as Record<string, unknown>;
}

/** The committed docs/prepare-plan.schema.json is exactly this text. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}

if (import.meta.main) process.stdout.write(planJsonSchemaText());
