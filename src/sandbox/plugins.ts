import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { fetchArtifact } from "./artifacts.ts";
import type { DistributionSpec } from "./distributions.ts";
import { exec, tail } from "./exec.ts";
import type { JavaHome } from "./java.ts";
import type { SandboxPaths } from "./paths.ts";
import { type PluginName, type PluginSet, pluginsFor } from "./plugin-zips.ts";

/** The directory CI and shared machines keep the zips Maven Central lacks in (`<version>/<file>`). */
export const PLUGIN_DIR_ENV = "BLUEGREEN_SANDBOX_PLUGINS";
const OFFICIAL = "https://artifacts.opensearch.org/releases/plugins";
const DOWNLOAD_TIMEOUT_MS = 60_000;

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

async function download(url: string, file: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const tmp = `${file}.part-${process.pid}`;
  writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
  renameSync(tmp, file);
}

/**
 * Finds one plugin zip: the plugin directory first (checked against the row's sha256), then Maven
 * Central when it publishes the zip, then the official artifact download. Never another version: a
 * zip of the wrong version either refuses to install or runs against the wrong server.
 */
export async function resolvePluginZip(
  spec: DistributionSpec,
  name: PluginName,
  paths: SandboxPaths,
): Promise<string> {
  const known = spec.plugins[name];
  const version = known?.version ?? `${spec.version}.0`;
  const fileName = `${name}-${version}.zip`;
  const tried: string[] = [];
  const dir = process.env[PLUGIN_DIR_ENV];
  if (dir !== undefined && dir !== "") {
    const file = join(dir, spec.version, fileName);
    if (existsSync(file)) {
      const actual = known?.sha256 === undefined ? undefined : sha256(file);
      if (actual === undefined || actual === known?.sha256) return file;
      throw new BluegreenError(
        "BG_SANDBOX_PLUGIN",
        `${file} has sha256 ${actual}, not the ${known?.sha256} the sandbox expects for ${name} ${version}.`,
        { fix: `Replace it with the zip its README lists (or rebuild it), or unset ${PLUGIN_DIR_ENV}.` },
      );
    }
    tried.push(`${file} (not there)`);
  } else {
    tried.push(`${PLUGIN_DIR_ENV} (not set)`);
  }
  if (known?.central === true) {
    return fetchArtifact(
      { groupId: "org.opensearch.plugin", artifactId: name, version, packaging: "zip" },
      paths.artifacts,
    );
  }
  const cached = join(paths.artifacts, "plugins", fileName);
  if (existsSync(cached)) return cached;
  const url = `${OFFICIAL}/${name}/${version}/${fileName}`;
  try {
    mkdirSync(join(paths.artifacts, "plugins"), { recursive: true });
    await download(url, cached);
    return cached;
  } catch (error) {
    tried.push(`${url} (${error instanceof Error ? error.message : String(error)})`);
  }
  throw new BluegreenError(
    "BG_SANDBOX_PLUGIN",
    `No ${name} ${version} zip for ${spec.distribution} ${spec.version}; tried ${tried.join(", then ")}.`,
    {
      fix: `Point ${PLUGIN_DIR_ENV} at a folder holding ${spec.version}/${fileName} (on CI: the shared opensearch-plugins folder), or run where ${OFFICIAL} is reachable. Maven Central does not publish this zip.`,
    },
  );
}

/** Installs the plugins of `sets` into an install being assembled, in dependency order. */
export async function installPlugins(
  home: string,
  spec: DistributionSpec,
  sets: readonly PluginSet[],
  java: JavaHome,
  paths: SandboxPaths,
): Promise<void> {
  if (sets.length > 0 && spec.distribution !== "opensearch") {
    throw new BluegreenError(
      "BG_SANDBOX_PLUGIN",
      `--plugins ${sets.join(",")}: ${spec.distribution} ${spec.version} has no such plugins; they are OpenSearch plugins.`,
      { fix: "Pick an OpenSearch version for a pair with --plugins, or leave --plugins out." },
    );
  }
  for (const name of pluginsFor(sets)) {
    const zip = await resolvePluginZip(spec, name, paths);
    await installZip(home, spec, java, zip, name);
  }
}

export async function installZip(
  home: string,
  spec: DistributionSpec,
  java: JavaHome,
  zip: string,
  name: string,
): Promise<void> {
  const result = await exec(join(home, "bin", "opensearch-plugin"), ["install", "--batch", `file://${zip}`], {
    env: { ...process.env, [spec.env.javaHome]: java.home, JAVA_HOME: java.home },
  });
  if (result.code !== 0) {
    throw new BluegreenError(
      "BG_SANDBOX_ARTIFACT",
      `Installing ${name} into ${spec.distribution} ${spec.version} failed:\n${tail(result.stdout + result.stderr, 8)}`,
      { fix: "Delete the sandbox cache's installs/ folder and try again; report it if it persists." },
    );
  }
}
