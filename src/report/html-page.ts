/**
 * The shell every HTML report page shares: one inlined stylesheet allowed by its hash in a
 * Content-Security-Policy of `default-src 'none'`, so the page can run no script and fetch nothing,
 * whatever a cluster value that slipped past escaping might try.
 */
import { createHash } from "node:crypto";
import { type Html, html, safeUrl, trusted } from "./html-kit.ts";
import { STYLE } from "./html-style.ts";

const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export function htmlPage(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.text;
}

/** Who the page is about: the migration and its two clusters (URLs printed without credentials). */
export interface ReportMeta {
  readonly migration: string;
  readonly source: { readonly url: string; readonly version?: string | undefined };
  readonly target: { readonly url: string; readonly version?: string | undefined };
}

export function pageHeader(eyebrow: string, meta: ReportMeta | undefined): Html {
  if (meta === undefined)
    return html`<header class="top"><div class="eyebrow">bluegreen · ${eyebrow}</div></header>`;
  const side = (role: string, c: ReportMeta["source"]) =>
    html`<span class="cluster"><span class="role">${role}</span><span class="mono">${safeUrl(c.url)}</span>${
      c.version === undefined ? "" : html`<span class="version">${c.version}</span>`
    }</span>`;
  return html`<header class="top">
<div class="eyebrow">bluegreen · ${eyebrow}</div>
<h1>${meta.migration}</h1>
<div class="clusters">${side("source", meta.source)}<span class="arrow" aria-hidden="true">→</span>${side("target", meta.target)}</div>
</header>`;
}
