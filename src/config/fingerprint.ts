import { createHash } from "node:crypto";
import type { Draft } from "./normalize.ts";
import { Secret } from "./secret.ts";
import type { MigrationConfig } from "./types.ts";

const SECRET_MARK = "<secret>";

/**
 * The exact text the fingerprint hashes: sorted-key JSON of the normalized config, with every secret
 * replaced by a fixed mark (rotating a password is not a different migration) and without `configPath`
 * (moving the file is not either).
 */
export function canonicalConfig(config: Draft | MigrationConfig): string {
  const { configPath: _path, ...rest } = config;
  const withoutFingerprint: Record<string, unknown> = { ...rest };
  delete withoutFingerprint.fingerprint;
  return JSON.stringify(canonical(withoutFingerprint));
}

export function fingerprintOf(config: Draft | MigrationConfig): string {
  return createHash("sha256").update(canonicalConfig(config)).digest("hex");
}

function canonical(value: unknown): unknown {
  if (value instanceof Secret) return SECRET_MARK;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) out[key] = canonical(child);
    }
    return out;
  }
  return value;
}
