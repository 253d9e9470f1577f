import assert from "node:assert/strict";
import { test } from "node:test";
import { type MigrationReport, renderMarkdown, renderMigrationHtml } from "../../src/report/index.ts";

const HOSTILE = "<script>alert(1)</script>|x";

function report(overrides: Partial<MigrationReport> = {}): MigrationReport {
  return {
    meta: {
      migration: "orders-upgrade",
      source: { url: "https://admin:s3cret@old.example:9200/?token=abc", version: "OpenSearch 2.11.1" },
      target: { url: "https://new.example:9200", version: "OpenSearch 2.19.4" },
    },
    generatedAt: "2026-11-30T10:00:00.000Z",
    headline: "Decommissioned: clients use the target; the source is kept read-only",
    steps: [
      {
        id: "cutover",
        status: "done",
        startedAt: "2026-11-30T09:00:00.000Z",
        finishedAt: "2026-11-30T09:00:03.000Z",
        note: "by cutover",
      },
    ],
    indices: [
      {
        index: "orders",
        targetIndex: "orders-v2",
        method: "stream",
        backfilled: 52_310,
        atCutover: 52_400,
        validation: [{ kind: "content", passed: true, summary: "52,400 document(s) equal (full)" }],
      },
      {
        index: HOSTILE,
        targetIndex: HOSTILE,
        method: undefined,
        backfilled: undefined,
        atCutover: 1,
        validation: [],
      },
    ],
    validation: { passed: true, finishedAt: "2026-11-30T08:55:00.000Z", mode: "full", failed: [] },
    cutover: {
      fencedAt: "2026-11-30T09:00:01.000Z",
      switchedAt: "2026-11-30T09:00:02.840Z",
      pauseMs: 1_840,
      blocked: ["orders"],
      forcedGate: undefined,
    },
    decommission: ["decommission: source left read-only (1 index(es))"],
    leftForYou: ["Stop the gateway with `kill -TERM 42`."],
    rollback: [
      {
        command: "bluegreen rollback -c m.yaml --yes",
        effect: "Lossless while the gateway logs the target's writes.",
      },
      { effect: "Nothing else to run." },
    ],
    timeline: [
      {
        at: "2026-11-30T09:00:01.000Z",
        step: "cutover",
        text: "cutover: writes fenced at the gateway",
        tone: "milestone",
      },
      { at: "2026-11-30T09:00:02.840Z", step: "cutover", text: `failed: ${HOSTILE}`, tone: "bad" },
    ],
    ...overrides,
  };
}

test("Markdown: headline, the write pause, per-index rows, rollback commands as code, the timeline", () => {
  const md = renderMarkdown(report());
  assert.match(md, /^# Migration report — orders-upgrade$/m);
  assert.match(
    md,
    /^https:\/\/old\.example:9200 \(OpenSearch 2\.11\.1\) → https:\/\/new\.example:9200 \(OpenSearch 2\.19\.4\)$/m,
  );
  assert.match(md, /^\*\*Decommissioned: clients use the target; the source is kept read-only\*\*$/m);
  assert.match(md, /^- write pause \(fence to switch\): \*\*1\.84 s\*\*$/m);
  assert.match(
    md,
    /^\| orders \| orders-v2 \| stream \| 52310 \| 52400 \| ✓ content: 52,400 document\(s\) equal \(full\) \|$/m,
  );
  assert.match(md, /^ {2}```sh\n {2}bluegreen rollback -c m\.yaml --yes\n {2}```$/m);
  assert.match(md, /^- Nothing else to run\.$/m);
  assert.match(md, /^\| 2026-11-30T09:00:01\.000Z \| cutover \| cutover: writes fenced at the gateway \|$/m);
  // A pipe in a value cannot break the table: every row keeps its column count.
  const rows = md.split("\n").filter((l) => l.startsWith("| 2026-11-30T09:00:02.840Z"));
  assert.equal(rows.length, 1);
  assert.match(rows[0] ?? "", /\\\|x/);
});

test("Markdown without a cutover or a validation says so", () => {
  const md = renderMarkdown(report({ cutover: undefined, validation: undefined, decommission: [] }));
  assert.match(md, /^No cutover is recorded\.$/m);
  assert.match(md, /^No finished validation is recorded\.$/m);
  assert.match(md, /^Not decommissioned\.$/m);
});

test("HTML: self-contained, escaped, no credentials, the same facts", () => {
  const page = renderMigrationHtml(report());
  assert.match(page, /^<!doctype html>/);
  assert.match(
    page,
    /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/,
  );
  assert.doesNotMatch(page, /<script|<link|<img|src=|href="http/i);
  assert.ok(page.includes("&lt;script&gt;alert(1)&lt;/script&gt;|x"), "a hostile index name is text");
  assert.doesNotMatch(page, /s3cret|token=abc/, "no userinfo or query from a cluster URL");
  assert.match(page, /Write pause at cutover<\/dt><dd>1\.84 s/);
  assert.match(page, /<pre class="cmd">bluegreen rollback -c m\.yaml --yes<\/pre>/);
  assert.match(page, /<tr class="failed"><td class="mono">2026-11-30 09:00:02 UTC<\/td>/);
  assert.match(page, /orders<span class="renamed">→ orders-v2<\/span>/);
});
