/**
 * The compatibility matrix: which ways of moving an index work for a source distribution/version, a
 * target version and the version that created the index. Every rule is one row below, with the reason
 * it refuses and what to do instead; the backfill planner, `clusters check` and prepare's blockers all
 * read these rows, nothing else decides it.
 *
 * Index compatibility follows the index's *creation* version, not the cluster's: a cluster reads indices
 * created by its own major and the one before. OpenSearch continues Elasticsearch's numbering for this
 * (OpenSearch 1.x is the 7.x line, 2.x the "8", 3.x the "9"), so OpenSearch 2.x restores Elasticsearch
 * 7.x and OpenSearch 1.x indices, and OpenSearch 3.x only 2.x ones.
 */
import { compareVersions, type Distribution, formatVersion, type Version } from "./version.ts";

export interface ClusterVersion {
  readonly distribution: Distribution;
  readonly version: Version;
}

/** Ways to move an index: restore a snapshot, the target's remote reindex, bluegreen's streaming copier, CCR. */
export type CopyMethod = "snapshot" | "reindex" | "stream" | "ccr";
export const COPY_METHODS: readonly CopyMethod[] = ["snapshot", "reindex", "stream", "ccr"];

export interface Refusal {
  /** Stable name of the matrix row that refused. */
  readonly rule: string;
  readonly reason: string;
  readonly instead: string;
}

export type Verdict =
  | { readonly method: CopyMethod; readonly allowed: true }
  | ({ readonly method: CopyMethod; readonly allowed: false } & Refusal);

/** OpenSearch version ids carry bit 27 to tell them from Elasticsearch's; the rest is MMmmrrbb. */
const OPENSEARCH_MASK = 0x08000000;

/** Reads `index.version.created`; undefined when it is not a version id. */
export function decodeVersionId(id: number): ClusterVersion | undefined {
  if (!Number.isSafeInteger(id) || id <= 0) return undefined;
  const opensearch = (id & OPENSEARCH_MASK) !== 0;
  const plain = opensearch ? id ^ OPENSEARCH_MASK : id;
  const version = {
    major: Math.floor(plain / 1_000_000) % 100,
    minor: Math.floor(plain / 10_000) % 100,
    patch: Math.floor(plain / 100) % 100,
  };
  return { distribution: opensearch ? "opensearch" : "elasticsearch", version };
}

/** The Elasticsearch-numbered major a release belongs to, for index and wire compatibility. */
export function lineageMajor(v: ClusterVersion): number {
  return v.distribution === "opensearch" ? v.version.major + 6 : v.version.major;
}

export function describeVersion(v: ClusterVersion): string {
  return `${v.distribution === "opensearch" ? "OpenSearch" : "Elasticsearch"} ${formatVersion(v.version)}`;
}

/** The last Elasticsearch release OpenSearch forked from; its index format is the newest OpenSearch reads. */
const FORK_POINT: Version = { major: 7, minor: 10, patch: 2 };

/**
 * The oldest release of the previous major a cluster still talks to over the transport protocol (what a
 * CCR follower needs to reach its leader): the previous major's last minor.
 */
const WIRE_FLOOR: Readonly<Record<number, ClusterVersion>> = {
  2: { distribution: "opensearch", version: { major: 1, minor: 3, patch: 0 } },
  3: { distribution: "opensearch", version: { major: 2, minor: 19, patch: 0 } },
};

/** Older in index terms: an earlier lineage major, or the same distribution at an earlier version. */
function older(a: ClusterVersion, b: ClusterVersion): boolean {
  const [la, lb] = [lineageMajor(a), lineageMajor(b)];
  if (la !== lb) return la < lb;
  return a.distribution === b.distribution && compareVersions(a.version, b.version) < 0;
}

interface PathRow {
  readonly rule: string;
  readonly refuses: (source: ClusterVersion, target: ClusterVersion) => boolean;
  readonly reason: (source: ClusterVersion, target: ClusterVersion) => string;
  readonly instead: string;
}

/** Whole paths no method can take, whatever the indices. */
const PATH_ROWS: readonly PathRow[] = [
  {
    rule: "target-not-opensearch",
    refuses: (_s, t) => t.distribution !== "opensearch",
    reason: (_s, t) => `the target is ${describeVersion(t)}; bluegreen upgrades into OpenSearch`,
    instead: "point target at an OpenSearch cluster",
  },
  {
    rule: "target-older-than-source",
    refuses: (s, t) => older(t, s),
    reason: (s, t) =>
      `the target runs ${describeVersion(t)}, older than the source's ${describeVersion(s)}: indices cannot move to an older version`,
    instead: "point target at a cluster of the same or a newer version than the source",
  },
];

/** A refusal's lower-case clause as a sentence of its own, for messages and fixes. */
export function sentence(clause: string): string {
  return `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
}

/** Why no method can take this path at all; undefined when some can. */
export function pathRefusal(source: ClusterVersion, target: ClusterVersion): Refusal | undefined {
  const row = PATH_ROWS.find((r) => r.refuses(source, target));
  return row === undefined
    ? undefined
    : { rule: row.rule, reason: row.reason(source, target), instead: row.instead };
}

interface Case {
  readonly source: ClusterVersion;
  readonly target: ClusterVersion;
  /** The index's creation version; undefined when unknown. */
  readonly created: ClusterVersion | undefined;
}

interface MethodRow {
  readonly rule: string;
  readonly methods: readonly CopyMethod[];
  readonly refuses: (c: Case) => boolean;
  readonly reason: (c: Case) => string;
  readonly instead: string;
}

const made = (c: Case) =>
  c.created === undefined ? "" : `the index was created by ${describeVersion(c.created)}`;

/*
 * A CCR follower bootstraps each index by restoring it from the leader, so the creation-version rows
 * hold for CCR as they do for a snapshot.
 */
const RESTORES: readonly CopyMethod[] = ["snapshot", "ccr"];
const COPY_INSTEAD = "copy it with reindex or stream, which write the documents into a new index";

/** First match wins, so what rules a method out for the whole source comes before the per-index rows. */
const METHOD_ROWS: readonly MethodRow[] = [
  {
    rule: "ccr-source-elasticsearch",
    methods: ["ccr"],
    refuses: (c) => c.source.distribution === "elasticsearch",
    reason: () => "Elasticsearch has no OpenSearch cross-cluster-replication plugin to lead",
    instead: "keep the target current through the gateway and replay (sync.method: gateway)",
  },
  {
    rule: "ccr-source-before-plugin",
    methods: ["ccr"],
    refuses: (c) =>
      c.source.distribution === "opensearch" &&
      compareVersions(c.source.version, { major: 1, minor: 1, patch: 0 }) < 0,
    reason: (c) =>
      `the source runs ${describeVersion(c.source)}; the replication plugin starts at OpenSearch 1.1`,
    instead: "keep the target current through the gateway and replay (sync.method: gateway)",
  },
  {
    rule: "ccr-wire-incompatible",
    methods: ["ccr"],
    refuses: (c) => {
      if (c.source.distribution !== "opensearch") return false;
      const [from, to] = [c.source.version.major, c.target.version.major];
      if (from === to) return false;
      const floor = WIRE_FLOOR[to];
      return from !== to - 1 || floor === undefined || older(c.source, floor);
    },
    reason: (c) => {
      const floor = WIRE_FLOOR[c.target.version.major];
      const reach =
        floor === undefined ? "its own major" : `its own major and ${describeVersion(floor)} or later`;
      return `a ${describeVersion(c.target)} follower reaches leaders of ${reach} over the transport protocol, not ${describeVersion(c.source)}`;
    },
    instead: "keep the target current through the gateway and replay (sync.method: gateway)",
  },
  {
    rule: "creation-version-unknown",
    methods: RESTORES,
    refuses: (c) => c.created === undefined,
    reason: () => "the index's creation version (index.version.created) is unknown",
    instead: COPY_INSTEAD,
  },
  {
    rule: "opensearch-index-on-elasticsearch",
    methods: RESTORES,
    refuses: (c) => c.created?.distribution === "opensearch" && c.target.distribution === "elasticsearch",
    reason: (c) => `${made(c)}, which Elasticsearch cannot read`,
    instead: COPY_INSTEAD,
  },
  {
    rule: "elasticsearch-after-fork",
    methods: RESTORES,
    refuses: (c) =>
      c.created?.distribution === "elasticsearch" &&
      c.target.distribution === "opensearch" &&
      compareVersions(c.created.version, FORK_POINT) > 0,
    reason: (c) => `${made(c)}, newer than Elasticsearch 7.10.2, whose index format OpenSearch cannot read`,
    instead: COPY_INSTEAD,
  },
  {
    rule: "created-newer-than-target",
    methods: RESTORES,
    refuses: (c) => c.created !== undefined && older(c.target, c.created),
    reason: (c) => `${made(c)}, newer than the target's ${describeVersion(c.target)}`,
    instead: "pick a target at least as new as the cluster that created the index",
  },
  {
    rule: "created-two-majors-back",
    methods: RESTORES,
    refuses: (c) => c.created !== undefined && lineageMajor(c.created) < lineageMajor(c.target) - 1,
    reason: (c) =>
      `${made(c)}; ${describeVersion(c.target)} restores only indices created by the previous major or later`,
    instead: `${COPY_INSTEAD}; a restore keeps the old segments, which the target cannot open`,
  },
];

/** Each method's verdict for one index on one path, in COPY_METHODS order. */
export function methodVerdicts(
  source: ClusterVersion,
  target: ClusterVersion,
  created: ClusterVersion | undefined,
): Verdict[] {
  const path = pathRefusal(source, target);
  const c: Case = { source, target, created };
  return COPY_METHODS.map((method) => {
    if (path !== undefined) return { method, allowed: false, ...path };
    const row = METHOD_ROWS.find((r) => r.methods.includes(method) && r.refuses(c));
    if (row === undefined) return { method, allowed: true };
    return { method, allowed: false, rule: row.rule, reason: row.reason(c), instead: row.instead };
  });
}

/** One method's verdict: undefined when allowed, else the refusal. */
export function methodRefusal(
  method: CopyMethod,
  source: ClusterVersion,
  target: ClusterVersion,
  created: ClusterVersion | undefined,
): Refusal | undefined {
  const verdict = methodVerdicts(source, target, created).find((v) => v.method === method);
  return verdict === undefined || verdict.allowed ? undefined : verdict;
}
