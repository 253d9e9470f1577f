import { z } from "zod";
import { type ConfigPath, closest, formatPath, type Problem, problem, quoteList } from "./problems.ts";
import { REQUIRED_HINTS } from "./schema.ts";

/**
 * Translates zod issues into operator-facing problems. Raw zod messages never reach the user: each issue
 * code we can meet gets its own wording, and values are echoed only where they cannot be secrets.
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  schema: z.ZodType,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push(unknownKey(path, key, keysAt(schema, path)));
    } else {
      problems.push(describe(issue, path, valueAt(input, path)));
    }
  }
  return problems;
}

function unknownKey(path: ConfigPath, key: string, allowed: readonly string[]): Problem {
  const suggestion = closest(key, allowed);
  const what = `unknown key "${key}"`;
  const fix =
    suggestion !== undefined
      ? `did you mean "${suggestion}"?`
      : `remove it; the keys allowed here are ${quoteList(allowed)}`;
  return { ...problem(path, what, fix), lineAt: [...path, key] };
}

function describe(issue: z.core.$ZodIssue, path: ConfigPath, value: unknown): Problem {
  switch (issue.code) {
    case "custom": {
      const fix = typeof issue.params?.fix === "string" ? issue.params.fix : "see `bluegreen init --print`";
      return problem(path, issue.message, fix);
    }
    case "invalid_type":
      return wrongType(path, issue.expected, value);
    case "invalid_value": {
      const allowed = issue.values.map(String);
      const what =
        value === undefined
          ? "is required"
          : `${typeof value === "string" ? JSON.stringify(value) : `a ${kind(value)}`} is not a known value`;
      const suggestion = typeof value === "string" ? closest(value, allowed) : undefined;
      const fix =
        suggestion === undefined ? `use one of ${quoteList(allowed)}` : `did you mean "${suggestion}"?`;
      return problem(path, what, suggestion === undefined ? fix : `${fix} (allowed: ${quoteList(allowed)})`);
    }
    case "too_small":
      if (issue.origin === "string")
        return problem(path, "must not be empty", "give it a value or remove the key");
      return problem(path, `needs at least ${issue.minimum} entries`, "add an entry or remove the key");
    case "too_big":
      return problem(path, `has more than ${issue.maximum} entries`, "remove entries");
    default:
      return problem(path, "has a value of the wrong form", "compare with `bluegreen init --print`");
  }
}

function wrongType(path: ConfigPath, expected: string, value: unknown): Problem {
  if (value === undefined || value === null) {
    const hint = REQUIRED_HINTS[formatPath(path)];
    return problem(path, "is required", hint ?? `add ${formatPath(path)}`);
  }
  const got = kind(value);
  switch (expected) {
    case "string":
      return problem(
        path,
        `expected text, got a ${got}`,
        got === "number" || got === "boolean" ? "wrap the value in quotes" : "write a single quoted string",
      );
    case "object":
      if (
        typeof value === "string" &&
        /^https?:/.test(value) &&
        (path[0] === "source" || path[0] === "target")
      ) {
        return problem(
          path,
          `expected a mapping, got a ${got}`,
          `nest the URL under it: \`${path[0]}:\` then \`  url: …\``,
        );
      }
      return problem(path, `expected a mapping, got a ${got}`, "write it as indented `key: value` lines");
    case "array":
      return problem(
        path,
        `expected a list, got a ${got}`,
        'write it as a list, e.g. ["a", "b"] or "- a" lines',
      );
    default:
      return problem(path, `expected a ${expected}, got a ${got}`, `write a ${expected}`);
  }
}

function kind(value: unknown): string {
  if (Array.isArray(value)) return "list";
  if (value === null) return "null";
  if (typeof value === "object") return "mapping";
  return typeof value;
}

function valueAt(input: unknown, path: ConfigPath): unknown {
  let node = input;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** The keys the schema allows at `path`, for "did you mean". */
function keysAt(schema: z.ZodType, path: ConfigPath): string[] {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (node instanceof z.ZodObject) node = unwrap(node.shape[segment] as z.ZodType | undefined);
    else if (node instanceof z.ZodArray) node = unwrap(node.element as z.ZodType);
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let node = schema;
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodPrefault) {
      node = node.def.innerType as z.ZodType;
    } else if (node instanceof z.ZodPipe) {
      node = node.def.in as z.ZodType;
    } else {
      return node;
    }
  }
}
