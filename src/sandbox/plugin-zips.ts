/**
 * The optional plugins the sandbox installs (`sandbox up --plugins ccr,ism`), as data per OpenSearch
 * version. Maven Central publishes job-scheduler (and security) zips but not the cross-cluster-replication
 * or index-management ones, so each zip also names its file in the plugin directory
 * (`BLUEGREEN_SANDBOX_PLUGINS`, laid out `<version>/<file>`) and its sha256 there, and whether Central has it.
 */

/** What a user asks for; each set installs these plugins, in this order (ISM extends job-scheduler). */
export const PLUGIN_SETS = {
  ccr: ["opensearch-cross-cluster-replication"],
  ism: ["opensearch-job-scheduler", "opensearch-index-management"],
} as const;
export type PluginSet = keyof typeof PLUGIN_SETS;
export type PluginName = (typeof PLUGIN_SETS)[PluginSet][number];

/** Install order across sets: a plugin comes after every plugin it extends. */
export const PLUGIN_ORDER: readonly PluginName[] = [
  "opensearch-job-scheduler",
  "opensearch-index-management",
  "opensearch-cross-cluster-replication",
];

export interface PluginZip {
  /** The zip's own version: the OpenSearch version plus a fourth part. */
  readonly version: string;
  /** sha256 of the file in the plugin directory, checked before it is installed. */
  readonly sha256?: string;
  /** `org.opensearch.plugin:<name>:<version>:zip` resolves from Maven Central. */
  readonly central: boolean;
}

export type PluginZips = Readonly<Partial<Record<PluginName, PluginZip>>>;

function zip(version: string, central: boolean, sha256?: string): PluginZip {
  return { version, central, ...(sha256 === undefined ? {} : { sha256 }) };
}

/*
 * Checksums are those of /work/shared/opensearch-plugins/README.md (built from the upstream release
 * tags). A plugin missing from a version's list is still tried from the plugin directory (unchecked)
 * and from the official artifact download; a listed sha256 that does not match refuses the file.
 */
export const PLUGIN_ZIPS: Readonly<Record<string, PluginZips>> = {
  "3.4.0": {
    "opensearch-cross-cluster-replication": zip(
      "3.4.0.0",
      false,
      "e7c5b632b11b7137dd163a8ad2e3ea8c91dd3d96ad5261290d12da082c75620b",
    ),
    "opensearch-index-management": zip(
      "3.4.0.0",
      false,
      "7179b284d787b546ecbc9f0a00a2dbe92bbe22f89105fe6b35893f797a145972",
    ),
    "opensearch-job-scheduler": zip("3.4.0.0", true),
  },
  "2.19.4": {
    "opensearch-cross-cluster-replication": zip(
      "2.19.4.0",
      false,
      "240e8642fa831405432d127ad14630afe5229c81ae6dfd8c946410b3e4b1104c",
    ),
    "opensearch-index-management": zip(
      "2.19.4.0",
      false,
      "25563007b53baca52d65d0c897f5e90154d146855743c2dc6c4c16f3c76b4d14",
    ),
    "opensearch-job-scheduler": zip("2.19.4.0", true),
  },
  "2.11.1": {
    "opensearch-cross-cluster-replication": zip(
      "2.11.1.0",
      false,
      "b64e0813713e12179225d21a4ad16f4a873ce6cf6797338acfd0f85871aa6370",
    ),
    "opensearch-index-management": zip(
      "2.11.1.0",
      false,
      "20fd3f5868790e878175c65dcf463346631bc1355f9e702ccca8aecf3fdca660",
    ),
    // Central has 2.11.0.0 only, which refuses to install on 2.11.1: the directory's relabelled zip.
    "opensearch-job-scheduler": zip(
      "2.11.1.0",
      false,
      "cf024306b102c9b4fda12d433eb14c0cee8c1e5adc2822f95a5f1735d7db7d8e",
    ),
  },
  "1.3.14": {
    "opensearch-cross-cluster-replication": zip(
      "1.3.14.0",
      false,
      "2deaad36edf0c173acfd5e28c2dcfec6c31716a73235141c4e7e8e16ac4cd8d6",
    ),
  },
};

/** The plugins `sets` mean, in install order. */
export function pluginsFor(sets: readonly PluginSet[]): PluginName[] {
  const wanted = new Set<PluginName>(sets.flatMap((s) => PLUGIN_SETS[s]));
  return PLUGIN_ORDER.filter((p) => wanted.has(p));
}

export function isPluginSet(value: string): value is PluginSet {
  return Object.hasOwn(PLUGIN_SETS, value);
}
