import { BluegreenError } from "../errors/index.ts";

export type Distribution = "opensearch" | "elasticsearch";

export interface Version {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+.].*)?$/;

/** Parses "7.10.2", "2.19.4-SNAPSHOT", "1.0.0-rc1", "6.8"; undefined for anything else. */
export function tryParseVersion(text: string): Version | undefined {
  const match = VERSION.exec(text.trim());
  if (match === null) return undefined;
  return { major: Number(match[1]), minor: Number(match[2] ?? 0), patch: Number(match[3] ?? 0) };
}

export function parseVersion(text: string): Version {
  const version = tryParseVersion(text);
  if (version === undefined) {
    throw new BluegreenError(
      "BG_CLUSTER_UNSUPPORTED",
      `"${text}" is not a version number this tool understands.`,
      {
        details: { version: text },
      },
    );
  }
  return version;
}

/** Negative when a < b, zero when equal, positive when a > b (a sort comparator). */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(version: Version, major: number, minor = 0, patch = 0): boolean {
  return compareVersions(version, { major, minor, patch }) >= 0;
}

export function formatVersion(version: Version): string {
  return `${version.major}.${version.minor}.${version.patch}`;
}

export function distributionOf(versionDistribution: unknown): Distribution {
  return versionDistribution === "opensearch" ? "opensearch" : "elasticsearch";
}
