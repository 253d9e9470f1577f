/**
 * The report page's detail parts: per failing check what differs (documents, drift lines, queries),
 * and the table of every check. Check kinds are rendered generically, so a new kind needs no change here.
 */
import { clip, duration, type Html, html, int } from "../report/index.ts";
import { probeTable, shadowPanel } from "./html-live.ts";
import type { Check, Difference, ValidationReport } from "./report.ts";

/** A check and where it sits in the report, which names its card (`#check-N`). */
export interface Numbered {
  readonly check: Check;
  readonly n: number;
}

export function label(index: string): string {
  return index === "*" ? "cluster-wide" : index;
}

export function indexName(index: string, targetIndex: string): Html {
  return html`<span class="name">${label(index)}</span>${
    index === targetIndex || index === "*" ? "" : html` <span class="renamed">→ ${targetIndex}</span>`
  }`;
}

export function status(passed: boolean): Html {
  return html`<span class="pill ${passed ? "ok" : "fail"}">${passed ? "ok" : "FAIL"}</span>`;
}

export function card({ check, n }: Numbered, report: ValidationReport): Html {
  const parts: Html[] = [];
  if (check.source !== undefined || check.target !== undefined) {
    const delta = (check.target ?? 0) - (check.source ?? 0);
    parts.push(
      html`<div class="counts"><div>source <b>${int(check.source)}</b></div><div>target <b>${int(check.target)}</b></div>${
        delta === 0
          ? ""
          : html`<div class="bad">difference <b>${delta > 0 ? "+" : "−"}${int(Math.abs(delta))}</b></div>`
      }</div>`,
    );
  }
  if (check.first !== undefined && check.first.length > 0) parts.push(differences(check, report));
  if (check.items !== undefined && check.items.length > 0)
    parts.push(html`<ul class="drift">${check.items.map((i) => html`<li>${i}</li>`)}</ul>`);
  const queries = queriesOf(check);
  if (queries !== undefined) parts.push(queryTable(queries));
  for (const live of [probeTable(check), shadowPanel(check)]) if (live !== undefined) parts.push(live);
  return html`<article class="card" id="check-${n}">
<h3>${status(false)} ${indexName(check.index, check.targetIndex)} <span class="kind">${check.kind}</span><span class="time">${duration(check.seconds)}</span></h3>
<p class="summary">${check.summary}</p>
${parts}
</article>`;
}

const WHAT: Readonly<Record<Difference["kind"], string>> = {
  missing: "missing on target",
  extra: "extra on target",
  differs: "content differs",
};

/** Where two literal values part: the shared start is dimmed, so the eye lands on what changed. */
function values(source: string | undefined, target: string | undefined): [Html, Html] {
  const absent = html`<span class="muted">(absent)</span>`;
  if (source === undefined || target === undefined) {
    const plain = (t: string | undefined, side: string) =>
      t === undefined ? absent : html`<span class="val ${side}">${clip(t)}</span>`;
    return [plain(source, "src"), plain(target, "tgt")];
  }
  const a = [...source];
  const b = [...target];
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  const show = (chars: string[], side: string) => {
    // A value that is all shared start (`3` against `3.0`) reads better whole than dimmed.
    if (same === chars.length) return html`<span class="val ${side}">${clip(chars.join(""))}</span>`;
    const lead =
      same > CONTEXT * 2 ? `…${chars.slice(same - CONTEXT, same).join("")}` : chars.slice(0, same).join("");
    return html`<span class="val ${side}"><span class="same">${lead}</span><b>${clip(chars.slice(same).join(""))}</b></span>`;
  };
  return [show(a, "src"), show(b, "tgt")];
}

const CONTEXT = 24;

function differences(check: Check, report: ValidationReport): Html {
  const first = check.first ?? [];
  const total = check.differences ?? first.length;
  const rows = first.map((d) => {
    const [source, target] = values(d.source, d.target);
    return html`<tr>
<td><span class="what ${d.kind}">${WHAT[d.kind]}</span></td>
<td class="id">${d.id}</td>
<td class="id">${d.routing ?? html`<span class="muted">–</span>`}</td>
<td class="path">${d.kind === "differs" ? (d.path ?? "") : html`<span class="muted">whole document</span>`}</td>
<td>${d.kind === "differs" ? source : ""}</td>
<td>${d.kind === "differs" ? target : ""}</td>
</tr>`;
  });
  const rest =
    total > first.length
      ? html`Showing the first ${first.length} of ${int(total)} differences.`
      : html`${total === 1 ? "The only difference is shown." : `All ${int(total)} differences shown.`}`;
  const file =
    report.differencesFile === undefined
      ? ""
      : html` Every one is in <code>${report.differencesFile}</code>.`;
  return html`<div class="scroll"><table class="diff">
<thead><tr><th>What</th><th>Document id</th><th>Routing</th><th>Field</th><th>Source value</th><th>Target value</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
<p class="note">${rest}${file}</p>`;
}

interface QueryLine {
  readonly name: string;
  readonly passed: boolean;
  readonly detail: string | undefined;
}

/**
 * Query comparisons, read defensively: they come from a check kind this page was not written for,
 * so any check carrying `queries` shows them, whatever its kind.
 */
function queriesOf(check: Check): QueryLine[] | undefined {
  const raw = (check as { queries?: unknown }).queries;
  if (!Array.isArray(raw)) return undefined;
  const lines = raw.map((q): QueryLine => {
    const r = typeof q === "object" && q !== null ? (q as Record<string, unknown>) : {};
    const text = (v: unknown) =>
      v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    return { name: text(r.name) ?? "(unnamed)", passed: r.passed === true, detail: text(r.detail) };
  });
  return lines.sort((a, b) => Number(a.passed) - Number(b.passed));
}

function queryTable(queries: readonly QueryLine[]): Html {
  return html`<div class="scroll"><table class="queries">
<thead><tr><th></th><th>Query</th><th>Result</th></tr></thead>
<tbody>
${queries.map((q) => html`<tr class="${q.passed ? "" : "failed"}"><td>${status(q.passed)}</td><td class="name">${q.name}</td><td>${clip(q.detail ?? "")}</td></tr>`)}
</tbody>
</table></div>`;
}

/** What a passed check can still show, folded away. */
function passedDetails(check: Check): Html | string {
  const queries = queriesOf(check);
  if (queries !== undefined && queries.length > 0)
    return html`<details><summary>${queries.length} quer${queries.length === 1 ? "y" : "ies"}</summary>${queryTable(queries)}</details>`;
  const probes = probeTable(check);
  if (probes !== undefined)
    return html`<details><summary>${check.probes?.length ?? 0} probe(s)</summary>${probes}</details>`;
  const shadow = shadowPanel(check);
  return shadow === undefined ? "" : html`<details><summary>shadow reads</summary>${shadow}</details>`;
}

export function checkTable(numbered: readonly Numbered[]): Html {
  const rows = numbered.map(({ check, n }) => {
    const more = check.passed ? passedDetails(check) : html` <a href="#check-${n}">details ↑</a>`;
    return html`<tr class="${check.passed ? "" : "failed"}">
<td>${status(check.passed)}</td>
<td>${indexName(check.index, check.targetIndex)}</td>
<td>${check.kind}</td>
<td>${check.summary}${more}</td>
<td class="num">${duration(check.seconds)}</td>
</tr>`;
  });
  return html`<div class="scroll"><table class="checks">
<thead><tr><th></th><th>Index</th><th>Check</th><th>Result</th><th class="num">Time</th></tr></thead>
<tbody>
${rows}
</tbody>
</table></div>`;
}
