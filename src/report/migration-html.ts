/** The migration report as one HTML page: the same facts as the Markdown, in the validation page's style. */
import { type Html, html, int, when } from "./html-kit.ts";
import { htmlPage, pageHeader } from "./html-page.ts";
import { type MigrationReport, pauseText } from "./migration.ts";

export function renderMigrationHtml(r: MigrationReport): string {
  const c = r.cutover;
  const done = c?.switchedAt !== undefined;
  const body = html`${pageHeader("migration report", r.meta)}
<section class="verdict ${done ? "pass" : "fail"}" id="verdict">
<div class="mark" aria-hidden="true">${done ? "✓" : "…"}</div>
<h2>${r.headline}</h2>
<p class="lead">Written ${when(r.generatedAt)} from the migration's state file.</p>
<dl class="facts">
<div><dt>Write pause at cutover</dt><dd>${pauseText(c?.pauseMs)}<span class="sub">from the fence to the switch</span></dd></div>
<div><dt>Switched</dt><dd>${c?.switchedAt === undefined ? "not yet" : when(c.switchedAt)}</dd></div>
<div><dt>Last validation</dt><dd>${r.validation === undefined ? "none recorded" : html`${r.validation.passed ? "passed" : "FAILED"}<span class="sub">${when(r.validation.finishedAt)} · ${r.validation.mode}</span>`}</dd></div>
<div><dt>Source indices write-blocked</dt><dd>${int(c?.blocked.length ?? 0)}</dd></div>
${c?.forcedGate === undefined ? "" : html`<div class="wide"><dt>Gate overridden (--force)</dt><dd>${c.forcedGate}</dd></div>`}
</dl>
</section>
<h2 class="section" id="indices">Indices <small>method, documents, validation</small></h2>
${indices(r)}
<h2 class="section" id="rollback">Rollback <small>what still applies</small></h2>
${r.rollback.map((o) => html`<p>${o.effect}</p>${o.command === undefined ? "" : html`<pre class="cmd">${o.command}</pre>`}`)}
<h2 class="section" id="decommission">Decommission</h2>
${list(r.decommission, "Not decommissioned.")}
${r.leftForYou.length === 0 ? "" : html`<h2 class="section" id="left">Left for you</h2>${list(r.leftForYou, "")}`}
<h2 class="section" id="steps">Steps</h2>
<div class="scroll"><table><thead><tr><th>step</th><th>status</th><th>started</th><th>finished</th><th>note</th></tr></thead><tbody>
${r.steps.map((s) => html`<tr><td class="name">${s.id}</td><td>${s.status}</td><td>${s.startedAt === undefined ? "–" : when(s.startedAt)}</td><td>${s.finishedAt === undefined ? "–" : when(s.finishedAt)}</td><td>${s.note ?? ""}</td></tr>`)}
</tbody></table></div>
<h2 class="section" id="timeline">Timeline <small>${int(r.timeline.length)} events, UTC</small></h2>
<div class="scroll"><table><thead><tr><th>at</th><th>step</th><th>what</th></tr></thead><tbody>
${r.timeline.map((t) => html`<tr class="${t.tone === "bad" ? "failed" : t.tone === "milestone" ? "milestone" : ""}"><td class="mono">${when(t.at)}</td><td>${t.step ?? ""}</td><td>${t.text}</td></tr>`)}
</tbody></table></div>
<footer>Written by <code>bluegreen</code> from the migration's state file; the same report is written as Markdown.
This page is self-contained: no scripts, no external files, no network requests.</footer>`;
  return htmlPage(`Migration report — ${r.meta.migration}`, body);
}

function list(items: readonly string[], empty: string): Html {
  return items.length === 0
    ? html`<p class="muted">${empty}</p>`
    : html`<ul class="plain">${items.map((i) => html`<li>${i}</li>`)}</ul>`;
}

function indices(r: MigrationReport): Html {
  return html`<div class="scroll"><table class="indices"><thead><tr><th>index</th><th>method</th><th class="num">copied</th><th class="num">at cutover</th><th>validation</th></tr></thead><tbody>
${r.indices.map(
  (i) =>
    html`<tr class="${i.validation.some((v) => !v.passed) ? "failed" : ""}"><td class="name">${i.index}${i.targetIndex === i.index ? "" : html`<span class="renamed">→ ${i.targetIndex}</span>`}</td><td>${i.method ?? "–"}</td><td class="num">${int(i.backfilled)}</td><td class="num">${int(i.atCutover)}</td><td>${i.validation.map((v) => html`<span class="chip ${v.passed ? "ok" : "fail"}">${v.kind}</span> ${v.summary}<br>`)}</td></tr>`,
)}
</tbody></table></div>`;
}
