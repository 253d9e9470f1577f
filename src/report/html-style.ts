/**
 * The report's stylesheet. It is inlined and allowed by its hash in the page's Content-Security-Policy,
 * so no `style=` attributes anywhere: the policy would drop them.
 */
export const STYLE = `
:root {
  --bg: #f4f5f7; --card: #ffffff; --ink: #18202c; --muted: #5a6474; --line: #e1e4ea; --soft: #f7f8fa;
  --ok: #17733a; --ok-bg: #e7f4ec; --ok-line: #b9dfc7;
  --bad: #b3261e; --bad-bg: #fcebe9; --bad-line: #f1c3be;
  --accent: #2d5bd7;
  --mono: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161c; --card: #1a2029; --ink: #e6e9ee; --muted: #9aa4b2; --line: #2c3440; --soft: #202733;
    --ok: #5cc98a; --ok-bg: #15301f; --ok-line: #245c3a;
    --bad: #ff8a80; --bad-bg: #3a1a18; --bad-line: #6b2b26;
    --accent: #8fb0ff;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body {
  margin: 0; color: var(--ink); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
main { max-width: 1200px; margin: 0 auto; padding: 28px 28px 48px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: var(--mono); font-size: 0.92em; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2.section { font-size: 18px; margin: 36px 0 12px; }
h2.section small { font-weight: 400; color: var(--muted); font-size: 14px; margin-left: 8px; }

header.top { margin-bottom: 20px; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 600; color: var(--muted); }
header.top h1 { font-size: 26px; margin: 4px 0 10px; word-break: break-word; }
.clusters { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; }
.cluster { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; }
.cluster .role { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; margin-right: 8px; }
.cluster .version { color: var(--muted); margin-left: 8px; }
.arrow { color: var(--muted); font-size: 18px; }

.verdict {
  display: grid; grid-template-columns: 64px 1fr; gap: 6px 20px; align-items: center;
  border-radius: 14px; padding: 24px 28px; border: 1px solid;
}
.verdict.pass { background: var(--ok-bg); border-color: var(--ok-line); }
.verdict.fail { background: var(--bad-bg); border-color: var(--bad-line); }
.mark {
  width: 64px; height: 64px; border-radius: 50%; display: flex; align-items: center; justify-content: center;
  color: #fff; font-size: 34px; font-weight: 700; grid-row: span 2;
}
.pass .mark { background: var(--ok); }
.fail .mark { background: var(--bad); }
.verdict h2 { font-size: 28px; }
.pass h2 { color: var(--ok); }
.fail h2 { color: var(--bad); }
.verdict .lead { margin: 0; font-size: 16px; }
.facts {
  grid-column: 1 / -1; display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
  gap: 14px 28px; margin: 18px 0 0; padding-top: 16px; border-top: 1px solid var(--line);
}
.fail .facts { border-top-color: var(--bad-line); }
.pass .facts { border-top-color: var(--ok-line); }
.facts dt { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); font-weight: 600; }
.facts dd { margin: 2px 0 0; word-break: break-word; }
.facts dd .sub { display: block; color: var(--muted); font-size: 13px; }
.facts .wide { grid-column: span 2; }

.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-top: 16px; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.tile .n { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.tile .l { color: var(--muted); font-size: 13px; }
.tile.bad .n { color: var(--bad); }

.scroll { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
table { width: 100%; border-collapse: collapse; }
th {
  text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted);
  font-weight: 600; padding: 10px 12px; border-bottom: 1px solid var(--line); background: var(--soft); white-space: nowrap;
}
td { padding: 10px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.bad { color: var(--bad); font-weight: 650; }
tr.failed td:first-child { box-shadow: inset 4px 0 0 var(--bad); }
tr.failed { background: color-mix(in srgb, var(--bad-bg) 45%, transparent); }
.name { font-weight: 600; word-break: break-all; }
.renamed { color: var(--muted); font-weight: 400; }
table.indices .renamed { display: block; font-size: 13px; }
.muted { color: var(--muted); }

.pill, .chip {
  display: inline-block; border-radius: 999px; font-size: 12px; font-weight: 650; padding: 1px 9px;
  border: 1px solid; white-space: nowrap;
}
.pill.ok, .chip.ok { color: var(--ok); background: var(--ok-bg); border-color: var(--ok-line); }
.pill.fail, .chip.fail { color: var(--bad); background: var(--bad-bg); border-color: var(--bad-line); }
.chip { font-weight: 500; margin: 0 4px 4px 0; }

.card {
  background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--bad);
  border-radius: 10px; padding: 16px 20px; margin-bottom: 16px;
}
.card h3 { font-size: 16px; display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
.card h3 .kind { color: var(--muted); font-weight: 500; }
.card h3 .time { margin-left: auto; color: var(--muted); font-weight: 400; font-size: 13px; }
.card .summary { margin: 6px 0 12px; }
.card .scroll { border-radius: 8px; }
.card .note { color: var(--muted); font-size: 13px; margin: 8px 0 0; }
.diff td { font-size: 13px; }
.diff .id, .diff .path { font-family: var(--mono); word-break: break-all; }
.val {
  font-family: var(--mono); font-size: 12.5px; white-space: pre-wrap; word-break: break-all;
  border-radius: 4px; padding: 1px 5px; display: inline-block; max-width: 360px;
}
.val.src { background: var(--ok-bg); }
.val.tgt { background: var(--bad-bg); }
.val .same { opacity: 0.6; }
.val.src b { color: var(--ok); }
.val.tgt b { color: var(--bad); }
.what { white-space: nowrap; font-weight: 600; }
.what.missing, .what.differs { color: var(--bad); }
.what.extra { color: var(--accent); }
ul.drift { margin: 0; padding: 10px 14px; list-style: none; background: var(--soft); border-radius: 8px; border: 1px solid var(--line); }
ul.drift li { font-family: var(--mono); font-size: 13px; white-space: pre-wrap; word-break: break-word; padding: 2px 0; }
.counts { display: flex; gap: 24px; margin: 0 0 8px; }
.counts div { font-variant-numeric: tabular-nums; }
.counts b { font-size: 18px; }

details > summary { cursor: pointer; color: var(--accent); font-size: 13px; margin-top: 4px; }
details[open] > summary { margin-bottom: 6px; }
details .scroll { margin-top: 4px; }
.queries td { font-size: 13px; }

pre.cmd {
  font-family: var(--mono); font-size: 13px; background: var(--soft); border: 1px solid var(--line);
  border-radius: 8px; padding: 8px 12px; white-space: pre-wrap; word-break: break-all; margin: 4px 0 14px;
}
ul.plain { margin: 0; padding-left: 20px; }
ul.plain li { margin: 4px 0; }
tr.milestone td:first-child { box-shadow: inset 4px 0 0 var(--ok); }

footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 14px; }
@media (max-width: 640px) {
  main { padding: 18px 14px 32px; }
  .verdict { grid-template-columns: 44px 1fr; padding: 18px; }
  .mark { width: 44px; height: 44px; font-size: 24px; }
  .verdict h2 { font-size: 22px; }
  .facts { grid-template-columns: 1fr; }
  .facts .wide { grid-column: auto; }
}
@media print {
  body { background: #fff; }
  .scroll { overflow: visible; }
  .card, tr { break-inside: avoid; }
}
`;
