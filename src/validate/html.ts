/**
 * The validation report as one self-contained HTML page, for the person deciding whether to cut over:
 * the verdict first, then one row per index (failures first), then what exactly differs. No scripts,
 * no external files: a Content-Security-Policy of `default-src 'none'` makes that a property of the page,
 * not just of this code, so a value that slipped past escaping still could not run or phone home.
 */
import {
  duration,
  type Html,
  html,
  htmlPage,
  int,
  pageHeader,
  plural,
  type ReportMeta,
  secondsBetween,
  when,
} from "../report/index.ts";
import { card, checkTable, indexName, label, type Numbered, status } from "./html-detail.ts";
import type { Check, ValidationReport } from "./report.ts";

export type HtmlReportMeta = ReportMeta;

interface IndexRow {
  readonly index: string;
  readonly targetIndex: string;
  readonly checks: Numbered[];
}

export function renderHtml(report: ValidationReport, meta?: HtmlReportMeta): string {
  const numbered = report.checks.map((check, n) => ({ check, n }));
  const failed = numbered.filter((c) => !c.check.passed);
  const title = `Validation ${report.passed ? "passed" : "FAILED"}${meta === undefined ? "" : ` — ${meta.migration}`}`;
  const body = html`${pageHeader("validation report", meta)}
${verdict(report, failed)}
${tiles(report)}
<h2 class="section" id="indices">Indices <small>${indexLead(report)}</small></h2>
${indexTable(numbered)}
${
  failed.length === 0
    ? ""
    : html`<h2 class="section" id="differs">What differs <small>${plural(failed.length, "failing check")}</small></h2>
${failed.map((c) => card(c, report))}`
}
<h2 class="section" id="checks">Every check <small>failures first, then by index</small></h2>
${checkTable(numbered)}
<footer>Written by <code>bluegreen validate</code> from the report it also prints with <code>--json</code>.
This page is self-contained: no scripts, no external files, no network requests.</footer>`;
  return htmlPage(title, body);
}

function verdict(report: ValidationReport, failed: readonly Numbered[]): Html {
  const total = report.checks.length;
  const indices = indexCount(report);
  const names = [...new Set(failed.map((c) => label(c.check.index)))];
  const lead = report.passed
    ? html`All ${plural(total, "check")} passed on ${plural(indices, "index", "indices")}. The cutover gate accepts this result while it is younger than <code>validate.maxAge</code>.`
    : html`${failed.length} of ${plural(total, "check")} failed, on ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""}. The cutover gate stays closed until a validation passes.`;
  const differences = report.checks.some((c) => (c.differences ?? 0) > 0);
  const took = secondsBetween(report.startedAt, report.finishedAt);
  return html`<section class="verdict ${report.passed ? "pass" : "fail"}" id="verdict">
<div class="mark" aria-hidden="true">${report.passed ? "✓" : "✗"}</div>
<h2>${report.passed ? "Validation passed" : "Validation failed"}</h2>
<p class="lead">${lead}</p>
<dl class="facts">
<div><dt>Finished</dt><dd>${when(report.finishedAt)}<span class="sub">started ${when(report.startedAt)}${took === undefined ? "" : `, took ${duration(took)}`}</span></dd></div>
${mode(report)}
${sync(report.sync)}
${report.differencesFile === undefined || !differences ? "" : html`<div><dt>Every difference</dt><dd><code>${report.differencesFile}</code><span class="sub">NDJSON, one document a line</span></dd></div>`}
</dl>
</section>`;
}

function mode(report: ValidationReport): Html {
  const s = report.sample;
  if (report.mode === "full")
    return html`<div><dt>Mode</dt><dd>Full<span class="sub">every document compared by content</span></dd></div>`;
  if (s === undefined)
    return html`<div><dt>Mode</dt><dd>Sample<span class="sub">no index was sampled</span></dd></div>`;
  return html`<div><dt>Mode</dt><dd>Sample of ${int(s.size)} per index and side<span class="sub">seed ${s.seed}</span>
<details><summary>how the sample is drawn</summary><span class="sub">${s.how}</span></details></dd></div>
<div class="wide"><dt>What the sample proves</dt><dd>${s.confidence}</dd></div>`;
}

function sync(s: ValidationReport["sync"]): Html {
  const entries = Object.entries(s.position ?? {});
  // One partition (the file log) reads as a record number; Kafka's several as partition:offset.
  const position =
    entries.length === 1
      ? `record ${int(entries[0]?.[1])}`
      : entries.map(([partition, offset]) => `${partition}:${int(offset)}`).join(", ");
  const lag =
    s.lagRecords === undefined
      ? ""
      : s.lagRecords === 0
        ? "caught up"
        : `${int(s.lagRecords)} record(s) behind`;
  const sub = [position === "" ? "" : `replay at ${position}`, lag].filter((x) => x !== "").join(" · ");
  const note = s.method === "none" ? "no sync configured" : sub;
  return html`<div><dt>Sync</dt><dd>${s.method}${note === "" ? "" : html`<span class="sub">${note}</span>`}</dd></div>`;
}

function tiles(report: ValidationReport): Html {
  const sum = (f: (c: Check) => number | undefined) => report.checks.reduce((a, c) => a + (f(c) ?? 0), 0);
  const differences = sum((c) => c.differences);
  const failedChecks = report.checks.filter((c) => !c.passed).length;
  const indices = indexCount(report);
  const tile = (n: string, l: string, bad = false) =>
    html`<div class="tile${bad ? " bad" : ""}"><div class="n">${n}</div><div class="l">${l}</div></div>`;
  return html`<div class="tiles">
${tile(int(indices), indices === 1 ? "index" : "indices")}
${tile(int(sum((c) => c.compared)), "documents compared")}
${tile(int(differences), "persistent differences", differences > 0)}
${report.sync.method === "none" ? "" : tile(int(sum((c) => c.settled)), "settled once sync caught up")}
${tile(`${failedChecks} / ${report.checks.length}`, "checks failed", failedChecks > 0)}
</div>`;
}

/** Indices validated; the cluster-wide row (`*`) is not one. */
function indexCount(report: ValidationReport): number {
  return new Set(report.checks.filter((c) => c.index !== "*").map((c) => c.index)).size;
}

function indexLead(report: ValidationReport): string {
  const n = new Set(report.checks.map((c) => c.index)).size;
  return `${plural(n, "row")}, failures first`;
}

/** One row per index in report order, which already puts failures first. */
function indexRows(numbered: readonly Numbered[]): IndexRow[] {
  const rows = new Map<string, IndexRow>();
  for (const c of numbered) {
    const row = rows.get(c.check.index) ?? {
      index: c.check.index,
      targetIndex: c.check.targetIndex,
      checks: [],
    };
    row.checks.push(c);
    rows.set(c.check.index, row);
  }
  const ok = (r: IndexRow) => r.checks.every((c) => c.check.passed);
  return [...rows.values()].sort((a, b) => Number(ok(a)) - Number(ok(b)));
}

function indexTable(numbered: readonly Numbered[]): Html {
  const rows = indexRows(numbered).map((r) => {
    const of = (kind: string) => r.checks.find((c) => c.check.kind === kind)?.check;
    const count = of("count");
    const content = of("content");
    const passed = r.checks.every((c) => c.check.passed);
    const seconds = r.checks.reduce((a, c) => a + c.check.seconds, 0);
    // Within validate.countTolerance a difference passes: only a failed count is marked.
    const countsDiffer = count !== undefined && !count.passed && count.source !== count.target;
    const chips = r.checks.map(
      ({ check, n }) =>
        html`<a class="chip ${check.passed ? "ok" : "fail"}" href="${check.passed ? "#checks" : `#check-${n}`}" title="${check.summary}">${check.passed ? "✓" : "✗"} ${check.kind}</a>`,
    );
    return html`<tr class="${passed ? "" : "failed"}">
<td>${status(passed)}</td>
<td>${indexName(r.index, r.targetIndex)}</td>
<td class="num">${int(count?.source)}</td>
<td class="num${countsDiffer ? " bad" : ""}">${int(count?.target)}</td>
<td class="num">${int(content?.compared)}</td>
<td class="num${(content?.differences ?? 0) > 0 ? " bad" : ""}">${int(content?.differences)}</td>
<td class="num">${int(content?.settled ?? (content === undefined ? undefined : 0))}</td>
<td>${chips}</td>
<td class="num">${duration(seconds)}</td>
</tr>`;
  });
  return html`<div class="scroll"><table class="indices">
<thead><tr><th></th><th>Index</th><th class="num">Source docs</th><th class="num">Target docs</th><th class="num">Compared</th><th class="num">Differences</th><th class="num">Settled</th><th>Checks</th><th class="num">Time</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}
