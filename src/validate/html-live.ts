/**
 * The report page's parts for the checks that look at live behaviour rather than stored data: the
 * permission probes (both status codes per request) and the gateway's shadow reads (counts, then the
 * latest mismatches, which name ids and never field values).
 */
import { type Html, html, int } from "../report/index.ts";
import type { Check } from "./report.ts";

function pill(passed: boolean): Html {
  return html`<span class="pill ${passed ? "ok" : "fail"}">${passed ? "ok" : "FAIL"}</span>`;
}

export function probeTable(check: Check): Html | undefined {
  const probes = check.probes;
  if (probes === undefined || probes.length === 0) return undefined;
  const sorted = [...probes].sort((a, b) => Number(a.passed) - Number(b.passed));
  return html`<div class="scroll"><table class="queries">
<thead><tr><th></th><th>Probe as ${check.user ?? "the user"}</th><th class="num">Source</th><th class="num">Target</th></tr></thead>
<tbody>
${sorted.map((p) => html`<tr class="${p.passed ? "" : "failed"}"><td>${pill(p.passed)}</td><td class="name">${p.method} ${p.path}</td><td class="num">${p.source}</td><td class="num${p.passed ? "" : " bad"}">${p.target}</td></tr>`)}
</tbody>
</table></div>`;
}

export function shadowPanel(check: Check): Html | undefined {
  const s = check.shadow;
  if (s === undefined) return undefined;
  const skipped = Object.entries(s.skipped)
    .map(([reason, n]) => `${reason} ${int(n)}`)
    .join(", ");
  const facts = html`<div class="counts"><div>compared <b>${int(s.compared)}</b></div><div>matched <b>${int(s.matched)}</b></div><div>settled <b>${int(s.settled)}</b></div><div class="${s.mismatched > 0 ? "bad" : ""}">mismatched <b>${int(s.mismatched)}</b></div><div>no target answer <b>${int(s.failed)}</b></div></div>
<p class="note">Since ${s.since} (${s.why}); ${(s.fraction * 100).toFixed(2)}% of reads mirrored${skipped === "" ? "" : `; not compared: ${skipped}`}${s.paused === undefined ? "" : `; paused: ${s.paused}`}.</p>`;
  if (s.recent.length === 0) return facts;
  return html`${facts}<div class="scroll"><table class="queries">
<thead><tr><th>When</th><th>Read</th><th>What differed</th></tr></thead>
<tbody>
${s.recent.map((m) => html`<tr class="failed"><td>${m.at}</td><td class="name">${m.kind}: ${m.method} ${m.path}</td><td>${m.differences.join("; ")}</td></tr>`)}
</tbody>
</table></div>`;
}
