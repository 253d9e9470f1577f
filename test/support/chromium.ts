/**
 * Debian's Chromium (`apt-get install chromium`; `.ci/run` installs it when missing), driven by
 * playwright-core. Playwright's own browser download does not work here, hence `executablePath`; the
 * background-networking flags keep Chromium from dialling Google at start, which this machine's
 * closed network refuses (and which would muddy a "the page made no request" assertion).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";

const EXECUTABLE = process.env.BLUEGREEN_CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Chromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** One browser per test file: starting Chromium is most of the cost. A fresh empty profile each time. */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "bg-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: EXECUTABLE,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
      colorScheme: "light",
      timeout: 60_000,
    });
    // Anything but the file itself is refused outright: a page that tried would be caught by `requests`.
    await context.route(
      (url) => url.protocol !== "file:",
      (route) => route.abort(),
    );
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** A page opened from disk with everything it did on the way recorded. */
export interface OpenedPage {
  readonly page: Page;
  readonly url: string;
  /** Every request the page made, the document itself included. */
  readonly requests: string[];
  /** Messages of alert/confirm/prompt dialogs that opened. */
  readonly dialogs: string[];
  /** Console errors and warnings (a Content-Security-Policy violation shows up here) and page errors. */
  readonly problems: string[];
}

export async function openFile(context: BrowserContext, file: string): Promise<OpenedPage> {
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const opened: OpenedPage = { page, url, requests: [], dialogs: [], problems: [] };
  page.on("request", (r) => opened.requests.push(r.url()));
  page.on("dialog", (d) => {
    opened.dialogs.push(d.message());
    d.dismiss().catch(() => undefined);
  });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") opened.problems.push(m.text());
  });
  page.on("pageerror", (e) => opened.problems.push(String(e)));
  await page.goto(url, { waitUntil: "load" });
  return opened;
}

/** What a reader sees of an element: the rendered text, so hidden parts do not count (textContent would). */
export function seen(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text, the point here.
  return locator.innerText();
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
export function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!png.subarray(0, 8).equals(signature) || png.toString("latin1", 12, 16) !== "IHDR")
    throw new Error("not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
