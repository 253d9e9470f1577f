import { BluegreenError } from "../errors/index.ts";

export type PathSegment = string | number;
export type ConfigPath = readonly PathSegment[];

/**
 * One thing wrong with the migration file. The pipeline collects all of them before failing, so an
 * operator fixes the file in one pass instead of one error per run.
 */
export interface Problem {
  readonly path: ConfigPath;
  /** What is wrong, phrased without the path (the renderer puts it in front). */
  readonly what: string;
  /** What to do about it. */
  readonly fix: string;
  /** Unresolvable secrets get their own error code; everything else is plain invalid config. */
  readonly kind: "invalid" | "secret";
  /** Named rule that produced it, when it came from a cross-field rule. */
  readonly rule?: string;
  /** Where to look for the line number when it is not `path` (an unknown key is reported on its parent). */
  readonly lineAt?: ConfigPath;
}

export function problem(
  path: ConfigPath,
  what: string,
  fix: string,
  kind: Problem["kind"] = "invalid",
): Problem {
  return { path, what, fix, kind };
}

/** `source.urls[1].auth`: the spelling users see in their editor's outline and in docs. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "(top level)" : out;
}

export function samePath(a: ConfigPath, b: ConfigPath): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i]);
}

export function startsWith(path: ConfigPath, prefix: ConfigPath): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}

export type Locate = (path: ConfigPath) => number | undefined;

export function renderProblem(p: Problem, locate: Locate): string {
  const line = locate(p.lineAt ?? p.path);
  const path = p.path.length === 0 ? "top level" : formatPath(p.path);
  const where = line === undefined ? path : `${path} (line ${line})`;
  return `${where}: ${p.what} — ${p.fix}`;
}

/**
 * Turns collected problems into the one error the CLI prints. Unresolvable secrets only win the code
 * when they are the whole story: an invalid file is the more fundamental thing to fix first.
 */
export function configError(found: readonly Problem[], file: string, locate: Locate): BluegreenError {
  // Reading order: the operator walks the file top to bottom fixing things.
  const lineOf = (p: Problem) => locate(p.lineAt ?? p.path) ?? Number.MAX_SAFE_INTEGER;
  const problems = [...found].sort((a, b) => lineOf(a) - lineOf(b));
  const code = problems.every((p) => p.kind === "secret") ? "BG_SECRET_UNRESOLVED" : "BG_CONFIG_INVALID";
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${renderProblem(p, locate)}`);
  return new BluegreenError(code, `${file} has ${count}:\n${lines.join("\n")}`, {
    fix: `Edit ${file} and run again; \`bluegreen init --print\` shows a fully commented example.`,
    details: {
      file,
      problems: problems.map((p) => ({
        path: formatPath(p.path),
        line: locate(p.lineAt ?? p.path),
        problem: p.what,
        fix: p.fix,
        ...(p.rule === undefined ? {} : { rule: p.rule }),
      })),
    },
  });
}

/** Edit distance, for "did you mean" on misspelt keys and enum values. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // Beyond this the "suggestion" is noise: `foo` is not a typo of `backfill`.
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

export function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}
