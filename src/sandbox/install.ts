import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { BluegreenError } from "../errors/index.ts";
import { fetchArtifact, fetchWithDependencies } from "./artifacts.ts";
import type { DistributionSpec, ModuleSpec } from "./distributions.ts";
import { exec } from "./exec.ts";
import type { JavaHome } from "./java.ts";
import type { SandboxPaths } from "./paths.ts";
import type { PluginSet } from "./plugin-zips.ts";
import { installPlugins, installZip } from "./plugins.ts";

export type Flavor = "plain" | "secure";

const MARKER = ".bluegreen-install.json";
/** Bumped whenever what goes into an install changes, so cached installs are rebuilt rather than trusted. */
const RECIPE = 2;

/**
 * One install per version, flavor and plugin set: `opensearch-2.19.4-plain-with-ccr-ism-r2`. No `+` in
 * the name: OpenSearch 3's security agent reads plugin policy files through URLs and decodes it to a
 * space, so a 3.x node in such a folder does not start.
 */
export function installDir(
  paths: SandboxPaths,
  spec: DistributionSpec,
  flavor: Flavor,
  plugins: readonly PluginSet[] = [],
): string {
  const extra = plugins.length === 0 ? "" : `-with-${[...plugins].sort().join("-")}`;
  return join(paths.installs, `${spec.distribution}-${spec.version}-${flavor}${extra}-r${RECIPE}`);
}

/** "opensearch-rest-client-2.19.4.jar" → "opensearch-rest-client": what jar hell compares. */
export function jarBaseName(file: string): string {
  const match = /^(.+?)-\d.*\.jar$/.exec(file);
  return match?.[1] ?? file.replace(/\.jar$/, "");
}

function descriptor(spec: DistributionSpec, module: ModuleSpec): string {
  return [
    `description=${module.name} (assembled by bluegreen from Maven Central jars)`,
    `version=${spec.version}`,
    `name=${module.name}`,
    `classname=${module.classname}`,
    "java.version=11",
    `${spec.distribution}.version=${spec.version}`,
    `extended.plugins=${module.extendedPlugins.join(",")}`,
    "has.native.controller=false",
    "",
  ].join("\n");
}

/**
 * Module zips are not published, so each module directory is assembled from its jar, its runtime
 * dependencies (minus whatever the server or an extended module already ships, which would be jar hell),
 * a descriptor and its security policy.
 */
async function addModule(
  home: string,
  spec: DistributionSpec,
  module: ModuleSpec,
  paths: SandboxPaths,
): Promise<void> {
  const dir = join(home, "modules", module.name);
  const coordinate = { groupId: module.groupId, artifactId: module.artifactId, version: spec.version };
  const jars = await fetchWithDependencies(
    coordinate,
    dir,
    join(paths.artifacts, "poms", `${module.name}-${spec.version}`),
  );
  const provided = new Set<string>();
  for (const source of [join(home, "lib"), ...module.extendedPlugins.map((p) => join(home, "modules", p))]) {
    for (const f of readdirSync(source)) if (f.endsWith(".jar")) provided.add(jarBaseName(f));
  }
  for (const jar of jars) if (provided.has(jarBaseName(jar))) rmSync(join(dir, jar));
  writeFileSync(join(dir, "plugin-descriptor.properties"), descriptor(spec, module));
  writeFileSync(join(dir, "plugin-security.policy"), module.policy);
}

async function installSecurityPlugin(
  home: string,
  spec: DistributionSpec,
  java: JavaHome,
  paths: SandboxPaths,
): Promise<void> {
  if (spec.security === undefined) {
    throw new BluegreenError(
      "BG_SANDBOX_VERSION",
      `${spec.distribution} ${spec.version} has no secure variant in the sandbox.`,
      {
        fix: "Its security plugin is not on Maven Central; pick a 2.x version for --secure.",
      },
    );
  }
  const zip = await fetchArtifact({ ...spec.security, packaging: "zip" }, paths.artifacts);
  await installZip(home, spec, java, zip, spec.security.artifactId);
}

function makeReadable(path: string): void {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) makeReadable(full);
    else if (entry.isFile())
      chmodSync(full, full.includes("/bin/") || full.includes("/tools/") ? 0o755 : 0o644);
  }
}

/**
 * Builds (once) a runnable install of one version and flavor. It is assembled in a scratch folder and
 * renamed into place at the end, so a crash never leaves a half-built install that later runs would trust.
 */
export async function ensureInstall(
  spec: DistributionSpec,
  flavor: Flavor,
  java: JavaHome,
  paths: SandboxPaths,
  plugins: readonly PluginSet[] = [],
): Promise<string> {
  const target = installDir(paths, spec, flavor, plugins);
  if (existsSync(join(target, MARKER))) return target;
  const scratch = `${target}.building-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const zip = await fetchArtifact(
      { ...spec.zip, version: spec.version, packaging: "zip" },
      paths.artifacts,
    );
    const unzip = await exec("unzip", ["-q", zip, "-d", scratch]);
    if (unzip.code !== 0) {
      throw new BluegreenError("BG_SANDBOX_ARTIFACT", `Could not unpack ${zip}: ${unzip.stderr.trim()}`, {
        fix: "Install unzip (apt-get install unzip); if it is installed, delete the file so it is downloaded again.",
      });
    }
    const unpacked = join(scratch, `${spec.distribution}-${spec.version}`);
    for (const module of spec.modules) await addModule(unpacked, spec, module, paths);
    if (flavor === "secure") await installSecurityPlugin(unpacked, spec, java, paths);
    await installPlugins(unpacked, spec, plugins, java, paths);
    makeReadable(unpacked);
    writeFileSync(
      join(unpacked, MARKER),
      `${JSON.stringify({ version: spec.version, flavor, plugins, builtAt: new Date().toISOString() })}\n`,
    );
    rmSync(target, { recursive: true, force: true });
    renameSync(unpacked, target);
    return target;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Each node gets its own config folder (OPENSEARCH_PATH_CONF) so one install serves many nodes. */
export function copyConfig(install: string, configDir: string): void {
  cpSync(join(install, "config"), configDir, { recursive: true });
}
