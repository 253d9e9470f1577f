/**
 * Per-index overrides (shards, replicas the target should have instead of the source's) and backfill
 * tuning: new indices start without refreshes and replicas so the backfill writes faster, and the real
 * values are recorded for the step that restores them once the data is in.
 */
import type { Requester } from "../cluster/index.ts";
import { globToRegExp, type IndexOverride } from "../config/index.ts";
import type { FlatSettings, IndexMetadata } from "./types.ts";

const REFRESH = "index.refresh_interval";
const REPLICAS = "index.number_of_replicas";

/** What a tuned index has while the backfill runs. */
export const TUNED: Readonly<Record<string, string>> = { [REFRESH]: "-1", [REPLICAS]: "0" };

/** The values to restore after the backfill; null: not set on the source, restore the default. */
export type TunedSettings = Readonly<Record<string, string | null>>;

/** The desired target definition: the source's, with the first matching override applied. */
export function applyOverrides(
  indices: Readonly<Record<string, IndexMetadata>>,
  overrides: readonly IndexOverride[],
): Record<string, IndexMetadata> {
  if (overrides.length === 0) return { ...indices };
  const compiled = overrides.map((o) => ({ ...o, re: globToRegExp(o.index) }));
  const out: Record<string, IndexMetadata> = {};
  for (const [name, meta] of Object.entries(indices)) {
    const rule = compiled.find((o) => o.re.test(name));
    if (rule === undefined) {
      out[name] = meta;
      continue;
    }
    const settings: Record<string, string | readonly string[]> = { ...meta.settings };
    if (rule.shards !== undefined) settings["index.number_of_shards"] = String(rule.shards);
    if (rule.replicas !== undefined) settings[REPLICAS] = String(rule.replicas);
    out[name] = { ...meta, settings };
  }
  return out;
}

/** A target index that is in its backfill state; its refresh and replicas are not drift. */
export function isTuned(settings: FlatSettings): boolean {
  return Object.entries(TUNED).every(([key, value]) => settings[key] === value);
}

/** The desired definition minus the two tuned settings, for comparing with a tuned target index. */
export function withoutTuned(meta: IndexMetadata): IndexMetadata {
  const { [REFRESH]: _r, [REPLICAS]: _n, ...settings } = meta.settings;
  return { ...meta, settings };
}

/** Settings to create a tuned index with, and the real values to restore later. */
export function tunedSettings(meta: IndexMetadata): { settings: FlatSettings; real: TunedSettings } {
  const real: Record<string, string | null> = {};
  for (const key of Object.keys(TUNED)) {
    const value = meta.settings[key];
    real[key] = typeof value === "string" ? value : null;
  }
  return { settings: { ...meta.settings, ...TUNED }, real };
}

/** Puts the recorded real values back (the backfill step calls this once an index is complete). */
export async function restoreTuning(
  target: Requester,
  record: Readonly<Record<string, TunedSettings>>,
  signal?: AbortSignal,
): Promise<string[]> {
  const restored: string[] = [];
  for (const [index, settings] of Object.entries(record)) {
    await target.request({
      method: "PUT",
      path: `/${encodeURIComponent(index)}/_settings`,
      body: settings,
      signal,
    });
    restored.push(index);
  }
  return restored;
}
