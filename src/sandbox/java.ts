import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BluegreenError } from "../errors/index.ts";

export interface JavaHome {
  readonly home: string;
  readonly major: number;
}

/** Reads the major version from a JDK's `release` file, the one place every vendor writes it. */
export function javaMajorOf(home: string): number | undefined {
  const release = join(home, "release");
  if (!existsSync(release)) return undefined;
  const match = /^JAVA_VERSION="(\d+)(?:\.(\d+))?/m.exec(readFileSync(release, "utf8"));
  if (match === null) return undefined;
  const first = Number(match[1]);
  // Java 8 reports itself as "1.8".
  return first === 1 ? Number(match[2]) : first;
}

function candidates(): string[] {
  const homes: string[] = [];
  for (const name of ["BLUEGREEN_JAVA_HOME", "JAVA_HOME"]) {
    const value = process.env[name];
    if (value !== undefined && value !== "") homes.push(value);
  }
  const jvmRoot = "/usr/lib/jvm";
  if (existsSync(jvmRoot)) {
    for (const entry of readdirSync(jvmRoot).sort()) homes.push(join(jvmRoot, entry));
  }
  return homes;
}

/** Picks a JDK whose major is in `majors`, preferring the order given (the version's best-tested JVM). */
export function findJava(majors: readonly number[], forWhat: string): JavaHome {
  const found = candidates()
    .map((home) => ({ home, major: javaMajorOf(home) }))
    .filter((j): j is JavaHome => j.major !== undefined && existsSync(join(j.home, "bin", "java")));
  for (const major of majors) {
    const hit = found.find((j) => j.major === major);
    if (hit !== undefined) return hit;
  }
  const seen = found.length === 0 ? "none" : found.map((j) => `${j.major} at ${j.home}`).join(", ");
  throw new BluegreenError(
    "BG_SANDBOX_JAVA_MISSING",
    `No Java ${majors.join(" or ")} found for ${forWhat} (found: ${seen}).`,
    {
      fix: `Install a JDK ${majors[0]} (Debian: apt-get install openjdk-${majors[0]}-jdk-headless) or point BLUEGREEN_JAVA_HOME at one.`,
    },
  );
}
