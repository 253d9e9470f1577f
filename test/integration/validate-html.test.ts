/**
 * The HTML validation report in a real headless Chromium (Debian's): the page loads from disk without
 * a single request beyond itself, shows the verdict and the failing indices first, renders a hostile
 * document id as text (no dialog, no script element), carries no credentials, and screenshots as a
 * real page. The last test writes it through `bluegreen validate --report` against the test pair.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  checkReportPath,
  type HtmlReportMeta,
  renderHtml,
  writeReportFile,
} from "../../src/validate/index.ts";
import { bluegreen, clustersOf, dropAll, prefix, seed } from "../support/backfill.ts";
import {
  type Chromium,
  launchChromium,
  type OpenedPage,
  openFile,
  pngSize,
  seen,
} from "../support/chromium.ts";
import { testSandbox } from "../support/sandbox.ts";
import { FAILING_INDICES, failedReport, HOSTILE_ID, passedReport } from "../support/validate-html.ts";

const dir = mkdtempSync(join(tmpdir(), "bg-html-"));
const META: HtmlReportMeta = {
  migration: "logs-upgrade",
  source: { url: "https://bg-admin:hunter2@os-old.example:9200/?token=t0p", version: "OpenSearch 2.11.1" },
  target: { url: "https://os-new.example:9200", version: "OpenSearch 2.19.4" },
};

let browser: Chromium;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** What every report page must be, whatever it says. */
async function assertSelfContained(opened: OpenedPage): Promise<void> {
  assert.deepEqual(opened.requests, [opened.url], "the page requested nothing but itself");
  assert.deepEqual(opened.dialogs, [], "no dialog opened");
  assert.deepEqual(opened.problems, [], "no console errors (a blocked style or resource would show here)");
  const scripts = await opened.page.locator("script").count();
  const background = await opened.page.evaluate(
    "getComputedStyle(document.querySelector('.verdict')).backgroundColor",
  );
  assert.equal(scripts, 0);
  // The stylesheet is allowed by its hash in the page's CSP: a wrong hash would leave it unstyled.
  assert.notEqual(background, "rgba(0, 0, 0, 0)", "the inline stylesheet applied");
}

describe("validate --report: the HTML page", () => {
  test("the markup: escaped, no credentials, nothing external", () => {
    const text = renderHtml(failedReport(), META);
    assert.ok(text.startsWith("<!doctype html>"));
    assert.ok(!text.includes(HOSTILE_ID), "the hostile id never appears as markup");
    assert.ok(text.includes("&lt;script&gt;alert(1)&lt;/script&gt;"));
    for (const secret of ["hunter2", "bg-admin", "t0p"])
      assert.ok(!text.includes(secret), `${secret} is not shown`);
    assert.ok(text.includes("https://os-old.example:9200"));
    assert.doesNotMatch(text, /<script|<link|<img|<iframe|\ssrc=|url\(|@import/i);
    assert.match(text, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
    // A URL that does not parse as http(s) still loses everything up to its `@`.
    const odd = renderHtml(passedReport(), { ...META, source: { url: "bg-admin:hunter2@os-old:9200" } });
    assert.ok(!odd.includes("hunter2") && odd.includes("os-old:9200"));
  });

  test("a failed report in Chromium: verdict, failing indices first, details, inert id, screenshot", async () => {
    const opened = await openFile(browser.context, write("failed.html", renderHtml(failedReport(), META)));
    const { page } = opened;
    await assertSelfContained(opened);

    const verdict = page.locator(".verdict");
    assert.ok(await verdict.isVisible());
    const verdictText = await seen(verdict);
    assert.match(verdictText, /Validation failed/);
    assert.match(verdictText, /5 of 10 checks failed/);
    assert.match(verdictText, /seed 42/);
    assert.match(verdictText, /gateway/);

    const rows = page.locator("table.indices tbody tr");
    assert.equal(await rows.count(), 4);
    for (const [i, name] of FAILING_INDICES.entries()) {
      const row = rows.nth(i);
      assert.ok(await row.isVisible());
      const text = await seen(row);
      assert.ok(text.includes("FAIL") && text.includes(name), `row ${i}: ${text}`);
    }
    assert.match(await seen(rows.nth(3)), /^ok\s+users/);
    assert.match(await seen(rows.nth(1)), /logs-2024\.11-v2[\s\S]*120,000\s+119,998/);

    const id = page.getByText(HOSTILE_ID, { exact: true });
    assert.ok(await id.isVisible(), "the hostile id reads as text");
    const differs = await page.locator("#differs ~ .card").allInnerTexts();
    assert.equal(differs.length, 5);
    assert.match(differs[0] ?? "", /index template logs-template/);
    assert.match(
      differs[2] ?? "",
      /content differs\s+evt-00417\s+–\s+payload\.amount\s+12345678901234567891\s+12345678901234567000/,
    );
    assert.match(
      differs[3] ?? "",
      /top 10 by created desc\s+ids differ from rank 4/,
      "a queries check renders generically",
    );
    assert.match(differs[4] ?? "", /PUT \/orders\/_doc\/bluegreen-permission-probe\s+403\s+409/);
    // A passing shadow check keeps its counts and latest mismatch folded in the table of every check.
    const shadow = page.getByText("shadow reads", { exact: true });
    await shadow.click();
    assert.match(
      await seen(page.locator("table.checks")),
      /mismatched\s+1[\s\S]*\/orders\/_doc\/o-77[\s\S]*_source differs/,
    );

    const png = join(dir, "failed.png");
    await page.screenshot({ path: png, fullPage: true });
    const bytes = readFileSync(png);
    const size = pngSize(bytes);
    assert.equal(size.width, 1280);
    assert.ok(size.height > 1500, `a full page, not a blank viewport (${size.height}px)`);
    assert.ok(bytes.length > 50_000, `${bytes.length} bytes: a page with content`);
    await page.close();
  });

  test("a passed report in Chromium; a passing check's queries fold open without scripts", async () => {
    const opened = await openFile(browser.context, write("passed.html", renderHtml(passedReport())));
    const { page } = opened;
    await assertSelfContained(opened);
    assert.match(
      await seen(page.locator(".verdict")),
      /Validation passed[\s\S]*All 4 checks passed on 1 index/,
    );
    assert.equal(await page.locator("#differs").count(), 0);
    const query = page.getByText("stats price", { exact: true });
    assert.equal(await query.isVisible(), false, "folded");
    await page.getByText("2 queries", { exact: true }).click();
    assert.ok(await query.isVisible(), "unfolded by <details>, no script");
    await page.close();
  });

  test("the file is replaced whole, and a bad --report path fails before validation runs", () => {
    const target = join(dir, "out", "report.html");
    const path = checkReportPath(target);
    writeReportFile(path, "old");
    writeReportFile(path, renderHtml(passedReport()));
    assert.ok(readFileSync(path, "utf8").includes("Validation passed"));
    assert.deepEqual(readdirSync(join(dir, "out")), ["report.html"], "no temp file left behind");
    assert.throws(() => checkReportPath(join(dir, "report.json")), { code: "BG_USAGE" });
  });

  test("bluegreen validate --report writes the page of a real failed run, without the credentials", async () => {
    const pair = testSandbox();
    const clusters = clustersOf(pair);
    const base = `${prefix()}-html`;
    const work = mkdtempSync(join(tmpdir(), "bg-html-cli-"));
    try {
      // Both sides hold the same documents, but the source has one more, with an id that is markup.
      await seed(clusters.source, `${base}-a`, 20, { shards: 1 });
      await seed(clusters.target, `${base}-a`, 20, { shards: 1 });
      await clusters.source.request({
        method: "PUT",
        path: `/${base}-a/_doc/${encodeURIComponent(HOSTILE_ID)}`,
        querystring: { refresh: "true" },
        body: { title: "x" },
      });
      // The sandbox has no security plugin, so it ignores these credentials; the page must not show them.
      const file = join(work, "migration.yaml");
      writeFileSync(
        file,
        [
          "version: 1",
          `name: ${base}`,
          `source: { url: '${pair.source.url}', auth: { type: basic, username: bg-admin, password: hunter2 } }`,
          `target: { url: '${pair.target.url}' }`,
          `indices: { include: ['${base}-*'] }`,
          "",
        ].join("\n"),
      );
      const out = join(work, "report.html");
      const run = bluegreen(["validate", "-c", file, "--report", out], work);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(`HTML report: ${out}`), run.stderr);
      const text = readFileSync(out, "utf8");
      assert.ok(!text.includes("hunter2") && !text.includes("bg-admin") && !text.includes(HOSTILE_ID));
      assert.ok(text.includes(new URL(pair.source.url).host) && text.includes(base));
      assert.deepEqual(
        readdirSync(work).filter((f) => f.endsWith(".tmp")),
        [],
      );

      const opened = await openFile(browser.context, out);
      await assertSelfContained(opened);
      assert.match(await seen(opened.page.locator(".verdict")), /Validation failed/);
      const first = opened.page.locator("table.indices tbody tr").first();
      assert.match(await seen(first), new RegExp(`FAIL\\s+${base}-a\\s+21\\s+20`));
      assert.ok(await opened.page.getByText(HOSTILE_ID, { exact: true }).isVisible());
      await opened.page.close();
    } finally {
      await dropAll(clusters.source, `${base}-*`);
      await dropAll(clusters.target, `${base}-*`);
      await clusters.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
