/**
 * The queries file (`--queries FILE`, `validate.queries`): searches and aggregations users run,
 * compared on both clusters. Every problem is reported at once, each naming the entry (its place in
 * the list and its name), the field, the line, and what to write instead, as the migration file does.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isNode, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLError } from "yaml";
import { z } from "zod";
import { closest, quoteList } from "../config/problems.ts";
import { BluegreenError } from "../errors/index.ts";
import { rawJson } from "../json/index.ts";
import { COMPARE_PARTS, type ComparePart } from "./queries-compare.ts";

/** One entry of the queries file. */
export interface UserQuery {
  /** The source index (its target name follows backfill.rename). */
  readonly index: string;
  readonly name: string;
  /** The search request body; integers beyond a double's precision are kept as their literal text. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly tolerance?: { readonly total?: number; readonly aggregations?: number };
  /** Default: all three. */
  readonly compare?: readonly ComparePart[];
}

const relative = z.number().min(0).max(1);
const entry = z.strictObject({
  index: z.string().min(1),
  name: z.string().min(1),
  body: z.record(z.string(), z.unknown()),
  tolerance: z.strictObject({ total: relative.optional(), aggregations: relative.optional() }).optional(),
  compare: z.array(z.enum(COMPARE_PARTS)).min(1).optional(),
});

const FIXES: Record<string, string> = {
  index: "name the source index the query runs on, e.g. `index: logs-2024`",
  name: "give the query a short name, unique for its index, e.g. `name: errors by service`",
  body: "give the search request body as a mapping, e.g. `body: { query: { match_all: {} } }`",
  tolerance: "write it as a mapping, e.g. `tolerance: { total: 0.01, aggregations: 0.05 }`",
  total: "write a relative tolerance from 0 to 1, e.g. `0.01` for 1% (0 = exact)",
  aggregations: "write a relative tolerance from 0 to 1, e.g. `0.05` for 5% (0 = exact)",
  compare: `list what to compare, any of ${COMPARE_PARTS.join(", ")}, e.g. \`compare: [total, aggregations]\``,
};
const KEYS: Record<string, readonly string[]> = {
  "": Object.keys(entry.shape),
  tolerance: ["total", "aggregations"],
};

type Path = readonly (string | number)[];

interface Problem {
  /** From the list's top: [entry, field, …]. */
  readonly path: Path;
  readonly what: string;
  readonly fix: string;
}

/** Reads, parses and checks a queries file; `selected` are the source indices the migration selects. */
export function loadQueriesFile(path: string, selected: readonly string[]): UserQuery[] {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "does not exist" : `cannot be read (${code})`;
    throw new BluegreenError("BG_QUERIES_INVALID", `Queries file ${file} ${reason}.`, {
      fix: "Check the path given with --queries or validate.queries (a relative validate.queries is read from the migration file's directory).",
      details: { file },
      cause: error,
    });
  }
  return parseQueries(text, file, selected);
}

export function parseQueries(text: string, file: string, selected: readonly string[]): UserQuery[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, intAsBigInt: true });
  if (doc.errors.length > 0) throw yamlError(doc.errors, text, file);
  const tree = keepLongs(doc.toJS({ maxAliasCount: 1_000 }));
  const lineOf = locator(doc.contents, lineCounter);
  if (!Array.isArray(tree) || tree.length === 0) {
    const what =
      tree === null || tree === undefined
        ? "is empty"
        : Array.isArray(tree)
          ? "has no queries"
          : "is not a list";
    throw queriesError(
      [{ path: [], what, fix: "write a list, one `- index: …` entry per query, each with name and body" }],
      file,
      tree,
      lineOf,
    );
  }
  const problems: Problem[] = [];
  const parsed = z.array(entry).safeParse(tree);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...describe(issue, tree));
  }
  const seen = new Map<string, number>();
  for (const [i, raw] of tree.entries()) {
    const q = raw as { index?: unknown; name?: unknown };
    if (typeof q.index === "string" && q.index !== "" && !selected.includes(q.index)) {
      const near = closest(q.index, selected);
      problems.push({
        path: [i, "index"],
        what: `"${q.index}" is not an index the migration selects`,
        fix:
          near !== undefined
            ? `did you mean "${near}"?`
            : `name one of ${quoteList(selected.slice(0, 10))}${selected.length > 10 ? ", …" : ""} (or select it with indices.include)`,
      });
    }
    if (typeof q.index === "string" && typeof q.name === "string") {
      const key = `${q.index}\n${q.name}`;
      const first = seen.get(key);
      if (first !== undefined) {
        problems.push({
          path: [i, "name"],
          what: `"${q.name}" is already the name of entry ${first + 1} for ${q.index}`,
          fix: "give each query on an index its own name: the report tells them apart by it",
        });
      } else seen.set(key, i);
    }
  }
  if (problems.length > 0 || !parsed.success) throw queriesError(problems, file, tree, lineOf);
  return parsed.data;
}

/** YAML integers come as BigInt (nothing rounded yet): safe ones become numbers, larger ones raw JSON. */
function keepLongs(value: unknown): unknown {
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : rawJson(value.toString());
  if (Array.isArray(value)) return value.map(keepLongs);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keepLongs(v)]));
  }
  return value;
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  return typeof value === "object" ? "mapping" : typeof value;
}

function valueAt(tree: unknown, path: Path): unknown {
  let node = tree;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function fixFor(path: Path): string {
  const last = [...path].reverse().find((s) => typeof s === "string");
  return FIXES[last ?? ""] ?? "see docs/validate.md for the queries file's format";
}

function describe(issue: z.core.$ZodIssue, tree: unknown): Problem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
  const value = valueAt(tree, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = KEYS[path.length > 1 ? String(path[1]) : ""] ?? [];
      return issue.keys.map((key) => {
        const near = closest(key, allowed);
        return {
          path: [...path, key],
          what: `unknown key "${key}"`,
          fix:
            near === undefined
              ? `remove it; the keys allowed here are ${quoteList(allowed)}`
              : `did you mean "${near}"?`,
        };
      });
    }
    case "invalid_type":
      return [
        {
          path,
          what:
            value === undefined
              ? "is required"
              : `expected a ${issue.expected === "record" || issue.expected === "object" ? "mapping" : issue.expected}, got a ${kind(value)}`,
          fix: fixFor(path),
        },
      ];
    case "invalid_value":
      return [
        {
          path,
          what: `${JSON.stringify(value)} is not one of ${COMPARE_PARTS.join(", ")}`,
          fix: fixFor(path),
        },
      ];
    case "too_small":
    case "too_big":
      return [
        {
          path,
          what: value === "" ? "is empty" : `${JSON.stringify(value)} is out of range`,
          fix: fixFor(path),
        },
      ];
    default:
      return [{ path, what: "has a value of the wrong form", fix: fixFor(path) }];
  }
}

type LineOf = (path: Path) => number | undefined;

/** Maps a path to the line it was written on; a missing key points at its entry. */
function locator(contents: unknown, lineCounter: LineCounter): LineOf {
  return (path) => {
    let node = contents;
    let line = isNode(contents) ? at(contents, lineCounter) : undefined;
    for (const segment of path) {
      if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        if (node === undefined || node === null) break;
        line = at(node as Node, lineCounter) ?? line;
      } else if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        line = at(pair.key as Node, lineCounter) ?? line;
        node = pair.value;
      } else break;
    }
    return line;
  };
}

function at(node: Node, lineCounter: LineCounter): number | undefined {
  const offset = node.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function where(p: Problem, tree: unknown, lineOf: LineOf): string {
  const [i, ...field] = p.path;
  const line = lineOf(p.path);
  const lineText = line === undefined ? "" : ` (line ${line})`;
  if (typeof i !== "number") return `the file${lineText}`;
  const name = valueAt(tree, [i, "name"]);
  const named = typeof name === "string" && name !== "" ? ` "${name}"` : "";
  const count = Array.isArray(tree) ? ` of ${tree.length}` : "";
  const fieldText = field
    .map((s) => (typeof s === "number" ? `[${s}]` : `.${s}`))
    .join("")
    .replace(/^\./, "");
  return `entry ${i + 1}${count}${named}${fieldText === "" ? "" : `, ${fieldText}`}${lineText}`;
}

function queriesError(
  found: readonly Problem[],
  file: string,
  tree: unknown,
  lineOf: LineOf,
): BluegreenError {
  // Reading order: by line, and a missing key (reported on its entry's line) in the order keys are written.
  const order = (p: Problem) => lineOf(p.path) ?? Number.MAX_SAFE_INTEGER;
  const field = (p: Problem) => KEYS[""]?.indexOf(String(p.path[1])) ?? -1;
  const problems = [...found].sort((a, b) => order(a) - order(b) || field(a) - field(b));
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((p) => `  - ${where(p, tree, lineOf)}: ${p.what} — ${p.fix}`);
  return new BluegreenError("BG_QUERIES_INVALID", `Queries file ${file} has ${count}:\n${lines.join("\n")}`, {
    fix: `Edit ${file} and run again; docs/validate.md shows the format.`,
    details: {
      file,
      problems: problems.map((p) => ({
        entry: p.path[0],
        path: p.path.join("."),
        line: lineOf(p.path),
        problem: p.what,
        fix: p.fix,
      })),
    },
  });
}

function yamlError(errors: readonly YAMLError[], text: string, file: string): BluegreenError {
  const first = errors[0];
  const pos = first?.linePos?.[0];
  // The "at line…" suffix and yaml's own excerpt go: the position and excerpt are printed below.
  const message = (first?.message ?? "unknown error").replace(/ at line \d+, column \d+.*$/s, "");
  const source = pos === undefined ? undefined : text.split(/\r?\n/)[pos.line - 1];
  const excerpt =
    source === undefined ? "" : `\n    ${source}\n    ${" ".repeat(Math.max(0, (pos?.col ?? 1) - 1))}^`;
  const at = pos === undefined ? "" : `line ${pos.line}, column ${pos.col}: `;
  return new BluegreenError(
    "BG_QUERIES_INVALID",
    `Queries file ${file} is not valid YAML:\n  ${at}${message}${excerpt}`,
    {
      fix: 'Fix the YAML at that line: indent with spaces, and quote values that contain ": " or " #".',
      details: { file, line: pos?.line, column: pos?.col },
    },
  );
}
