/**
 * The `auto` planner: per index, the first method in `backfill.autoOrder` that can copy it, with the
 * reason in words. `planBackfill` is pure over `BackfillFacts`; `gatherBackfillFacts` reads them from
 * the clusters. What the versions allow (the path, the index's creation version) is the compatibility
 * matrix's call (src/cluster/compatibility.ts); this adds what the clusters' setup allows.
 */
import {
  type Cluster,
  type ClusterVersion,
  decodeVersionId,
  describeVersion,
  methodRefusal,
  pathRefusal,
  sentence,
} from "../cluster/index.ts";
import {
  AUTO_ORDER_DEFAULT,
  type BackfillMethod,
  type ConcreteMethod,
  type MigrationConfig,
  type RenameSettings,
  selectIndices,
} from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import { allowlistKey, checkAllowlist, parseAllowlists, sourceUrlFor } from "./reindex/index.ts";
import { obj, sharedPathRepo, str } from "./snapshot/index.ts";
import type { IndexTask } from "./types.ts";

export type { ClusterVersion } from "../cluster/index.ts";
export { decodeVersionId } from "../cluster/index.ts";

export interface IndexFacts {
  readonly index: string;
  readonly docs: number;
  readonly bytes: number;
  /** From `index.version.created`; undefined when the setting is missing or unreadable. */
  readonly created: ClusterVersion | undefined;
  /** `_source` disabled in the mapping: only a snapshot can copy the index. */
  readonly sourceEnabled: boolean;
  /**
   * The mapping's `_source` includes/excludes, in words, when it keeps only part of each document:
   * a copy of `_source` would lose the rest (fields the source indexes but does not keep), so only a
   * snapshot can copy the index whole.
   */
  readonly sourceFilter?: string;
  /** Documents the (open) target index already holds: a second attempt, or an index restored by hand. */
  readonly targetDocs?: number;
  /** An earlier run's restore reached this target index, so the documents there are that restore's. */
  readonly restoreStarted?: boolean;
}

export interface BackfillFacts {
  readonly method: BackfillMethod;
  readonly order: readonly ConcreteMethod[];
  readonly source: ClusterVersion;
  readonly target: ClusterVersion;
  readonly targetHasReindexModule: boolean;
  /** Why the target's allowlist refuses the source; undefined when it admits it. */
  readonly allowlistProblem: string | undefined;
  readonly sourceAuth: "none" | "basic" | "sigv4";
  /** Where a snapshot would go, in words; undefined when there is nowhere. */
  readonly repository: string | undefined;
  readonly rename: RenameSettings | undefined;
  readonly indices: readonly IndexFacts[];
}

/** Why copying documents (`_source`) cannot reproduce the index; undefined when it can. */
function documentCopyBlocker(index: IndexFacts): string | undefined {
  if (!index.sourceEnabled) return "_source is disabled, so there are no documents to read";
  if (index.sourceFilter !== undefined)
    return `_source keeps only part of each document (${index.sourceFilter}), so a copy of the documents would leave the rest out; a snapshot keeps it`;
  return undefined;
}

function reindexBlocker(facts: BackfillFacts, index: IndexFacts): string | undefined {
  const partial = documentCopyBlocker(index);
  if (partial !== undefined) return partial;
  if (!facts.targetHasReindexModule) return "the target has no reindex module";
  if (facts.sourceAuth === "sigv4") return "remote reindex cannot sign SigV4 requests to the source";
  return facts.allowlistProblem;
}

/** Documents already on the target that a restore would refuse to replace (its own restore's excepted). */
function occupied(index: IndexFacts): number {
  return index.restoreStarted === true ? 0 : (index.targetDocs ?? 0);
}

const OCCUPIED = "already holds";

function blocker(facts: BackfillFacts, index: IndexFacts, method: ConcreteMethod): string | undefined {
  // What the versions rule out comes first: no setting changes it, so it is the reason that matters.
  const refusal = methodRefusal(method, facts.source, facts.target, index.created);
  if (refusal !== undefined) return `${refusal.reason} (instead: ${refusal.instead})`;
  switch (method) {
    case "snapshot": {
      if (facts.repository === undefined) return "no snapshot repository is configured or shared";
      const docs = occupied(index);
      if (docs > 0) {
        const name = targetIndexName(index.index, facts.rename);
        return `the target index ${name} ${OCCUPIED} ${docs} document(s), and a restore never writes into an index that holds documents (delete it on the target, or copy over it by _id with --method stream)`;
      }
      return undefined;
    }
    case "reindex":
      return reindexBlocker(facts, index);
    case "stream":
      return documentCopyBlocker(index);
  }
}

function why(facts: BackfillFacts, index: IndexFacts, method: ConcreteMethod): string {
  const docs = method === "snapshot" ? 0 : (index.targetDocs ?? 0);
  if (docs === 0) return reasonFor(facts, index, method);
  const name = targetIndexName(index.index, facts.rename);
  // Said in the plan, because it is not a fresh copy: nothing on the target is deleted.
  return `${reasonFor(facts, index, method)}, over the ${docs} document(s) ${name} already holds (by _id: each source document replaces its copy; documents only the target has stay)`;
}

function reasonFor(facts: BackfillFacts, index: IndexFacts, method: ConcreteMethod): string {
  switch (method) {
    case "snapshot": {
      const made = index.created === undefined ? "" : `created by ${describeVersion(index.created)}, `;
      return `${made}restorable on ${describeVersion(facts.target)}; ${facts.repository}`;
    }
    case "reindex":
      return "the target pulls from the source itself (reindex module present, allowlist admits the source)";
    case "stream":
      return "bluegreen copies the documents itself";
  }
}

/** The target name: the rename pattern applied to the source name (unchanged when it does not match). */
export function targetIndexName(index: string, rename: RenameSettings | undefined): string {
  return rename === undefined ? index : index.replace(new RegExp(rename.pattern), rename.replacement);
}

/** Target names that several source indices would share, as `target ← a, b`. */
function renameCollisions(tasks: readonly IndexTask[]): string[] {
  const sources = new Map<string, string[]>();
  for (const task of tasks)
    sources.set(task.targetIndex, [...(sources.get(task.targetIndex) ?? []), task.index]);
  return [...sources].filter(([, from]) => from.length > 1).map(([to, from]) => `${to} ← ${from.join(", ")}`);
}

/**
 * One task per index. `auto` takes the first method in `order` that can copy the index and says why
 * the earlier ones could not; a forced method that cannot copy some index is an error naming them all.
 */
export function planBackfill(facts: BackfillFacts): IndexTask[] {
  const path = pathRefusal(facts.source, facts.target);
  if (path !== undefined) {
    throw new BluegreenError("BG_BACKFILL_PLAN", `No backfill method can take this path: ${path.reason}.`, {
      fix: sentence(path.instead),
      details: { rule: path.rule },
    });
  }
  const impossible: string[] = [];
  const tasks: IndexTask[] = [];
  for (const index of facts.indices) {
    const candidates = facts.method === "auto" ? facts.order : [facts.method];
    const skipped: string[] = [];
    let chosen: ConcreteMethod | undefined;
    for (const method of candidates) {
      const reason = blocker(facts, index, method);
      if (reason === undefined) {
        chosen = method;
        break;
      }
      skipped.push(`not ${method}: ${reason}`);
    }
    if (chosen === undefined) {
      impossible.push(`${index.index} (${skipped.join("; ")})`);
      continue;
    }
    const lead = facts.method === "auto" ? chosen : `${chosen} (backfill.method)`;
    tasks.push({
      index: index.index,
      targetIndex: targetIndexName(index.index, facts.rename),
      method: chosen,
      reason: [`${lead}: ${why(facts, index, chosen)}`, ...skipped].join("; "),
      docs: index.docs,
      bytes: index.bytes,
    });
  }
  const collisions = renameCollisions(tasks);
  if (collisions.length > 0) {
    throw new BluegreenError(
      "BG_BACKFILL_PLAN",
      `backfill.rename maps several indices to one target name: ${collisions.join("; ")}.`,
      {
        fix: "Make the replacement keep what tells the indices apart (e.g. a $1 group), or narrow the selection.",
        details: { collisions },
      },
    );
  }
  if (impossible.length > 0) {
    const held = impossible.some((text) => text.includes(OCCUPIED));
    throw new BluegreenError(
      "BG_BACKFILL_PLAN",
      `No backfill method (${facts.method === "auto" ? facts.order.join(", ") : facts.method}) can copy ${impossible.join(", ")}.`,
      {
        fix: held
          ? "For a target index that already holds documents: delete it on the target (DELETE /<index>) and run again, or copy over it by _id with --method stream (or method auto, which does that)."
          : facts.method === "auto"
            ? "Add the missing method to backfill.autoOrder, or fix what blocks one of them (see each reason)."
            : "Use method: auto, or fix what blocks the method for these indices (see each reason).",
        details: { indices: impossible },
      },
    );
  }
  return tasks;
}

export interface GatherInput {
  readonly config: MigrationConfig;
  readonly source: Cluster;
  readonly target: Cluster;
  readonly signal?: AbortSignal;
  /** Source index → target index of each restore an earlier run started (snapshot checkpoints). */
  readonly restoreStarted?: ReadonlyMap<string, string>;
}

const enc = encodeURIComponent;

async function indexFacts(input: GatherInput): Promise<IndexFacts[]> {
  const { source, signal } = input;
  const settings = await source.request({
    method: "GET",
    path: "/_all/_settings/index.version.created,index.hidden,index.uuid",
    querystring: { expand_wildcards: "all", flat_settings: true },
    signal,
  });
  const candidates = Object.entries(obj(settings.body)).map(([name, value]) => {
    const flat = obj(obj(value).settings);
    return { name, hidden: flat["index.hidden"] === "true", created: str(flat["index.version.created"]) };
  });
  const selected = selectIndices(candidates, input.config.indices);
  const onTarget = new Map((await input.target.indices()).map((i) => [i.name, i]));
  const rename = input.config.backfill.rename;
  const facts: IndexFacts[] = [];
  // Chunked so a large selection never makes a URL the cluster rejects as too long.
  for (let i = 0; i < selected.length; i += 50) {
    const chunk = selected.slice(i, i + 50);
    const [rows, mappings] = await Promise.all([
      source.indices(chunk.map((c) => c.name)),
      source.request({
        method: "GET",
        path: `/${chunk.map((c) => enc(c.name)).join(",")}/_mapping`,
        querystring: { expand_wildcards: "all" },
        signal,
      }),
    ]);
    for (const candidate of chunk) {
      const row = rows.find((r) => r.name === candidate.name);
      const meta = obj(obj(obj(obj(mappings.body)[candidate.name]).mappings)._source);
      const targetName = targetIndexName(candidate.name, rename);
      const existing = onTarget.get(targetName);
      const targetDocs = existing?.status === "open" ? (existing.docsCount ?? 0) : 0;
      facts.push({
        index: candidate.name,
        docs: row?.docsCount ?? 0,
        bytes: row?.primaryStoreSizeBytes ?? 0,
        created: decodeVersionId(Number(candidate.created)),
        sourceEnabled: meta.enabled !== false,
        ...sourceFilter(meta),
        ...(targetDocs > 0 ? { targetDocs } : {}),
        ...(input.restoreStarted?.get(candidate.name) === targetName ? { restoreStarted: true } : {}),
      });
    }
  }
  return facts;
}

/** `_source` includes/excludes of a mapping, in words; nothing when the whole document is kept. */
function sourceFilter(meta: Record<string, unknown>): { sourceFilter?: string } {
  const list = (key: "includes" | "excludes") => {
    const value = meta[key];
    return Array.isArray(value) && value.length > 0 ? `${key} ${JSON.stringify(value)}` : undefined;
  };
  const parts = [list("includes"), list("excludes")].filter((p) => p !== undefined);
  return parts.length === 0 ? {} : { sourceFilter: `its mapping's _source ${parts.join(", ")}` };
}

async function allowlistProblem(input: GatherInput, target: ClusterVersion): Promise<string | undefined> {
  const nodes = await input.target.request({
    method: "GET",
    path: "/_nodes/settings",
    querystring: { filter_path: "nodes.*.name,nodes.*.settings.reindex.remote" },
    signal: input.signal,
  });
  const lists = parseAllowlists(nodes.body, allowlistKey(target.distribution, target.version));
  try {
    checkAllowlist(lists, sourceUrlFor(input), input.target.name);
    return undefined;
  } catch (error) {
    return error instanceof BluegreenError ? `${error.message} ${error.fix ?? ""}`.trim() : String(error);
  }
}

async function repositoryFacts(input: GatherInput): Promise<string | undefined> {
  const { backfill } = input.config;
  if (backfill.repository !== undefined) return `repository "${backfill.repository}"`;
  if (backfill.snapshot?.location !== undefined) return `fs repository at ${backfill.snapshot.location}`;
  const shared = await sharedPathRepo(input.source, input.target, input.signal);
  return shared === undefined ? undefined : `fs repository in the shared path.repo ${shared}`;
}

/** Reads everything `planBackfill` looks at; read-only on both clusters. */
export async function gatherBackfillFacts(input: GatherInput): Promise<BackfillFacts> {
  const [sourceFacts, targetFacts] = await Promise.all([input.source.facts(), input.target.facts()]);
  const source = { distribution: sourceFacts.distribution, version: sourceFacts.version };
  const target = { distribution: targetFacts.distribution, version: targetFacts.version };
  const [indices, allowlist, repository] = await Promise.all([
    indexFacts(input),
    allowlistProblem(input, target),
    repositoryFacts(input),
  ]);
  const { backfill } = input.config;
  return {
    method: backfill.method,
    order: backfill.autoOrder ?? AUTO_ORDER_DEFAULT,
    source,
    target,
    targetHasReindexModule: targetFacts.capabilities.remoteReindex,
    allowlistProblem: allowlist,
    sourceAuth: input.config.source.auth.type,
    repository,
    rename: backfill.rename,
    indices,
  };
}

/** The plan for the configured method and selection, straight from the clusters. */
export async function planBackfillFromClusters(input: GatherInput): Promise<IndexTask[]> {
  return planBackfill(await gatherBackfillFacts(input));
}
