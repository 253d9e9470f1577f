import { atLeast, type Distribution, type Version } from "./version.ts";

/** What capability detection looks at; plugins and modules are those present on every node. */
export interface CapabilityInput {
  readonly distribution: Distribution;
  readonly version: Version;
  readonly plugins: readonly string[];
  readonly modules: readonly string[];
}

/**
 * Everything later steps may ask a cluster. A closed type on purpose: adding a capability means adding
 * its check below, so no step can test for a capability nobody detects.
 */
export interface Capabilities {
  /** Cross-cluster replication (OpenSearch plugin). */
  readonly ccr: boolean;
  /** `_reindex` with a `source.remote` (the reindex module; the target also needs the remote allowlist). */
  readonly remoteReindex: boolean;
  /** Index State Management (`_plugins/_ism`). */
  readonly ism: boolean;
  /** Elasticsearch index lifecycle management (x-pack, absent from OSS builds). */
  readonly ilm: boolean;
  /** The OpenSearch security plugin (users, roles, TLS on the REST layer). */
  readonly security: boolean;
  /** OpenSearch point-in-time search (`_search/point_in_time`). */
  readonly pit: boolean;
  /** Typeless APIs: mappings and document paths without a type name. */
  readonly typesRemoved: boolean;
  /** `_index_template` / `_component_template`. */
  readonly composableTemplates: boolean;
  readonly dataStreams: boolean;
  /** Painless scripting (lang-painless module). */
  readonly painless: boolean;
  readonly ingestCommon: boolean;
  readonly analysisCommon: boolean;
  readonly mapperExtras: boolean;
  readonly searchAfter: boolean;
}

export type Capability = keyof Capabilities;

const isOpenSearch = (input: CapabilityInput): boolean => input.distribution === "opensearch";
const isElasticsearch = (input: CapabilityInput): boolean => input.distribution === "elasticsearch";
const hasPlugin = (input: CapabilityInput, name: string): boolean => input.plugins.includes(name);
const hasModule = (input: CapabilityInput, name: string): boolean => input.modules.includes(name);

export function hasCcr(input: CapabilityInput): boolean {
  return isOpenSearch(input) && hasPlugin(input, "opensearch-cross-cluster-replication");
}

export function hasRemoteReindex(input: CapabilityInput): boolean {
  return hasModule(input, "reindex");
}

/** ODFE's ISM on Elasticsearch-OSS lives under `_opendistro/` with another API, so it does not count. */
export function hasIsm(input: CapabilityInput): boolean {
  return isOpenSearch(input) && hasPlugin(input, "opensearch-index-management");
}

export function hasIlm(input: CapabilityInput): boolean {
  return isElasticsearch(input) && hasModule(input, "x-pack-ilm");
}

export function hasSecurity(input: CapabilityInput): boolean {
  return isOpenSearch(input) && hasPlugin(input, "opensearch-security");
}

/** Elasticsearch's `_pit` (x-pack, 7.10) is a different API, so only OpenSearch's counts. */
export function hasPit(input: CapabilityInput): boolean {
  return isOpenSearch(input) && atLeast(input.version, 2, 4);
}

export function hasTypesRemoved(input: CapabilityInput): boolean {
  return isOpenSearch(input) || atLeast(input.version, 7);
}

export function hasComposableTemplates(input: CapabilityInput): boolean {
  return isOpenSearch(input) || atLeast(input.version, 7, 8);
}

/** Elasticsearch's data streams are x-pack (Basic licence): an OSS build of 7.9+ has none. */
export function hasDataStreams(input: CapabilityInput): boolean {
  if (isOpenSearch(input)) return atLeast(input.version, 1);
  return atLeast(input.version, 7, 9) && input.modules.some((name) => name.startsWith("x-pack"));
}

export function hasPainless(input: CapabilityInput): boolean {
  return hasModule(input, "lang-painless");
}

export function hasIngestCommon(input: CapabilityInput): boolean {
  return hasModule(input, "ingest-common");
}

export function hasAnalysisCommon(input: CapabilityInput): boolean {
  return hasModule(input, "analysis-common");
}

export function hasMapperExtras(input: CapabilityInput): boolean {
  return hasModule(input, "mapper-extras");
}

export function hasSearchAfter(input: CapabilityInput): boolean {
  return isOpenSearch(input) || atLeast(input.version, 5);
}

export const CAPABILITY_CHECKS: { readonly [K in Capability]: (input: CapabilityInput) => boolean } = {
  ccr: hasCcr,
  remoteReindex: hasRemoteReindex,
  ism: hasIsm,
  ilm: hasIlm,
  security: hasSecurity,
  pit: hasPit,
  typesRemoved: hasTypesRemoved,
  composableTemplates: hasComposableTemplates,
  dataStreams: hasDataStreams,
  painless: hasPainless,
  ingestCommon: hasIngestCommon,
  analysisCommon: hasAnalysisCommon,
  mapperExtras: hasMapperExtras,
  searchAfter: hasSearchAfter,
};

export function detectCapabilities(input: CapabilityInput): Capabilities {
  return {
    ccr: hasCcr(input),
    remoteReindex: hasRemoteReindex(input),
    ism: hasIsm(input),
    ilm: hasIlm(input),
    security: hasSecurity(input),
    pit: hasPit(input),
    typesRemoved: hasTypesRemoved(input),
    composableTemplates: hasComposableTemplates(input),
    dataStreams: hasDataStreams(input),
    painless: hasPainless(input),
    ingestCommon: hasIngestCommon(input),
    analysisCommon: hasAnalysisCommon(input),
    mapperExtras: hasMapperExtras(input),
    searchAfter: hasSearchAfter(input),
  };
}
