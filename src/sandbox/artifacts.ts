import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { BluegreenError } from "../errors/index.ts";
import { exec, hasCommand, tail } from "./exec.ts";

/** Pinned so resolution behaves the same on every machine; `copy` works without a project pom. */
const DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1";

export interface Coordinate {
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
  readonly packaging?: string;
}

function gav(c: Coordinate): string {
  return `${c.groupId}:${c.artifactId}:${c.version}${c.packaging === undefined ? "" : `:${c.packaging}`}`;
}

async function mvn(args: readonly string[], what: string): Promise<void> {
  if (!(await hasCommand("mvn"))) {
    throw new BluegreenError(
      "BG_SANDBOX_MAVEN_MISSING",
      "Maven (mvn) is not on PATH; the sandbox resolves OpenSearch from Maven Central with it.",
      {
        fix: "Install Maven (Debian: apt-get install maven) and run the command again.",
      },
    );
  }
  const result = await exec("mvn", ["-B", "-q", ...args]);
  if (result.code !== 0) {
    const output = tail(stripVTControlCharacters(`${result.stdout}\n${result.stderr}`), 8);
    throw new BluegreenError("BG_SANDBOX_ARTIFACT", `Maven could not resolve ${what}:\n${output}`, {
      fix: "Check that Maven Central is reachable (mvn -v; ~/.m2/settings.xml mirrors) and that the version exists there.",
    });
  }
}

/** Downloads one artifact file into `dir` (once; later calls reuse it) and returns its path. */
export async function fetchArtifact(coordinate: Coordinate, dir: string): Promise<string> {
  const file = join(dir, `${coordinate.artifactId}-${coordinate.version}.${coordinate.packaging ?? "jar"}`);
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  await mvn(
    [`${DEPENDENCY_PLUGIN}:copy`, `-Dartifact=${gav(coordinate)}`, `-DoutputDirectory=${dir}`],
    gav(coordinate),
  );
  return file;
}

/**
 * Copies a jar and its runtime dependencies into `outDir`. `copy-dependencies` needs a project, so a
 * throwaway pom naming the one dependency is written into `workDir`.
 */
export async function fetchWithDependencies(
  coordinate: Coordinate,
  outDir: string,
  workDir: string,
): Promise<string[]> {
  mkdirSync(workDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<groupId>bluegreen.sandbox</groupId><artifactId>fetch</artifactId><version>1</version><packaging>pom</packaging>
<dependencies><dependency><groupId>${coordinate.groupId}</groupId><artifactId>${coordinate.artifactId}</artifactId><version>${coordinate.version}</version></dependency></dependencies>
</project>
`;
  writeFileSync(join(workDir, "pom.xml"), pom);
  await mvn(
    [
      "-f",
      join(workDir, "pom.xml"),
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      "-DincludeScope=runtime",
      `-DoutputDirectory=${outDir}`,
    ],
    `${gav(coordinate)} with its dependencies`,
  );
  return readdirSync(outDir).filter((f) => f.endsWith(".jar"));
}
