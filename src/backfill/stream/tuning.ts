/**
 * Bulk-load tuning on the target index: no refreshes and no replicas while copying, the originals put
 * back afterwards. The originals are recorded in the slice plan before anything is changed, so a crash
 * at any point leaves enough behind for the next run to restore them.
 */
import type { Cluster } from "../../cluster/index.ts";
import type { TuningRecord } from "./store.ts";

interface SettingsResponse {
  readonly [index: string]: { readonly settings?: { readonly index?: Record<string, unknown> } };
}

export async function readTuning(
  target: Cluster,
  index: string,
  asyncTranslog: boolean,
  signal?: AbortSignal,
): Promise<TuningRecord> {
  const res = await target.request<SettingsResponse>({
    method: "GET",
    path: `/${encodeURIComponent(index)}/_settings/index.refresh_interval,index.number_of_replicas,index.translog.durability`,
    signal,
  });
  const settings = Object.values(res.body)[0]?.settings?.index ?? {};
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  const translog = settings.translog as Record<string, unknown> | undefined;
  return {
    refreshInterval: str(settings.refresh_interval),
    replicas: str(settings.number_of_replicas),
    ...(asyncTranslog ? { translogDurability: str(translog?.durability) } : {}),
  };
}

/**
 * With `translogDurability` recorded (the operator opted into `asyncTranslog`), the translog is
 * fsynced every few seconds instead of on every bulk request for the copy's duration.
 */
export async function applyTuning(
  target: Cluster,
  index: string,
  record: TuningRecord,
  signal?: AbortSignal,
): Promise<void> {
  await target.request({
    method: "PUT",
    path: `/${encodeURIComponent(index)}/_settings`,
    body: {
      index: {
        refresh_interval: "-1",
        number_of_replicas: 0,
        ...(record.translogDurability === undefined ? {} : { "translog.durability": "async" }),
      },
    },
    signal,
  });
}

/** Puts the recorded values back; a null restores the cluster default. */
export async function revertTuning(
  target: Cluster,
  index: string,
  record: TuningRecord,
  signal?: AbortSignal,
): Promise<void> {
  await target.request({
    method: "PUT",
    path: `/${encodeURIComponent(index)}/_settings`,
    body: {
      index: {
        refresh_interval: record.refreshInterval,
        number_of_replicas: record.replicas,
        ...(record.translogDurability === undefined
          ? {}
          : { "translog.durability": record.translogDurability }),
      },
    },
    signal,
  });
}
