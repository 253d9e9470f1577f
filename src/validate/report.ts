/**
 * The validation report, defined once: the CLI checks what it prints against it, the readiness gate
 * stores it in the state file, and docs/validate-report.schema.json is generated from it
 * (`npm run schema:validate`).
 */
import { z } from "zod";

export const CHECK_KINDS = [
  "count",
  "content",
  "queries",
  "metadata",
  "ism",
  "dashboards",
  "permissions",
  "shadow",
] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

const difference = z
  .strictObject({
    kind: z
      .enum(["missing", "extra", "differs"])
      .describe("missing: on the source only; extra: on the target only"),
    id: z.string(),
    routing: z.string().optional(),
    path: z.string().optional().describe("differs: the first field path where the documents differ"),
    source: z.string().optional().describe("differs: the source's literal value at that path"),
    target: z.string().optional().describe("differs: the target's literal value at that path"),
  })
  .describe("One document that is not the same on both sides.");

const queryResult = z
  .strictObject({
    name: z
      .string()
      .describe("`terms(tags)`, `stats(price)`, … for generated queries; the file's name otherwise"),
    passed: z.boolean(),
    detail: z
      .string()
      .describe(
        "What was equal, the first differences, or the error type and reason of a side that refused it",
      ),
  })
  .describe("One query run on both clusters.");

const probeResult = z
  .strictObject({
    method: z.string(),
    path: z.string(),
    source: z.number().int().describe("status code the source answered (0: no answer)"),
    target: z.number().int().describe("status code the target answered (0: no answer)"),
    passed: z.boolean(),
  })
  .describe("One permission probe, sent as the probe user to both clusters.");

const shadowMismatch = z
  .strictObject({
    at: z.string().describe("ISO 8601"),
    kind: z.string().describe("search, count, msearch, get or mget"),
    method: z.string(),
    path: z.string().describe("the request path without its query string"),
    differences: z.array(z.string()).describe("what differed: status, total, ids; never field values"),
  })
  .describe("A read the gateway mirrored whose answers differed, also after replay caught up.");

const shadowSummary = z
  .strictObject({
    since: z.string().describe("ISO 8601: when the gateway's shadow window opened"),
    why: z
      .string()
      .describe("what opened it: the gateway started, its mode changed, or replay's hold was lifted"),
    paused: z.string().optional().describe("why no read is mirrored right now"),
    fraction: z.number().describe("gateway.shadowReads"),
    compared: z.number().int().nonnegative(),
    matched: z.number().int().nonnegative(),
    settled: z.number().int().nonnegative().describe("differed, then matched once replay caught up"),
    mismatched: z.number().int().nonnegative().describe("differed persistently"),
    failed: z.number().int().nonnegative().describe("the target gave no answer"),
    skipped: z.record(z.string(), z.number()).describe("picked but not compared, by reason"),
    rate: z.number().describe("mismatched / compared (0 when nothing was compared)"),
    max: z.number().describe("validate.shadowMismatchMax"),
    recent: z.array(shadowMismatch),
  })
  .describe("shadow: the gateway's live-read comparison since its window opened.");

const ismIndex = z
  .strictObject({
    index: z.string().describe("the source index"),
    targetIndex: z.string().describe("its name on the target"),
    source: z.string().optional().describe("the ISM policy managing it on the source; absent: none"),
    target: z.string().optional().describe("the ISM policy managing it on the target; absent: none"),
    passed: z.boolean().describe("the same policy (or none) on both sides, and that policy is identical"),
    detail: z.string().describe("what differs, or `managed by P on both`"),
  })
  .describe("ism: one selected index managed by an ISM policy on either side.");

const savedObject = z
  .strictObject({
    index: z.string().describe("the saved objects index (its alias, e.g. `.kibana`)"),
    type: z.string().describe("dashboard, visualization, index-pattern, search, config, …"),
    id: z.string(),
    title: z
      .string()
      .optional()
      .describe("the object's title (an index pattern's pattern), source side first"),
    kind: z
      .enum(["missing", "extra", "changed"])
      .describe(
        "missing: on the source only; extra: on the target only; changed: attributes or references differ",
      ),
  })
  .describe("dashboards: one saved object that is not the same on both sides.");

const check = z
  .strictObject({
    index: z.string().describe("The source index (or `*` for cluster-wide metadata)."),
    targetIndex: z.string().describe("Its name on the target (renamed by backfill.rename)."),
    kind: z.enum(CHECK_KINDS),
    passed: z.boolean(),
    summary: z.string().describe("One line a person reads: what was compared and what was found."),
    source: z.number().int().nonnegative().optional().describe("count: source documents"),
    target: z.number().int().nonnegative().optional().describe("count: target documents"),
    compared: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("content: documents compared; dashboards: source saved objects compared"),
    differences: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("content: persistent differences; dashboards: saved objects that differ"),
    settled: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe("content: differences that went away once sync caught up (writes in flight)"),
    first: z.array(difference).optional().describe("content: the first differences found"),
    items: z
      .array(z.string())
      .optional()
      .describe("metadata: one line per object that differs, as `bluegreen prepare` prints it"),
    queries: z
      .array(queryResult)
      .optional()
      .describe(
        "queries: every query run on both sides, generated from the mapping or from the queries file",
      ),
    notApplicable: z
      .string()
      .optional()
      .describe("ism, dashboards: why the check does not apply to these clusters (it then passes)"),
    ism: z
      .array(ismIndex)
      .optional()
      .describe("ism: every selected index an ISM policy manages on either side, differing ones first"),
    savedObjects: z
      .array(savedObject)
      .optional()
      .describe("dashboards: the first saved objects that differ (every one is counted in `differences`)"),
    user: z.string().optional().describe("permissions: the probe user"),
    probes: z.array(probeResult).optional().describe("permissions: every probe and both status codes"),
    shadow: shadowSummary.optional(),
    seconds: z.number().nonnegative(),
  })
  .describe(
    "One check on one index (`*` for cluster-wide checks: metadata, ism, dashboards, permissions, shadow).",
  );

export const validationReportSchema = z
  .strictObject({
    passed: z.boolean().describe("Every check passed."),
    startedAt: z.string().describe("ISO 8601"),
    finishedAt: z.string().describe("ISO 8601"),
    mode: z.enum(["full", "sample"]),
    sample: z
      .strictObject({
        size: z.number().int().positive(),
        seed: z.number().int(),
        how: z.string(),
        confidence: z.string(),
      })
      .optional(),
    sync: z
      .strictObject({
        method: z.string(),
        position: z
          .record(z.string(), z.number())
          .optional()
          .describe("replay's stored position when validation ended"),
        lagRecords: z.number().int().nonnegative().optional(),
      })
      .describe("Where sync stood: the gate compares it with the position at cutover."),
    differencesFile: z.string().optional().describe("Every difference found, as NDJSON"),
    checks: z.array(check).describe("Failures first, then by index and kind."),
  })
  .describe("The result of `bluegreen validate`.");

export type ValidationReport = z.infer<typeof validationReportSchema>;
export type Check = z.infer<typeof check>;
export type Difference = z.infer<typeof difference>;
export type ProbeResult = z.infer<typeof probeResult>;
export type ShadowSummary = z.infer<typeof shadowSummary>;
export type IsmIndex = z.infer<typeof ismIndex>;
export type SavedObjectDifference = z.infer<typeof savedObject>;

/** The committed docs/validate-report.schema.json is exactly this text. */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(z.toJSONSchema(validationReportSchema), null, 2)}\n`;
}

/** Failures first, then by index, then in the order of CHECK_KINDS. */
export function orderChecks(checks: readonly Check[]): Check[] {
  return [...checks].sort(
    (a, b) =>
      Number(a.passed) - Number(b.passed) ||
      a.index.localeCompare(b.index) ||
      CHECK_KINDS.indexOf(a.kind) - CHECK_KINDS.indexOf(b.kind),
  );
}

if (import.meta.main) process.stdout.write(reportJsonSchemaText());
