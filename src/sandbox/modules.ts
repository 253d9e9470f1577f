/**
 * The standard modules an integ-test-zip lacks, as the jars Maven Central publishes (module zips are not
 * published). Which jar, which entry class and which policy differ by distribution and major version; the
 * module set does not.
 */

export interface ModuleSpec {
  /** Directory name under modules/, as in a full distribution. */
  readonly name: string;
  readonly groupId: string;
  readonly artifactId: string;
  readonly classname: string;
  /** Modules whose classes this one needs at runtime (e.g. analysis-common extends lang-painless). */
  readonly extendedPlugins: readonly string[];
  /** The module's plugin-security.policy (the security manager before 3.x, the agent's policy from 3.x). */
  readonly policy: string;
  /** A node setting only valid when this module is installed, e.g. the remote-reindex allowlist. */
  readonly settings?: Readonly<Record<string, unknown>>;
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

/** The rest client's jar is named after its distribution, and the policy grants by that jar's codebase. */
function reindexPolicy(restClient: string): string {
  return `grant {
  permission java.net.SocketPermission "*", "connect";
};
grant codeBase "\${codebase.${restClient}}" {
  permission java.net.NetPermission "getProxySelector";
};
grant codeBase "\${codebase.httpasyncclient}" {
  permission java.net.NetPermission "getProxySelector";
};
`;
}

const LOOPBACK = ["127.0.0.1:*", "localhost:*"];

/** OpenSearch 1.x–3.x: one group, the 3.x entry classes renamed to `…ModulePlugin`. */
export function openSearchModules(version: string): readonly ModuleSpec[] {
  const major = Number(version.split(".")[0]);
  // 1.x only knows the old name of the remote-reindex allowlist; 2.0 renamed it (3.0 dropped the old one).
  const allowlist = major === 1 ? "reindex.remote.whitelist" : "reindex.remote.allowlist";
  const entry = (pre3: string, from3: string) => (major >= 3 ? from3 : pre3);
  const g = "org.opensearch.plugin";
  return [
    {
      name: "lang-painless",
      groupId: g,
      artifactId: "lang-painless",
      classname: `org.opensearch.painless.${entry("PainlessPlugin", "PainlessModulePlugin")}`,
      extendedPlugins: [],
      policy: PAINLESS_POLICY,
    },
    {
      name: "reindex",
      groupId: g,
      artifactId: "reindex-client",
      classname: `org.opensearch.index.reindex.${entry("ReindexPlugin", "ReindexModulePlugin")}`,
      extendedPlugins: [],
      policy: reindexPolicy("opensearch-rest-client"),
      settings: { [allowlist]: LOOPBACK },
    },
    {
      name: "analysis-common",
      groupId: g,
      artifactId: "analysis-common",
      classname: `org.opensearch.analysis.common.${entry("CommonAnalysisPlugin", "CommonAnalysisModulePlugin")}`,
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      name: "mapper-extras",
      groupId: g,
      artifactId: "mapper-extras-client",
      classname: `org.opensearch.index.mapper.${entry("MapperExtrasPlugin", "MapperExtrasModulePlugin")}`,
      extendedPlugins: [],
      policy: "",
    },
    {
      name: "ingest-common",
      groupId: g,
      artifactId: "ingest-common",
      classname: `org.opensearch.ingest.common.${entry("IngestCommonPlugin", "IngestCommonModulePlugin")}`,
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      // Search templates and {{ }} values in ingest processors render with mustache.
      name: "lang-mustache",
      groupId: g,
      artifactId: "lang-mustache-client",
      classname: `org.opensearch.script.mustache.${entry("MustachePlugin", "MustacheModulePlugin")}`,
      extendedPlugins: [],
      policy: MUSTACHE_POLICY,
    },
  ];
}

/**
 * Elasticsearch 7.10 OSS. Elastic published only the `-client` jars (reindex, mapper-extras, lang-mustache)
 * under org.elasticsearch.plugin; lang-painless, analysis-common and ingest-common were never published
 * there, and come from org.codelibs.elasticsearch.module, which republishes the release's module jars
 * unchanged (with their real dependencies: antlr4-runtime, asm, painless-spi; grok, dissect, joni).
 */
export function elasticsearchModules(): readonly ModuleSpec[] {
  const elastic = "org.elasticsearch.plugin";
  const codelibs = "org.codelibs.elasticsearch.module";
  return [
    {
      name: "lang-painless",
      groupId: codelibs,
      artifactId: "lang-painless",
      classname: "org.elasticsearch.painless.PainlessPlugin",
      extendedPlugins: [],
      policy: PAINLESS_POLICY,
    },
    {
      name: "reindex",
      groupId: elastic,
      artifactId: "reindex-client",
      classname: "org.elasticsearch.index.reindex.ReindexPlugin",
      extendedPlugins: [],
      policy: reindexPolicy("elasticsearch-rest-client"),
      settings: { "reindex.remote.whitelist": LOOPBACK },
    },
    {
      name: "analysis-common",
      groupId: codelibs,
      artifactId: "analysis-common",
      classname: "org.elasticsearch.analysis.common.CommonAnalysisPlugin",
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      name: "mapper-extras",
      groupId: elastic,
      artifactId: "mapper-extras-client",
      classname: "org.elasticsearch.index.mapper.MapperExtrasPlugin",
      extendedPlugins: [],
      policy: "",
    },
    {
      name: "ingest-common",
      groupId: codelibs,
      artifactId: "ingest-common",
      classname: "org.elasticsearch.ingest.common.IngestCommonPlugin",
      extendedPlugins: ["lang-painless"],
      policy: "",
    },
    {
      name: "lang-mustache",
      groupId: elastic,
      artifactId: "lang-mustache-client",
      classname: "org.elasticsearch.script.mustache.MustachePlugin",
      extendedPlugins: [],
      policy: MUSTACHE_POLICY,
    },
  ];
}
