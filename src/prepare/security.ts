/**
 * Security plugin entities (what `securityadmin.sh` would copy): internal users with their password
 * hashes, roles, role mappings, action groups and tenants, through the security REST API.
 */
import type { Requester } from "../cluster/index.ts";
import { isObject } from "./normalize.ts";
import type { ClusterAbout, Json, JsonObject, Untranslatable } from "./types.ts";

export type SecurityKind = "action_group" | "tenant" | "role" | "internal_user" | "role_mapping";

/** REST resource and the attributes that define each entity; everything else is bookkeeping. */
export const SECURITY_KINDS: Readonly<Record<SecurityKind, { api: string; keys: readonly string[] }>> = {
  action_group: { api: "actiongroups", keys: ["allowed_actions", "type", "description"] },
  tenant: { api: "tenants", keys: ["description"] },
  role: {
    api: "roles",
    keys: ["cluster_permissions", "index_permissions", "tenant_permissions", "description"],
  },
  internal_user: {
    api: "internalusers",
    keys: ["hash", "backend_roles", "attributes", "description", "opendistro_security_roles"],
  },
  role_mapping: {
    api: "rolesmapping",
    keys: ["backend_roles", "hosts", "users", "and_backend_roles", "description"],
  },
};

/** OpenSearch (1.x too) serves `_plugins`; Open Distro on Elasticsearch only knows `_opendistro`. */
export function securityApi(about: ClusterAbout): string {
  return about.distribution === "opensearch" ? "/_plugins/_security/api" : "/_opendistro/_security/api";
}

/**
 * Empty values are dropped: versions differ in whether they print `"description": ""`, `[]` or `{}`
 * for an attribute that was never set, and those must compare equal.
 */
function prune(value: Json): Json | undefined {
  if (Array.isArray(value)) {
    const items = value.map(prune).filter((v): v is Json => v !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) {
      const v = prune(value[key] as Json);
      if (v !== undefined) out[key] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value === "" || value === null ? undefined : value;
}

/** Reserved, hidden and static entities belong to the cluster's own security configuration. */
export function isProtectedEntity(body: unknown): boolean {
  return isObject(body) && (body.reserved === true || body.hidden === true || body.static === true);
}

export function normalizeSecurityEntity(kind: SecurityKind, body: unknown): JsonObject {
  const src = isObject(body) ? body : {};
  const out: JsonObject = {};
  for (const key of SECURITY_KINDS[kind].keys) {
    const value = src[key] === undefined ? undefined : prune(src[key] as Json);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Normalizes a GET of one resource into name → body, leaving protected entities out. */
export function securityEntities(
  kind: SecurityKind,
  body: unknown,
  hashes?: Readonly<Record<string, string>>,
): Record<string, JsonObject> {
  const out: Record<string, JsonObject> = {};
  if (!isObject(body)) return out;
  for (const name of Object.keys(body).sort()) {
    const value = body[name];
    if (isProtectedEntity(value)) continue;
    const entity = normalizeSecurityEntity(kind, value);
    // The REST API blanks hashes on GET; the real one comes from the security index, when readable.
    delete entity.hash;
    const hash = hashes?.[name];
    if (kind === "internal_user" && hash !== undefined) entity.hash = hash;
    out[name] = entity;
  }
  return out;
}

/**
 * The security index's `internalusers` document holds the configuration (base64 JSON), hashes included.
 * Only a client authenticated with a certificate listed in `plugins.security.authcz.admin_dn` may read
 * it; anyone else gets "not found", so undefined means "hashes unknown".
 */
export function parseHashes(doc: unknown): Record<string, string> | undefined {
  if (!isObject(doc) || doc.found !== true || !isObject(doc._source)) return undefined;
  const encoded = doc._source.internalusers;
  if (typeof encoded !== "string") return undefined;
  let config: unknown;
  try {
    config = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObject(config)) return undefined;
  const out: Record<string, string> = {};
  for (const [name, user] of Object.entries(config)) {
    if (name !== "_meta" && isObject(user) && typeof user.hash === "string" && user.hash !== "")
      out[name] = user.hash;
  }
  return out;
}

export interface SecurityInventory {
  action_group: Record<string, JsonObject>;
  tenant: Record<string, JsonObject>;
  role: Record<string, JsonObject>;
  internal_user: Record<string, JsonObject>;
  role_mapping: Record<string, JsonObject>;
  readonly userHashes: boolean;
  /** Resources the credentials may not read. */
  readonly untranslatable: readonly Untranslatable[];
}

export function emptySecurity(): SecurityInventory {
  return {
    action_group: {},
    tenant: {},
    role: {},
    internal_user: {},
    role_mapping: {},
    userHashes: false,
    untranslatable: [],
  };
}

const SECURITY_INDEX = "/.opendistro_security/_doc/internalusers";

export async function securityInventory(
  cluster: Requester,
  about: ClusterAbout,
  signal?: AbortSignal,
): Promise<SecurityInventory> {
  if (!about.security) return emptySecurity();
  const get = (path: string) => cluster.request({ method: "GET", path, allowStatus: [403, 404], signal });
  const base = securityApi(about);
  const kinds = Object.keys(SECURITY_KINDS) as SecurityKind[];
  const [hashDoc, ...responses] = await Promise.all([
    get(SECURITY_INDEX),
    ...kinds.map((kind) => get(`${base}/${SECURITY_KINDS[kind].api}`)),
  ]);
  const hashes = hashDoc?.status === 200 ? parseHashes(hashDoc.body) : undefined;
  const out: SecurityInventory = { ...emptySecurity(), userHashes: hashes !== undefined, untranslatable: [] };
  const untranslatable: Untranslatable[] = [];
  kinds.forEach((kind, i) => {
    const response = responses[i];
    if (response?.status === 200) out[kind] = securityEntities(kind, response.body, hashes);
    else {
      untranslatable.push({
        kind,
        name: "*",
        reason: `GET ${base}/${SECURITY_KINDS[kind].api} answered ${response?.status}: the credentials may not read the security configuration (they need the security REST API permission)`,
      });
    }
  });
  return { ...out, untranslatable };
}
