import type { IndexSelection } from "./types.ts";

export interface IndexCandidate {
  readonly name: string;
  /** `index.hidden: true`; dot-prefixed names count as hidden whatever this says. */
  readonly hidden?: boolean;
}

/**
 * Indices that are never migrated, even with includeHidden: copying them would overwrite the target's
 * own security configuration or task bookkeeping.
 */
const NEVER_MIGRATED = [
  ".opendistro_security",
  ".security",
  ".security-*",
  ".tasks",
  ".opendistro-job-scheduler-lock",
];

/** `*` matches any run of characters (also empty), `?` exactly one; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  let source = "";
  for (const char of pattern) {
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else source += char.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

export type IndexMatcher = (candidate: IndexCandidate) => boolean;

/** Compiles the selection once; use it when filtering many lists against the same config. */
export function indexMatcher(selection: IndexSelection): IndexMatcher {
  const include = selection.include.map(globToRegExp);
  const exclude = [...selection.exclude, ...NEVER_MIGRATED].map(globToRegExp);
  return (candidate) => {
    const hidden = candidate.hidden === true || candidate.name.startsWith(".");
    if (hidden && !selection.includeHidden) return false;
    if (exclude.some((re) => re.test(candidate.name))) return false;
    return include.some((re) => re.test(candidate.name));
  };
}

/** The candidates the selection picks, in their original order. */
export function selectIndices<T extends IndexCandidate>(
  candidates: readonly T[],
  selection: IndexSelection,
): T[] {
  return candidates.filter(indexMatcher(selection));
}
