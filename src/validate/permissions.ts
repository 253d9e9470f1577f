/**
 * The `permissions` check: each user under `validate.probeUsers` signs in to both clusters with the
 * credentials the environment holds for it and sends the same probe requests; every status code must
 * agree. The default probes change nothing (docs/validate.md): who the user is, cluster health, and per
 * selected index a search and a write that cannot succeed — an index request conditioned on a sequence
 * number no document has, which a user allowed to write gets a 409 for and one who is not a 403.
 */
import { type Cluster, createCluster } from "../cluster/index.ts";
import { type MigrationConfig, type Probe, type ProbeUser, Secret } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Check, ProbeResult } from "./report.ts";

export type Env = Readonly<Record<string, string | undefined>>;

interface Pair {
  readonly index: string;
  readonly targetIndex: string;
}

/** Every 4xx and 5xx: a probe's status is its answer, never an error. */
const ANY_STATUS = Array.from({ length: 200 }, (_, i) => 400 + i);
const WHOAMI = "/_plugins/_security/authinfo";
/** Beyond any sequence number and primary term: the conditional write can never apply. */
const NEVER = "9007199254740991";
export const PROBE_ID = "bluegreen-permission-probe";

interface PlannedProbe extends Probe {
  /** The same request on the target (index renamed). */
  readonly targetPath: string;
}

function indexPath(index: string, rest: string): string {
  return `/${encodeURIComponent(index)}${rest}`;
}

/** The probes a user gets without `probes:` of its own. */
export function defaultProbes(pairs: readonly Pair[]): PlannedProbe[] {
  const write = `/_doc/${PROBE_ID}?if_seq_no=${NEVER}&if_primary_term=${NEVER}`;
  return [
    { method: "GET", path: WHOAMI, targetPath: WHOAMI },
    { method: "GET", path: "/_cluster/health", targetPath: "/_cluster/health" },
    ...pairs.flatMap((p): PlannedProbe[] => [
      {
        method: "GET",
        path: indexPath(p.index, "/_search?size=0"),
        targetPath: indexPath(p.targetIndex, "/_search?size=0"),
      },
      // An empty document: not even a dynamic mapping update can come of it.
      {
        method: "PUT",
        path: indexPath(p.index, write),
        targetPath: indexPath(p.targetIndex, write),
        body: {},
      },
    ]),
  ];
}

function where(user: ProbeUser, i: number): string {
  return `validate.probeUsers[${i}] ("${user.name}")`;
}

function credentials(user: ProbeUser, i: number, env: Env): { username: string; password: Secret } {
  const read = (name: string, what: string): string => {
    const value = env[name];
    if (value === undefined || value === "")
      throw new BluegreenError(
        "BG_SECRET_UNRESOLVED",
        `${where(user, i)}: the ${what} variable ${name} is not set.`,
        {
          fix: `Export ${name} with the probe user's ${what} before running validate.`,
          details: { user: user.name, variable: name },
        },
      );
    return value;
  };
  const username = "env" in user.username ? read(user.username.env, "username") : user.username.value;
  return { username, password: new Secret(read(user.passwordEnv, "password")) };
}

function connect(
  config: MigrationConfig,
  side: "source" | "target",
  username: string,
  password: Secret,
): Cluster {
  return createCluster({ ...config[side], auth: { type: "basic", username, password } });
}

async function statusOf(cluster: Cluster, probe: Probe, path: string, signal?: AbortSignal): Promise<number> {
  try {
    const answer = await cluster.request({
      method: probe.method,
      path,
      ...(probe.body === undefined ? {} : { body: probe.body }),
      allowStatus: ANY_STATUS,
      idempotent: probe.method !== "POST",
      ...(signal === undefined ? {} : { signal }),
    });
    return answer.status;
  } catch (error) {
    if (signal?.aborted === true) throw error;
    return 0;
  }
}

const denied = (status: number) => status === 401 || status === 403;

function explain(r: ProbeResult): string {
  const how =
    denied(r.source) && !denied(r.target)
      ? "the target allows what the source refuses"
      : !denied(r.source) && denied(r.target)
        ? "the target refuses what the source allows"
        : "the answers differ";
  return `${r.method} ${r.path}: source ${r.source} ≠ target ${r.target} (${how})`;
}

/** One check per probe user; wrong credentials for the source are an error naming the user. */
export async function checkPermissions(
  config: MigrationConfig,
  pairs: readonly Pair[],
  env: Env,
  signal?: AbortSignal,
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const [i, user] of config.validate.probeUsers.entries()) {
    const started = performance.now();
    const { username, password } = credentials(user, i, env);
    const probes: PlannedProbe[] =
      user.probes?.map((p) => ({ ...p, targetPath: p.path })) ?? defaultProbes(pairs);
    const source = connect(config, "source", username, password);
    const target = connect(config, "target", username, password);
    try {
      const results: ProbeResult[] = [];
      for (const probe of probes) {
        const [s, t] = await Promise.all([
          statusOf(source, probe, probe.path, signal),
          statusOf(target, probe, probe.targetPath, signal),
        ]);
        // 401 is the sign-in failing, not a permission: the source is the reference, so that is an error.
        if (s === 401) throw refused(user, i);
        results.push({ method: probe.method, path: probe.path, source: s, target: t, passed: s === t });
      }
      const differ = results.filter((r) => !r.passed);
      checks.push({
        index: "*",
        targetIndex: "*",
        kind: "permissions",
        passed: differ.length === 0,
        user: user.name,
        summary:
          differ.length === 0
            ? `user ${user.name}: ${results.length} probe(s) answered alike`
            : `user ${user.name}: ${differ.length} of ${results.length} probe(s) differ; ${differ.slice(0, 3).map(explain).join("; ")}`,
        probes: results,
        seconds: (performance.now() - started) / 1000,
      });
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  }
  return checks;
}

function refused(user: ProbeUser, i: number): BluegreenError {
  const name =
    "env" in user.username ? `the username in ${user.username.env}` : `the username "${user.username.value}"`;
  return new BluegreenError(
    "BG_VALIDATE_PROBE_AUTH",
    `${where(user, i)} cannot sign in to the source (401): ${name} or the password in ${user.passwordEnv} is wrong.`,
    {
      fix: `Set ${user.passwordEnv} to the password this user has on the source (the reference the target is compared with), then validate again.`,
      details: { user: user.name, passwordEnv: user.passwordEnv },
    },
  );
}
