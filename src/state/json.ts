import { Secret } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";

/**
 * Serializes a value for the state file. `Secret` already prints as "[redacted]", but a secret reaching
 * this point is a bug (and a silently redacted checkpoint would be a corrupt one), so it fails loudly.
 */
export function toStoredJson(value: unknown, where: string): string {
  const secretAt = findSecret(value, where, new Set());
  if (secretAt !== undefined) {
    throw new BluegreenError(
      "BG_INTERNAL",
      `Refusing to write a secret to the state file (at ${secretAt}).`,
      {
        fix: "This is a bug in bluegreen: please report it.",
        details: { where: secretAt },
      },
    );
  }
  try {
    return JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new BluegreenError(
      "BG_INTERNAL",
      `Cannot store ${where} in the state file: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

export function fromStoredJson(text: unknown): unknown {
  return typeof text === "string" ? JSON.parse(text) : undefined;
}

function findSecret(value: unknown, path: string, seen: Set<object>): string | undefined {
  if (value instanceof Secret) return path;
  if (value === null || typeof value !== "object" || seen.has(value)) return undefined;
  seen.add(value);
  for (const [key, child] of Object.entries(value)) {
    const found = findSecret(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}
