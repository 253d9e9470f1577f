/**
 * Index lifecycle policies: OpenSearch ISM policies are copied when the index-management plugin is on
 * both sides; Elasticsearch ILM policies have no automatic translation and are reported as such.
 */
import type { Requester } from "../cluster/index.ts";
import { isObject } from "./normalize.ts";
import type { ClusterAbout, Inventory, JsonObject, PlanItem, Untranslatable } from "./types.ts";

/** OpenSearch serves ISM under `_plugins` from 1.0 on; Open Distro on Elasticsearch under `_opendistro`. */
export function ismApi(about: ClusterAbout): string {
  return about.distribution === "opensearch" ? "/_plugins/_ism" : "/_opendistro/_ism";
}

/** Strips what the cluster stamps on a policy (id, timestamps, schema version) from `policy`. */
export function normalizeIsmPolicy(policy: unknown): JsonObject {
  const src = isObject(policy) ? policy : {};
  const {
    policy_id: _id,
    last_updated_time: _t,
    schema_version: _v,
    error_notification,
    ism_template,
    ...rest
  } = src;
  const out: JsonObject = { ...rest };
  if (error_notification !== null && error_notification !== undefined)
    out.error_notification = error_notification;
  const templates = Array.isArray(ism_template) ? ism_template : isObject(ism_template) ? [ism_template] : [];
  if (templates.length > 0) {
    out.ism_template = templates.map((t) => {
      if (!isObject(t)) return t;
      const { last_updated_time: _u, ...keep } = t;
      return keep;
    });
  }
  return out;
}

/** `GET <ism>/policies` → id → normalized policy (the body `PUT <ism>/policies/<id>` takes as `policy`). */
export function ismPolicies(body: unknown): Record<string, JsonObject> {
  const list = isObject(body) && Array.isArray(body.policies) ? body.policies : [];
  const out: Record<string, JsonObject> = {};
  for (const item of list) {
    if (!isObject(item) || typeof item._id !== "string") continue;
    // Write responses wrap the policy once more (`policy.policy`); accept both shapes.
    const policy = isObject(item.policy) && isObject(item.policy.policy) ? item.policy.policy : item.policy;
    out[item._id] = normalizeIsmPolicy(policy);
  }
  return out;
}

export async function readIsmPolicies(cluster: Requester, about: ClusterAbout, signal?: AbortSignal) {
  if (!about.ism) return {};
  const response = await cluster.request({
    method: "GET",
    path: `${ismApi(about)}/policies`,
    querystring: { size: 10_000 },
    allowStatus: [404],
    signal,
  });
  return response.status === 404 ? {} : ismPolicies(response.body);
}

/** Policies Elasticsearch installs for its own features; the target neither needs nor could use them. */
function isManagedIlm(name: string, policy: unknown): boolean {
  const meta = isObject(policy) && isObject(policy.policy) ? policy.policy._meta : undefined;
  return (
    name.startsWith(".") || (isObject(meta) && meta.managed === true) || /-history-ilm-policy$/.test(name)
  );
}

/** Every user ILM policy, as an item no transform translates: ILM and ISM differ in states and actions. */
export function ilmUntranslatable(body: unknown): Untranslatable[] {
  if (!isObject(body)) return [];
  return Object.keys(body)
    .filter((name) => !isManagedIlm(name, body[name]))
    .sort()
    .map((name) => ({
      kind: "ism_policy",
      name,
      reason:
        "an Elasticsearch ILM policy has no automatic translation to an ISM policy: write the ISM policy by hand " +
        "(states, actions, transitions) and attach it with an ism_template",
    }));
}

export async function readIlmPolicies(cluster: Requester, about: ClusterAbout, signal?: AbortSignal) {
  if (!about.ilm) return [];
  const response = await cluster.request({ method: "GET", path: "/_ilm/policy", allowStatus: [404], signal });
  return response.status === 404 ? [] : ilmUntranslatable(response.body);
}

const ISM_PLUGIN = "opensearch-index-management";

/**
 * ISM items when the plugin is missing on one side: each source policy (or the whole kind, when the
 * source cannot even be asked) is `unsupported` with the side that lacks the plugin, never dropped.
 */
export function ismPluginItems(source: Inventory, target: Inventory): PlanItem[] | undefined {
  if (source.about.distribution !== "opensearch") return undefined;
  if (source.about.ism && target.about.ism) return undefined;
  const sides = [!source.about.ism && "source", !target.about.ism && "target"].filter(Boolean);
  const reason =
    `the index-management plugin (${ISM_PLUGIN}) is missing on the ${sides.join(" and the ")}: ` +
    (source.about.ism
      ? "this ISM policy cannot be created there; install the plugin on the target and plan again"
      : "ISM policies cannot be listed or copied; install the plugin on both clusters to migrate them");
  const names = Object.keys(source.ismPolicies);
  const targets = names.length > 0 ? names : ["*"];
  return targets.map((name) => ({ kind: "ism_policy", name, action: "unsupported", reason }));
}
