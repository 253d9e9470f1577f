import { type ConfigPath, type Problem, problem } from "./problems.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** Keys whose values are credentials: an unset variable there is an unresolved secret. */
const SECRET_KEYS = new Set(["password", "key", "accessKeyId", "secretAccessKey", "sessionToken"]);

export interface Substitution {
  readonly value: unknown;
  readonly problems: readonly Problem[];
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of the parsed YAML tree; `$${` writes a
 * literal `${`. Substitution runs on the parsed tree rather than the raw text on purpose: a value pulled
 * from the environment can hold `:`, `#` or quotes (passwords do) without changing the YAML structure,
 * and parse errors keep pointing at the lines the operator wrote.
 */
export function substituteEnv(tree: unknown, env: Env): Substitution {
  const problems: Problem[] = [];
  const value = walk(tree, [], env, problems);
  return { value, problems };
}

function walk(node: unknown, path: ConfigPath, env: Env, problems: Problem[]): unknown {
  if (typeof node === "string") return substituteString(node, path, env, problems);
  if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i], env, problems));
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = walk(child, [...path, key], env, problems);
    return out;
  }
  return node;
}

/**
 * \${VAR} is not valid YAML inside a flow mapping (`{ password: \${PW} }`): the braces are flow
 * indicators. Operators write it anyway, so before parsing the braces of each reference are swapped for
 * private-use characters of the same length (positions in error messages stay right) and swapped back in
 * the parsed tree. Files that already contain those characters are left alone.
 */
const OPEN = "\uE000";
const CLOSE = "\uE001";

export function shieldReferences(text: string): string {
  if (text.includes(OPEN) || text.includes(CLOSE)) return text;
  return text.replace(/(?<!\$)\$\{([^{}\n]*)\}/g, (_match, inner: string) => `$${OPEN}${inner}${CLOSE}`);
}

export function unshieldReferences(tree: unknown): unknown {
  if (typeof tree === "string") return tree.replaceAll(OPEN, "{").replaceAll(CLOSE, "}");
  if (Array.isArray(tree)) return tree.map(unshieldReferences);
  if (tree !== null && typeof tree === "object") {
    return Object.fromEntries(
      Object.entries(tree).map(([key, value]) => [
        unshieldReferences(key) as string,
        unshieldReferences(value),
      ]),
    );
  }
  return tree;
}

const REFERENCE = /\$(\$)?\{([^}]*)(\})?/g;
const INNER = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

function substituteString(text: string, path: ConfigPath, env: Env, problems: Problem[]): string {
  if (!text.includes("${")) return text;
  return text.replace(
    REFERENCE,
    (match, escaped: string | undefined, inner: string, close: string | undefined) => {
      if (escaped !== undefined) return match.slice(1);
      if (close === undefined) {
        problems.push(
          problem(
            path,
            `"\${" is never closed`,
            'close the reference with "}", or write "$${" for a literal "${"',
          ),
        );
        return "";
      }
      const parsed = INNER.exec(inner);
      const name = parsed?.[1];
      if (parsed === null || name === undefined) {
        problems.push(
          problem(
            path,
            `"\${${inner}}" is not a valid reference`,
            `use \${NAME} or \${NAME:-default} with NAME made of letters, digits and "_", or "$\${" for a literal`,
          ),
        );
        return "";
      }
      const fallback = parsed[2];
      const value = env[name];
      // Like the shell, `:-` also covers a variable that is set but empty.
      if (fallback !== undefined) return value === undefined || value === "" ? fallback : value;
      if (value === undefined) {
        const last = path[path.length - 1];
        const secret = typeof last === "string" && SECRET_KEYS.has(last);
        problems.push(
          problem(
            path,
            `environment variable ${name} is not set`,
            `export ${name} before running bluegreen, or write \${${name}:-default} to give it a default`,
            secret ? "secret" : "invalid",
          ),
        );
        // Left as written: a non-empty placeholder lets the rest of the pipeline run and report the
        // other problems; whatever it trips over at this path is filtered out as noise.
        return match;
      }
      return value;
    },
  );
}
