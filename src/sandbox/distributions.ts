import { BluegreenError } from "../errors/index.ts";
import { elasticsearchModules, type ModuleSpec, openSearchModules } from "./modules.ts";

export type { ModuleSpec } from "./modules.ts";

/**
 * Every cluster version the sandbox can run is one row here. Adding a version means adding a row whose
 * artifacts resolve from Maven Central; nothing else in the sandbox knows about versions.
 */

export interface PluginSpec {
  readonly name: string;
  readonly groupId: string;
  readonly artifactId: string;
  readonly version: string;
}

export interface DistributionSpec {
  /** The short key users type: "2.19", "1.3", … */
  readonly key: string;
  readonly distribution: "opensearch" | "elasticsearch";
  readonly version: string;
  readonly zip: { readonly groupId: string; readonly artifactId: string };
  /** Java majors this version is known to run on, most preferred first. */
  readonly javaMajors: readonly number[];
  readonly modules: readonly ModuleSpec[];
  /** Plugin installed only in the secure variant. */
  readonly security?: PluginSpec;
  /** Env var names the launcher script reads. */
  readonly env: { readonly javaHome: string; readonly pathConf: string; readonly javaOpts: string };
  readonly executable: string;
  readonly configFile: string;
}

interface RowOptions {
  readonly javaMajors: readonly number[];
  /** Whether this version's security plugin zip resolves from Central (the secure variant). */
  readonly security?: boolean;
}

/** Plugin zips on Central carry the OpenSearch version plus a fourth part, e.g. 2.19.4 → 2.19.4.0. */
export function pluginVersion(spec: DistributionSpec): string {
  return `${spec.version}.0`;
}

function openSearch(key: string, version: string, options: RowOptions): DistributionSpec {
  const row: DistributionSpec = {
    key,
    distribution: "opensearch",
    version,
    zip: { groupId: "org.opensearch.distribution.integ-test-zip", artifactId: "opensearch" },
    javaMajors: options.javaMajors,
    modules: openSearchModules(version),
    env: {
      javaHome: "OPENSEARCH_JAVA_HOME",
      pathConf: "OPENSEARCH_PATH_CONF",
      javaOpts: "OPENSEARCH_JAVA_OPTS",
    },
    executable: "bin/opensearch",
    configFile: "opensearch.yml",
  };
  if (options.security !== true) return row;
  const security = {
    name: "opensearch-security",
    groupId: "org.opensearch.plugin",
    artifactId: "opensearch-security",
    version: pluginVersion(row),
  };
  return { ...row, security };
}

function elasticsearchOss(key: string, version: string, options: RowOptions): DistributionSpec {
  return {
    key,
    distribution: "elasticsearch",
    version,
    zip: { groupId: "org.elasticsearch.distribution.integ-test-zip", artifactId: "elasticsearch" },
    javaMajors: options.javaMajors,
    modules: elasticsearchModules(),
    // 7.10 reads JAVA_HOME (ES_JAVA_HOME came in 7.12); the launcher also gets JAVA_HOME anyway.
    env: { javaHome: "JAVA_HOME", pathConf: "ES_PATH_CONF", javaOpts: "ES_JAVA_OPTS" },
    executable: "bin/elasticsearch",
    configFile: "elasticsearch.yml",
  };
}

/*
 * Versions are the newest patch of each line whose zip, module jars and (where listed) security plugin
 * all resolve from Maven Central; newest first within a distribution, because a bare major ("3") means
 * the first row of that major. 3.4.0 is the newest 3.x for which the CCR, ISM, job-scheduler and
 * security plugins all exist. Java: 3.x needs 21+ and replaced the security manager with an agent, so it
 * runs on 25; 2.x, 1.3 and Elasticsearch 7.10 still install a security manager, which Java 24+ refuses.
 */
export const DISTRIBUTIONS: readonly DistributionSpec[] = [
  openSearch("3.4", "3.4.0", { javaMajors: [25, 21] }),
  openSearch("2.19", "2.19.4", { javaMajors: [17, 21, 11], security: true }),
  openSearch("2.11", "2.11.1", { javaMajors: [17, 11], security: true }),
  openSearch("1.3", "1.3.14", { javaMajors: [11, 17] }),
  elasticsearchOss("es-7.10", "7.10.2", { javaMajors: [17, 11] }),
];

export const DEFAULT_SOURCE = "2.11";
export const DEFAULT_TARGET = "2.19";

/**
 * Accepts the short key ("2.19", "es-7.10"), a bare major for its newest row ("3", "es-7"), the full
 * version ("2.19.4", "es-7.10.2") or the prefixed form ("opensearch-2.19", "elasticsearch-7.10").
 */
export function findDistribution(wanted: string): DistributionSpec {
  const elastic = /^(elasticsearch|es)-/.test(wanted);
  const key = wanted.replace(/^(opensearch|os|elasticsearch|es)-/, "");
  const rows = DISTRIBUTIONS.filter((d) => (d.distribution === "elasticsearch") === elastic);
  const bare = (d: DistributionSpec) => d.key.replace(/^es-/, "");
  const spec =
    rows.find((d) => bare(d) === key || d.version === key) ??
    (/^\d+$/.test(key) ? rows.find((d) => d.version.startsWith(`${key}.`)) : undefined);
  if (spec === undefined) {
    const known = DISTRIBUTIONS.map((d) => `${d.key} (${d.distribution} ${d.version})`).join(", ");
    throw new BluegreenError("BG_SANDBOX_VERSION", `The sandbox has no version "${wanted}".`, {
      fix: `Use one of: ${known}; a bare major such as 3 picks its newest row.`,
    });
  }
  return spec;
}
