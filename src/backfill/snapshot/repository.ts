/**
 * Which snapshot repository a batch uses, and registering/unregistering it. A repository the user
 * named and registered stays theirs: bluegreen only removes registrations it made itself.
 */
import type { Cluster } from "../../cluster/index.ts";
import { SNAPSHOT_DEFAULTS } from "../../config/index.ts";
import { BluegreenError } from "../../errors/index.ts";
import type { BackfillContext } from "../types.ts";
import { obj, str } from "./util.ts";

export interface RepositoryPlan {
  readonly name: string;
  readonly type: string;
  readonly settings: Readonly<Record<string, unknown>>;
  /** bluegreen registered it on the source (and so removes it there when done). */
  readonly ownedOnSource: boolean;
}

const enc = encodeURIComponent;

/**
 * `path.repo` entries every node of the cluster lists (a list setting may come as one comma string), in
 * the order the first node lists them: a cluster's own folder is listed before one it shares more widely.
 */
export function pathRepos(nodesSettings: unknown): string[] {
  const nodes = Object.values(obj(obj(nodesSettings).nodes)).map((node) => {
    const settings = obj(obj(node).settings);
    const nested = obj(settings.path).repo;
    const raw = nested ?? settings["path.repo"];
    const list = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(",") : [];
    return new Set(list.map((entry) => String(entry).trim()).filter((entry) => entry !== ""));
  });
  const [first, ...rest] = nodes;
  if (first === undefined) return [];
  return [...first].filter((entry) => rest.every((set) => set.has(entry)));
}

async function nodePathRepos(cluster: Cluster, signal?: AbortSignal): Promise<string[]> {
  const response = await cluster.request({
    method: "GET",
    path: "/_nodes/settings",
    querystring: { filter_path: "nodes.*.settings.path.repo" },
    signal,
  });
  return pathRepos(response.body);
}

/**
 * A `path.repo` both clusters list. Equal paths are taken to be one shared mount (as in the sandbox);
 * if they are not, registering the repository on the target finds no snapshot and says so.
 */
export async function sharedPathRepo(
  source: Cluster,
  target: Cluster,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const [a, b] = await Promise.all([nodePathRepos(source, signal), nodePathRepos(target, signal)]);
  return a.find((entry) => b.includes(entry));
}

async function getRepository(cluster: Cluster, name: string, signal?: AbortSignal) {
  const response = await cluster.request({
    method: "GET",
    path: `/_snapshot/${enc(name)}`,
    allowStatus: [404],
    signal,
  });
  if (response.status === 404) return undefined;
  const body = obj(obj(response.body)[name]);
  return { type: str(body.type) ?? "fs", settings: obj(body.settings) };
}

/** Settings as the cluster echoes them back: every value a string. */
function asStrings(settings: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
}

/**
 * Registers the repository unless it is already registered exactly so. Re-registering is not a
 * no-op: the cluster refuses it while a snapshot or restore uses the repository, which is just when
 * a resumed run comes back to it.
 */
export async function putRepository(
  cluster: Cluster,
  name: string,
  type: string,
  settings: Readonly<Record<string, unknown>>,
  signal?: AbortSignal,
): Promise<void> {
  const existing = await getRepository(cluster, name, signal);
  const wanted = asStrings(settings);
  const same =
    existing?.type === type &&
    Object.keys(wanted).length === Object.keys(existing.settings).length &&
    Object.entries(wanted).every(([k, v]) => String(existing.settings[k]) === v);
  if (same) return;
  await cluster.request({ method: "PUT", path: `/_snapshot/${enc(name)}`, body: { type, settings }, signal });
}

function noRepository(message: string, fix: string): BluegreenError {
  return new BluegreenError("BG_SNAPSHOT_FAILED", message, { fix });
}

/**
 * The repository for one batch, registered on the source. Without a configured repository each batch
 * gets its own registration and folder: two registrations must never write one location.
 */
export async function sourceRepository(ctx: BackfillContext, batch: string): Promise<RepositoryPlan> {
  const settings = ctx.config.backfill.snapshot ?? SNAPSHOT_DEFAULTS;
  const named = ctx.config.backfill.repository;
  if (named !== undefined) {
    const existing = await getRepository(ctx.source, named, ctx.signal);
    if (existing !== undefined) return { name: named, ...existing, ownedOnSource: false };
    if (settings.repositoryType === undefined) {
      throw noRepository(
        `Snapshot repository "${named}" (backfill.repository) is not registered on the source cluster "${ctx.source.name}".`,
        "Register it on the source (PUT _snapshot/<name>), or set backfill.snapshot.repositoryType and " +
          "repositorySettings so bluegreen registers it.",
      );
    }
    const plan = {
      name: named,
      type: settings.repositoryType,
      settings: settings.repositorySettings ?? {},
      ownedOnSource: true,
    };
    await putRepository(ctx.source, plan.name, plan.type, plan.settings, ctx.signal);
    return plan;
  }
  const base = settings.location ?? (await sharedPathRepo(ctx.source, ctx.target, ctx.signal));
  if (base === undefined) {
    throw noRepository(
      `No snapshot repository is configured and the source "${ctx.source.name}" and target "${ctx.target.name}" list no common path.repo.`,
      "Set backfill.repository to a repository registered on both clusters, or backfill.snapshot.location " +
        "to a folder on storage both clusters mount inside their path.repo.",
    );
  }
  const name = `${ctx.config.name}-${batch}`;
  const plan = {
    name,
    type: "fs",
    settings: { location: `${base.replace(/\/+$/, "")}/${name}` },
    ownedOnSource: true,
  };
  await putRepository(ctx.source, plan.name, plan.type, plan.settings, ctx.signal);
  return plan;
}

/**
 * Registers the repository on the target read-only unless the target already has it; returns whether
 * bluegreen made that registration. Done after the snapshot exists, so the target reads it fresh.
 */
export async function targetRepository(ctx: BackfillContext, repo: RepositoryPlan): Promise<boolean> {
  if (!repo.ownedOnSource && (await getRepository(ctx.target, repo.name, ctx.signal)) !== undefined) {
    return false;
  }
  await putRepository(ctx.target, repo.name, repo.type, { ...repo.settings, readonly: true }, ctx.signal);
  return true;
}

export async function deleteRepository(cluster: Cluster, name: string, signal?: AbortSignal): Promise<void> {
  await cluster.request({ method: "DELETE", path: `/_snapshot/${enc(name)}`, allowStatus: [404], signal });
}
