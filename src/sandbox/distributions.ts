import { BluegreenError } from "../errors/index.ts";

/**
 * Every cluster version the sandbox can run is one row here. Adding a version means adding a row whose
 * artifacts resolve from Maven Central; nothing else in the sandbox knows about versions.
 */

export interface ModuleSpec {
  /** Directory name under modules/, as in a full distribution. */
  readonly name: string;
  readonly groupId: string;
  readonly artifactId: string;
  readonly classname: string;
  /** Modules whose classes this one needs at runtime (e.g. analysis-common extends lang-painless). */
  readonly extendedPlugins: readonly string[];
  /** The module's plugin-security.policy; integ-test-zips still run under the Java security manager. */
  readonly policy: string;
  /** A node setting only valid when this module is installed, e.g. the remote-reindex allowlist. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

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

const PAINLESS_POLICY = `grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
`;

const MUSTACHE_POLICY = `grant {
  permission java.lang.RuntimePermission "accessDeclaredMembers";
};
`;

const REINDEX_POLICY = `grant {
  permission java.net.SocketPermission "*", "connect";
};
grant codeBase "\${codebase.opensearch-rest-client}" {
  permission java.net.NetPermission "getProxySelector";
};
grant codeBase "\${codebase.httpasyncclient}" {
  permission java.net.NetPermission "getProxySelector";
};
`;

/** The standard modules the integ-test-zip lacks, as published jars (module zips are not on Central). */
function openSearchModules(version: string): readonly ModuleSpec[] {
  // 1.x only knows the old name of the remote-reindex allowlist; 2.0 renamed it.
  const allowlist = version.startsWith("1.") ? "reindex.remote.whitelist" : "reindex.remote.allowlist";
  const g = "org.opensearch.plugin";
  return [
    {
      name: "lang-painless",
      groupId: g,
      artifactId: "lang-painless",
      classname: "org.opensearch.painless.PainlessPlugin",
      extendedPlugins: [],
      policy: PAINLESS_POLICY,
    },
    {
      name: "reindex",
      groupId: g,
      artifactId: "reindex-client",
      classname: "org.opensearch.index.reindex.ReindexPlugin",
      extendedPlugins: [],
      policy: REINDEX_POLICY,
      settings: { [allowlist]: ["127.0.0.1:*", "localhost:*"] },
    },
    {
      name: "analysis-common",
      groupId: g,
      artifactId: "analysis-common",
      classname: "org.opensearch.analysis.common.CommonAnalysisPlugin",
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      name: "mapper-extras",
      groupId: g,
      artifactId: "mapper-extras-client",
      classname: "org.opensearch.index.mapper.MapperExtrasPlugin",
      extendedPlugins: [],
      policy: "",
    },
    {
      name: "ingest-common",
      groupId: g,
      artifactId: "ingest-common",
      classname: "org.opensearch.ingest.common.IngestCommonPlugin",
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      // Search templates and {{ }} values in ingest processors render with mustache.
      name: "lang-mustache",
      groupId: g,
      artifactId: "lang-mustache-client",
      classname: "org.opensearch.script.mustache.MustachePlugin",
      extendedPlugins: [],
      policy: MUSTACHE_POLICY,
    },
  ];
}

function openSearch(
  key: string,
  version: string,
  javaMajors: number[],
  securityVersion?: string,
): DistributionSpec {
  return {
    key,
    distribution: "opensearch",
    version,
    zip: { groupId: "org.opensearch.distribution.integ-test-zip", artifactId: "opensearch" },
    javaMajors,
    modules: openSearchModules(version),
    ...(securityVersion === undefined
      ? {}
      : {
          security: {
            name: "opensearch-security",
            groupId: "org.opensearch.plugin",
            artifactId: "opensearch-security",
            version: securityVersion,
          },
        }),
    env: {
      javaHome: "OPENSEARCH_JAVA_HOME",
      pathConf: "OPENSEARCH_PATH_CONF",
      javaOpts: "OPENSEARCH_JAVA_OPTS",
    },
    executable: "bin/opensearch",
    configFile: "opensearch.yml",
  };
}

/*
 * Versions are the newest patch of each line whose zip, module jars and (where listed) security plugin
 * all resolve from Maven Central. The cross-cluster-replication and index-management plugin zips do not
 * resolve there, so the sandbox cannot offer CCR or ISM.
 */
export const DISTRIBUTIONS: readonly DistributionSpec[] = [
  openSearch("2.19", "2.19.4", [17, 21, 11], "2.19.4.0"),
  openSearch("2.11", "2.11.1", [17, 11], "2.11.1.0"),
  openSearch("1.3", "1.3.14", [11, 17]),
];

export const DEFAULT_SOURCE = "2.11";
export const DEFAULT_TARGET = "2.19";

/** Accepts the short key ("2.19"), the full version ("2.19.4") or the prefixed form ("opensearch-2.19"). */
export function findDistribution(wanted: string): DistributionSpec {
  const key = wanted.replace(/^(opensearch|os)-/, "");
  const spec = DISTRIBUTIONS.find((d) => d.key === key || d.version === key);
  if (spec === undefined) {
    const known = DISTRIBUTIONS.map((d) => `${d.key} (${d.distribution} ${d.version})`).join(", ");
    throw new BluegreenError("BG_SANDBOX_VERSION", `The sandbox has no version "${wanted}".`, {
      fix: `Use one of: ${known}.`,
    });
  }
  return spec;
}
