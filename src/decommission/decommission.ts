/**
 * Step 7, decommission: retire the source once clients have moved. Parts in a fixed order, each
 * recorded in the state file when done, so a crash resumes at the first part not done:
 *
 *   sync → snapshot → repositories → remote → readonly → (delete) → report
 *
 * Only after a finished cutover (the switch is recorded) and, with `decommission.soak`, only once the
 * switch is that old. The source's data stays, write-blocked, unless `--delete-source` was given with
 * the source cluster's name typed back; that check happens before any part runs.
 */
import { ownedRepositories } from "../backfill/index.ts";
import { type Cluster, createCluster } from "../cluster/index.ts";
import { type MigrationConfig, selectIndices } from "../config/index.ts";
import { cutoverRecord } from "../cutover/index.ts";
import { BluegreenError } from "../errors/index.ts";
import type { Logger } from "../log/index.ts";
import type { MigrationReport } from "../report/index.ts";
import type { StateStore } from "../state/index.ts";
import {
  clusterName,
  deleteIndices,
  ensureWriteBlocked,
  finalSnapshot,
  REMOTE_CLUSTERS,
  type RemoteClusterRecord,
  removeRemoteCluster,
  removeRepository,
} from "./cluster-ops.ts";
import {
  type DecommissionPart,
  type DecommissionRecord,
  decommissionRecord,
  DECOMMISSION_STEP as STEP,
} from "./record.ts";
import { defaultReportFiles, type ReportFiles, writeMigrationReport } from "./report-data.ts";
import { retireSync } from "./retire-sync.ts";

export interface DecommissionOptions {
  /** Delete the migrated source indices; `confirmedName` must equal the source's cluster_name. */
  readonly deleteSource?: { readonly confirmedName: string };
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly onPart?: (part: DecommissionPart, phase: "done" | "already" | "skipped", detail?: string) => void;
  /** Where the report goes (default: beside the state file); it is rewritten on every run. */
  readonly reportFiles?: ReportFiles;
}

export interface DecommissionResult {
  readonly record: DecommissionRecord;
  readonly report: MigrationReport;
  readonly reportFiles: ReportFiles;
}

/** Refuses before anything changes: no finished cutover, or the soak is not over. */
export function decommissionAllowed(config: MigrationConfig, state: StateStore, now = new Date()): void {
  const file = config.configPath ?? "FILE";
  const cutover = cutoverRecord(state);
  if (cutover.switch === undefined) {
    const started = cutover.fence !== undefined;
    throw new BluegreenError(
      "BG_DECOMMISSION_NOT_READY",
      started
        ? "Decommission needs a finished cutover, and this one stopped before the switch: clients do not use the target yet; nothing was changed."
        : "Decommission needs a finished cutover, and none is recorded (never run, or rolled back): the source is still the cluster clients use; nothing was changed.",
      {
        fix: started
          ? `Finish it with \`bluegreen cutover -c ${file}\` (or release it with \`bluegreen rollback -c ${file}\`); decommission after the switch.`
          : `Cut over first (\`bluegreen cutover -c ${file}\`), then decommission.`,
      },
    );
  }
  const soakMs = config.decommission.soakMs;
  const allowedAt = Date.parse(cutover.switch.at) + soakMs;
  if (now.getTime() < allowedAt) {
    const left = allowedAt - now.getTime();
    throw new BluegreenError(
      "BG_DECOMMISSION_SOAK",
      `Decommission is allowed from ${new Date(allowedAt).toISOString()} (in ${humanDuration(left)}): decommission.soak asks the switch at ${cutover.switch.at} to be ${humanDuration(soakMs)} old first; nothing was changed.`,
      {
        fix: "Run it again then; until then rollback stays as cheap as it is now. To decommission earlier, lower decommission.soak in the migration file.",
        details: { allowedAt: new Date(allowedAt).toISOString(), soakMs },
      },
    );
  }
}

export function humanDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}

export async function runDecommission(
  config: MigrationConfig,
  state: StateStore,
  logger: Logger,
  options: DecommissionOptions = {},
): Promise<DecommissionResult> {
  const now = options.now ?? (() => new Date());
  decommissionAllowed(config, state, now());
  const source = createCluster(config.source, { logger });
  const target = createCluster(config.target, { logger });
  let record = decommissionRecord(state);
  const run = async <P extends DecommissionPart>(
    part: P,
    work: () => Promise<Omit<NonNullable<DecommissionRecord[P]>, "at"> | undefined>,
  ) => {
    if (record[part] !== undefined) {
      options.onPart?.(part, "already");
      return;
    }
    const value = await work();
    if (value === undefined) {
      options.onPart?.(part, "skipped");
      return;
    }
    const done = { at: now().toISOString(), ...value };
    record = { ...record, [part]: done };
    state.transaction(() => {
      state.putCheckpoint(STEP, "parts", record);
      state.appendEvent({ step: STEP, type: `decommission.${part}`, data: done });
    });
    options.onPart?.(part, "done");
  };
  try {
    const name = options.deleteSource === undefined ? undefined : await clusterName(source);
    if (options.deleteSource !== undefined && name !== options.deleteSource.confirmedName) {
      throw new BluegreenError(
        "BG_CONFIRM",
        `"${options.deleteSource.confirmedName}" is not the source cluster's name (the source at ${config.source.urls[0] ?? "?"} is named "${name}"), so its indices were not deleted; nothing was changed.`,
        {
          fix: "Type the source cluster's name exactly (GET / shows cluster_name), or leave out --delete-source to keep the source read-only.",
        },
      );
    }
    const indices = await migratedIndices(config, state, source);

    await run("sync", () => retireSync(config, state, logger));
    await run("snapshot", async () => {
      const wanted = config.decommission.finalSnapshot;
      if (wanted === undefined) return undefined;
      const snapshot =
        state.getCheckpoint<string>(STEP, "snapshot-name") ?? snapshotName(config, wanted.name, now());
      // Chosen once, before the snapshot starts: a resumed run waits for the same one.
      state.putCheckpoint(STEP, "snapshot-name", snapshot);
      await finalSnapshot(source, wanted.repository, snapshot, indices, options.signal);
      return { repository: wanted.repository, name: snapshot, indices };
    });
    await run("repositories", async () => {
      const removed: string[] = [];
      const alreadyGone: string[] = [];
      for (const repo of ownedRepositories(state)) {
        const sides: [boolean, Cluster, string][] = [
          [repo.onSource, source, "source"],
          [repo.onTarget, target, "target"],
        ];
        for (const [owned, cluster, side] of sides) {
          if (!owned) continue;
          ((await removeRepository(cluster, repo.name)) ? removed : alreadyGone).push(
            `${repo.name} (${side})`,
          );
        }
      }
      return { removed, alreadyGone };
    });
    await run("remote", async () => {
      const remotes =
        state.getCheckpoint<RemoteClusterRecord[]>(REMOTE_CLUSTERS.step, REMOTE_CLUSTERS.key) ?? [];
      for (const remote of remotes) await removeRemoteCluster(target, remote);
      return { removed: remotes.map((r) => r.alias) };
    });
    await run("readonly", async () => ({ indices, blockedNow: await ensureWriteBlocked(source, indices) }));
    await run("delete", async () => {
      if (name === undefined) return undefined;
      return { cluster: name, deleted: await deleteIndices(source, indices) };
    });
    const reportFiles = options.reportFiles ?? defaultReportFiles(config);
    const report = await writeMigrationReport(config, state, logger, reportFiles);
    state.appendEvent({ step: STEP, type: "decommission.report", data: reportFiles });
    return { record, report, reportFiles };
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

/** Exactly the indices cutover write-blocked; without a block (writeBlockSource off), the selection now. */
async function migratedIndices(
  config: MigrationConfig,
  state: StateStore,
  source: Cluster,
): Promise<string[]> {
  const blocked = Object.keys(cutoverRecord(state).block?.previous ?? {});
  if (blocked.length > 0) return blocked.sort();
  return selectIndices(await source.indices(), config.indices)
    .map((i) => i.name)
    .sort();
}

function snapshotName(config: MigrationConfig, configured: string | undefined, at: Date): string {
  if (configured !== undefined) return configured;
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${config.name}-final-${stamp}`.toLowerCase();
}
