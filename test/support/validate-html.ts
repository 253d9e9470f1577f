/**
 * Reports shaped like the ones `bluegreen validate` writes, for the HTML tests: no clusters needed.
 * The failed one carries what the page must handle: a hostile document id, a renamed index, a long
 * literal value, metadata drift, and a `queries` check of a kind the page was not written for.
 */
import type { Check, ValidationReport } from "../../src/validate/index.ts";

export const HOSTILE_ID = "<script>alert(1)</script>";
export const FAILING_INDICES = ["cluster-wide", "logs-2024.11", "orders"] as const;

const equalCount = (index: string, docs: number, seconds: number): Check => ({
  index,
  targetIndex: index,
  kind: "count",
  passed: true,
  summary: `${docs} document(s) on both sides`,
  source: docs,
  target: docs,
  seconds,
});

const equalContent = (index: string, docs: number, mode: string, seconds: number): Check => ({
  index,
  targetIndex: index,
  kind: "content",
  passed: true,
  summary: `${docs} document(s) equal (${mode})`,
  compared: docs,
  differences: 0,
  seconds,
});

/** A check of a kind the report schema may not know yet: the page must render it generically. */
const queriesCheck = {
  index: "orders",
  targetIndex: "orders",
  kind: "queries",
  passed: false,
  summary: "1 of 3 queries differ",
  queries: [
    { name: "match_all total", passed: true, detail: "52,310 hits on both sides" },
    { name: "top 10 by created desc", passed: false, detail: "ids differ from rank 4: o-9311 ≠ o-9312" },
    { name: "terms status", passed: true, detail: "5 buckets, equal counts" },
  ],
  seconds: 0.84,
} as unknown as Check;

export function failedReport(): ValidationReport {
  return {
    passed: false,
    startedAt: "2026-11-30T09:12:03.512Z",
    finishedAt: "2026-11-30T09:14:41.090Z",
    mode: "sample",
    sample: {
      size: 1000,
      seed: 42,
      how: "random_score (seed 42, field _seq_no) ranks every document of each index; the 1000 best of the source are looked up on the target by _id and routing (_mget).",
      confidence:
        "3 of 1000 sampled documents missing on the target or different (0.3%; about 360 in the index); 1000 of 120000 sampled documents clean: at 95% confidence fewer than 0.3% of documents are extra (absent from the source) (rule of three).",
    },
    sync: { method: "gateway", position: { "0": 18231 }, lagRecords: 0 },
    differencesFile: "/var/lib/bluegreen/validate-differences.ndjson",
    checks: [
      {
        index: "*",
        targetIndex: "*",
        kind: "metadata",
        passed: false,
        summary: "2 object(s) differ; run bluegreen prepare to see and apply them",
        items: [
          "  ~ mapping logs-2024.11\n      properties.user.email.type: keyword ≠ text",
          "  + index template logs-template",
        ],
        seconds: 1.92,
      },
      {
        index: "logs-2024.11",
        targetIndex: "logs-2024.11-v2",
        kind: "count",
        passed: false,
        summary: "120000 on the source, 119998 on the target (-2)",
        source: 120000,
        target: 119998,
        seconds: 0.21,
      },
      {
        index: "logs-2024.11",
        targetIndex: "logs-2024.11-v2",
        kind: "content",
        passed: false,
        summary: "3 of 1000 document(s) differ (sample); 2 settled once sync caught up",
        compared: 1000,
        differences: 3,
        settled: 2,
        first: [
          { kind: "missing", id: HOSTILE_ID },
          { kind: "extra", id: "evt-88121", routing: "tenant-7" },
          {
            kind: "differs",
            id: "evt-00417",
            path: "payload.amount",
            source: "12345678901234567891",
            target: "12345678901234567000",
          },
        ],
        seconds: 14.6,
      },
      queriesCheck,
      {
        index: "*",
        targetIndex: "*",
        kind: "permissions",
        passed: false,
        user: "reader",
        summary:
          "user reader: 1 of 3 probe(s) differ; PUT /orders/_doc/bluegreen-permission-probe: source 403 ≠ target 409 (the target allows what the source refuses)",
        probes: [
          { method: "GET", path: "/_plugins/_security/authinfo", source: 200, target: 200, passed: true },
          { method: "GET", path: "/orders/_search?size=0", source: 200, target: 200, passed: true },
          {
            method: "PUT",
            path: "/orders/_doc/bluegreen-permission-probe",
            source: 403,
            target: 409,
            passed: false,
          },
        ],
        seconds: 0.31,
      },
      {
        index: "*",
        targetIndex: "*",
        kind: "shadow",
        passed: true,
        summary: "1 of 12840 mirrored read(s) differ (0.01%, max 0.10%) since 2026-11-30T09:12:00.000Z",
        shadow: {
          since: "2026-11-30T09:12:00.000Z",
          why: "replay's hold was lifted (the backfill finished)",
          fraction: 0.05,
          compared: 12840,
          matched: 12798,
          settled: 41,
          mismatched: 1,
          failed: 0,
          skipped: { busy: 12 },
          rate: 1 / 12840,
          max: 0.001,
          recent: [
            {
              at: "2026-11-30T09:58:01.000Z",
              kind: "get",
              method: "GET",
              path: "/orders/_doc/o-77",
              differences: ["_source differs"],
            },
          ],
        },
        seconds: 0.02,
      },
      equalCount("orders", 52310, 0.12),
      equalContent("orders", 1000, "sample", 6.3),
      equalCount("users", 812, 0.05),
      equalContent("users", 812, "sample", 1.1),
    ],
  };
}

export function passedReport(): ValidationReport {
  return {
    passed: true,
    startedAt: "2026-11-30T10:00:00.000Z",
    finishedAt: "2026-11-30T10:03:12.400Z",
    mode: "full",
    sync: { method: "none" },
    differencesFile: "/var/lib/bluegreen/validate-differences.ndjson",
    checks: [
      {
        index: "*",
        targetIndex: "*",
        kind: "metadata",
        passed: true,
        summary: "41 object(s) identical on both sides",
        seconds: 1.4,
      },
      equalCount("orders", 52310, 0.1),
      equalContent("orders", 52310, "full", 88.2),
      {
        index: "orders",
        targetIndex: "orders",
        kind: "queries",
        passed: true,
        summary: "2 queries equal",
        queries: [
          { name: "match_all total", passed: true, detail: "52,310 hits on both sides" },
          { name: "stats price", passed: true, detail: "min, max, avg, sum equal" },
        ],
        seconds: 0.4,
      } as unknown as Check,
    ],
  };
}
