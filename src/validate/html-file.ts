/**
 * What `bluegreen validate --report FILE.html` needs around `renderHtml`: the page's header facts
 * (migration, cluster URLs and versions) and a write that never leaves a half-written page behind.
 */
import { randomBytes } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { Cluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import { withClusters } from "../prepare/index.ts";
import type { HtmlReportMeta } from "./html.ts";

/**
 * Checked before validation starts, so a typo in the path does not cost a whole run: the file must be
 * `.html` and its folder writable. Returns the absolute path.
 */
export function checkReportPath(file: string): string {
  const path = resolve(file);
  if (![".html", ".htm"].includes(extname(path).toLowerCase()))
    throw new BluegreenError(
      "BG_USAGE",
      `--report ${file}: the report is an HTML page, so the file must end in .html.`,
      {
        fix: "Name it like validation.html (for the report as JSON, use --json).",
      },
    );
  try {
    mkdirSync(dirname(path), { recursive: true });
    accessSync(dirname(path), constants.W_OK);
  } catch (error) {
    throw new BluegreenError(
      "BG_USAGE",
      `--report ${file}: cannot write in ${dirname(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`,
      { fix: "Pick a folder you can write to.", cause: error },
    );
  }
  return path;
}

/**
 * Written beside the final file, flushed, then renamed over it: a reader (or a crash) sees the old
 * page or the new one, never a truncated one.
 */
export function writeReportFile(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", 0o644);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new BluegreenError("BG_INTERNAL", `Could not write the HTML report ${path}: ${String(error)}`, {
      fix: "Check free space and permissions there; the validation result itself is already in the state file.",
      cause: error,
    });
  }
}

/** The header facts; a version that cannot be read is left out rather than failing the report. */
export async function reportMeta(config: MigrationConfig, logger?: Logger): Promise<HtmlReportMeta> {
  const versions = await withClusters(config, logger, (source, target) =>
    Promise.all([versionOf(source), versionOf(target)]),
  ).catch(() => [undefined, undefined] as const);
  return {
    migration: config.name,
    source: { url: config.source.urls[0] ?? "", version: versions[0] },
    target: { url: config.target.urls[0] ?? "", version: versions[1] },
  };
}

async function versionOf(cluster: Cluster): Promise<string | undefined> {
  try {
    const res = await cluster.request<{ version?: { number?: unknown; distribution?: unknown } }>({
      method: "GET",
      path: "/",
      timeoutMs: 10_000,
    });
    const v = res.body.version;
    if (typeof v?.number !== "string") return undefined;
    return `${v.distribution === "opensearch" ? "OpenSearch" : "Elasticsearch"} ${v.number}`;
  } catch {
    return undefined;
  }
}
