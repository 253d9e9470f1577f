import type { ClusterConfig } from "./cluster-config.ts";
import type { Draft, UrlOrigins } from "./normalize.ts";
import { type ConfigPath, formatPath, type Problem, problem } from "./problems.ts";

export interface RuleInput {
  readonly config: Draft;
  readonly urlOrigins: UrlOrigins;
}

/** A cross-field check. Each is small and named, so a failing one is easy to find from its message. */
export type Rule = (input: RuleInput) => readonly Problem[];

const SIDES = ["source", "target"] as const;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** `new URL` already lower-cases hosts and drops default ports; loopback aliases are folded on top. */
function clusterKey(url: string): string {
  const parsed = new URL(url);
  const host = LOOPBACK.has(parsed.hostname) ? "loopback" : parsed.hostname;
  return `${host}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}${parsed.pathname}`;
}

export function sourceAndTargetDiffer({ config, urlOrigins }: RuleInput): Problem[] {
  const sourceKeys = new Set(config.source.urls.map(clusterKey));
  return config.target.urls.flatMap((url, i) =>
    sourceKeys.has(clusterKey(url))
      ? [
          problem(
            urlOrigins.target[i] ?? ["target"],
            `${url} is the same cluster as the source`,
            "the target must be a separate cluster: give it its own URL",
          ),
        ]
      : [],
  );
}

export function clusterNamesDiffer({ config }: RuleInput): Problem[] {
  return config.source.name === config.target.name
    ? [
        problem(
          ["target", "name"],
          `repeats the source name "${config.source.name}"`,
          "give each cluster its own name",
        ),
      ]
    : [];
}

export function includeNotEmpty({ config }: RuleInput): Problem[] {
  return config.indices.include.length === 0
    ? [
        problem(
          ["indices", "include"],
          "is empty, so nothing would be migrated",
          'list at least one pattern, e.g. ["*"]',
        ),
      ]
    : [];
}

export function dotPatternsNeedIncludeHidden({ config }: RuleInput): Problem[] {
  if (config.indices.includeHidden) return [];
  return config.indices.include.flatMap((pattern, i) =>
    pattern.startsWith(".")
      ? [
          problem(
            ["indices", "include", i],
            `"${pattern}" names dot-prefixed indices, which are skipped while includeHidden is false`,
            "set indices.includeHidden: true to migrate them",
          ),
        ]
      : [],
  );
}

function perCluster(
  check: (cluster: ClusterConfig, side: "source" | "target", origins: readonly ConfigPath[]) => Problem[],
) {
  return ({ config, urlOrigins }: RuleInput): Problem[] =>
    SIDES.flatMap((side) => check(config[side], side, urlOrigins[side]));
}

const isHttp = (url: string) => url.startsWith("http:");

export const oneSchemePerCluster: Rule = perCluster((cluster, side) => {
  const schemes = new Set(cluster.urls.map((u) => new URL(u).protocol));
  return schemes.size > 1
    ? [problem([side, "urls"], "mixes http:// and https:// nodes", "use the same scheme for every node")]
    : [];
});

/**
 * TLS files on an http:// cluster would be silently ignored, and the operator would believe the link is
 * verified or client-authenticated. `insecure` alone is allowed: it weakens nothing that exists.
 */
export const tlsNeedsHttps: Rule = perCluster((cluster, side, origins) => {
  const httpIndex = cluster.urls.findIndex(isHttp);
  if (httpIndex < 0) return [];
  const set = (["ca", "cert", "key", "servername"] as const).filter((k) => cluster.tls[k] !== undefined);
  if (set.length === 0) return [];
  return [
    problem(
      [side, "tls"],
      `sets ${set.join(", ")} but ${cluster.urls[httpIndex]} is plain http, so they would be ignored`,
      `use an https:// URL at ${formatPath(origins[httpIndex] ?? [side])}, or remove the tls settings`,
    ),
  ];
});

export const sigv4NeedsHttps: Rule = perCluster((cluster, side) =>
  cluster.auth.type === "sigv4" && cluster.urls.some(isHttp)
    ? [
        problem(
          [side, "auth", "type"],
          "is sigv4 but the cluster URL is plain http",
          "use the https:// endpoint: AWS signs and serves requests over HTTPS only",
        ),
      ]
    : [],
);

export const clientCertNeedsKey: Rule = perCluster((cluster, side) => {
  if ((cluster.tls.cert === undefined) === (cluster.tls.key === undefined)) return [];
  const missing = cluster.tls.cert === undefined ? "cert" : "key";
  return [
    problem([side, "tls", missing], "is required for a client certificate", "set both tls.cert and tls.key"),
  ];
});

export const retryDelaysOrdered: Rule = perCluster((cluster, side) =>
  cluster.retry.initialDelayMs > cluster.retry.maxDelayMs
    ? [
        problem(
          [side, "retry", "initialDelay"],
          `(${cluster.retry.initialDelayMs}ms) is longer than maxDelay (${cluster.retry.maxDelayMs}ms)`,
          "make initialDelay at most maxDelay",
        ),
      ]
    : [],
);

export function snapshotNeedsRepository({ config }: RuleInput): Problem[] {
  const { method, repository } = config.backfill;
  if (method === "snapshot" && repository === undefined && config.backfill.snapshot?.location === undefined) {
    return [
      problem(
        ["backfill", "repository"],
        "is required for method snapshot",
        "name a snapshot repository registered on both clusters, set backfill.snapshot.location to a " +
          "folder in both clusters' path.repo, or use method: auto",
      ),
    ];
  }
  if ((method === "reindex" || method === "stream") && repository !== undefined) {
    return [
      problem(
        ["backfill", "repository"],
        `is not used by method ${method}`,
        "remove it, or use method: snapshot",
      ),
    ];
  }
  return [];
}

/** A rename pattern that is not a regex would only fail later, in the middle of a backfill. */
export function renamePatternCompiles({ config }: RuleInput): Problem[] {
  const pattern = config.backfill.rename?.pattern;
  if (pattern === undefined) return [];
  try {
    new RegExp(pattern);
    return [];
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return [
      problem(
        ["backfill", "rename", "pattern"],
        `is not a regular expression (${why})`,
        'write e.g. "^(.*)$"',
      ),
    ];
  }
}

/** Probe users are named in the report and in errors: two with one name could not be told apart. */
export function probeUserNamesUnique({ config }: RuleInput): Problem[] {
  const seen = new Set<string>();
  return config.validate.probeUsers.flatMap((user, i) => {
    if (!seen.has(user.name)) {
      seen.add(user.name);
      return [];
    }
    return [
      problem(
        ["validate", "probeUsers", i, "name"],
        `repeats "${user.name}"`,
        "give each probe user its own name",
      ),
    ];
  });
}

export const RULES: readonly (readonly [string, Rule])[] = [
  ["sourceAndTargetDiffer", sourceAndTargetDiffer],
  ["clusterNamesDiffer", clusterNamesDiffer],
  ["includeNotEmpty", includeNotEmpty],
  ["dotPatternsNeedIncludeHidden", dotPatternsNeedIncludeHidden],
  ["oneSchemePerCluster", oneSchemePerCluster],
  ["tlsNeedsHttps", tlsNeedsHttps],
  ["sigv4NeedsHttps", sigv4NeedsHttps],
  ["clientCertNeedsKey", clientCertNeedsKey],
  ["retryDelaysOrdered", retryDelaysOrdered],
  ["snapshotNeedsRepository", snapshotNeedsRepository],
  ["renamePatternCompiles", renamePatternCompiles],
  ["probeUserNamesUnique", probeUserNamesUnique],
];

export function applyRules(input: RuleInput): Problem[] {
  return RULES.flatMap(([name, rule]) => rule(input).map((p) => ({ ...p, rule: name })));
}
