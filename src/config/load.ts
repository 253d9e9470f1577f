import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import {
  type Document,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from "yaml";
import { BluegreenError } from "../errors/index.ts";
import { type Env, shieldReferences, substituteEnv, unshieldReferences } from "./env.ts";
import { fingerprintOf } from "./fingerprint.ts";
import { normalize } from "./normalize.ts";
import { type ConfigPath, configError, type Locate, type Problem, problem, startsWith } from "./problems.ts";
import { applyRules } from "./rules.ts";
import { rawConfigSchema } from "./schema.ts";
import type { MigrationConfig } from "./types.ts";
import { issuesToProblems } from "./zod-issues.ts";

export const DEFAULT_CONFIG_FILE = "bluegreen.yaml";

export interface ParseOptions {
  /** Directory relative paths in the file are resolved from (normally the file's own directory). */
  readonly baseDir: string;
  /** The environment `${VAR}` and `passwordEnv` read; passed in so parsing never touches process.env. */
  readonly env: Env;
  /** Absolute path of the file, for messages and `MigrationConfig.configPath`. */
  readonly configPath?: string;
  /** Reads password and PEM files; defaults to the real file system. */
  readonly readFile?: (absolutePath: string) => string;
}

/**
 * The whole config pipeline: YAML → env substitution → strict schema → normalize (secrets, files) →
 * named rules → frozen `MigrationConfig`. Fails with one error listing every problem found.
 */
export function parseConfig(text: string, options: ParseOptions): MigrationConfig {
  const file = options.configPath ?? "the migration file";
  const lineCounter = new LineCounter();
  const doc = parseDocument(shieldReferences(text), { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw yamlError(doc.errors, text, file);
  const locate = locator(doc, lineCounter);
  const tree = unshieldReferences(doc.toJS({ maxAliasCount: 1_000 }));
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) {
    const what = tree === null || tree === undefined ? "is empty" : "is not a mapping of settings";
    throw configError([problem([], `the file ${what}`, "start from `bluegreen init`")], file, locate);
  }

  const substituted = substituteEnv(tree, options.env);
  // A failed substitution leaves a placeholder; problems it causes further down are noise.
  const envPaths = substituted.problems.map((p) => p.path);
  const notFromEnv = (p: Problem) => !envPaths.some((envPath) => startsWith(p.path, envPath));

  const parsed = rawConfigSchema.safeParse(substituted.value);
  if (!parsed.success) {
    const schemaProblems = issuesToProblems(parsed.error.issues, substituted.value, rawConfigSchema);
    throw configError([...substituted.problems, ...schemaProblems.filter(notFromEnv)], file, locate);
  }

  const context = {
    baseDir: options.baseDir,
    env: options.env,
    readFile: options.readFile ?? ((path: string) => readFileSync(path, "utf8")),
  };
  const normalized = normalize(parsed.data, context, options.configPath);
  const problems = dedupe([
    ...substituted.problems,
    ...[
      ...normalized.problems,
      ...applyRules({ config: normalized.draft, urlOrigins: normalized.urlOrigins }),
    ].filter(notFromEnv),
  ]);
  if (problems.length > 0) throw configError(problems, file, locate);
  return deepFreeze({ ...normalized.draft, fingerprint: fingerprintOf(normalized.draft) });
}

/** Reads and parses a migration file; relative paths inside it resolve from its directory. */
export async function loadConfig(path: string, options: { env?: Env } = {}): Promise<MigrationConfig> {
  const configPath = resolve(path);
  let text: string;
  try {
    text = await readFile(configPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a directory"
          : `cannot be read (${code})`;
    throw new BluegreenError("BG_CONFIG_NOT_FOUND", `Migration file ${configPath} ${reason}.`, {
      fix: "Create one with `bluegreen init`, or pass the right path with --config.",
      details: { file: configPath },
      cause: error,
    });
  }
  return parseConfig(text, { baseDir: dirname(configPath), env: options.env ?? process.env, configPath });
}

const SECRET_VALUE = /((?:password|key|accessKeyId|secretAccessKey|sessionToken)\s*:).*$/i;

function yamlError(errors: readonly YAMLError[], text: string, file: string): BluegreenError {
  const lines = text.split(/\r?\n/);
  const found = errors.map((e) => {
    const at = e.linePos?.[0];
    // yaml's messages are plain English. Its "at line…" suffix goes (we print the position), and so
    // does any quoted token text it appends, which can be a piece of a literal password.
    const message = e.message.replace(/ at line \d+, column \d+.*$/s, "").replace(/: ".*$/s, "");
    return { line: at?.line, col: at?.col, message };
  });
  // One syntax error usually cascades into several more; the first is the one to fix.
  const first = found[0] ?? { line: undefined, col: undefined, message: "unknown error" };
  const line = first.line === undefined ? undefined : lines[first.line - 1];
  // The excerpt is echoed to terminals and logs; a literal credential on the broken line must not be.
  const source = line?.replace(SECRET_VALUE, "$1…");
  const where = first.line === undefined ? "" : `line ${first.line}, column ${first.col}: `;
  const excerpt =
    source === undefined ? "" : `\n    ${source}\n    ${" ".repeat(Math.max(0, (first.col ?? 1) - 1))}^`;
  const more = found.length > 1 ? `\n  (${found.length - 1} more error(s) follow from this one)` : "";
  const fix = /\{[^}]*:/.test(source ?? "")
    ? 'Fix the YAML at that line: inside { … } quote values that contain ",", "#", "{" or "}".'
    : 'Fix the YAML at that line: indent with spaces, and quote values that contain ": " or " #".';
  return new BluegreenError(
    "BG_CONFIG_PARSE",
    `${file} is not valid YAML:\n  ${where}${first.message}${excerpt}${more}`,
    {
      fix,
      details: { file, errors: found },
    },
  );
}

/** Maps a config path to the line it was written on; missing keys point at their parent. */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path: ConfigPath) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        line = lineOf(pair.key as Node, lineCounter) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        if (node === undefined) break;
        line = lineOf(node as Node, lineCounter) ?? line;
      } else {
        break;
      }
    }
    return line;
  };
}

function lineOf(node: Node, lineCounter: LineCounter): number | undefined {
  const offset = node.range?.[0];
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${JSON.stringify(p.path)} ${p.what}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
