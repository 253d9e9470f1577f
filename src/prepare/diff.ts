/**
 * What it takes to bring a target index in line with its source: which differences can be applied in
 * place (new fields, dynamic settings) and which cannot (a field's type, a static setting). Pure.
 */
import { isObject, sameJson, settingChange } from "./normalize.ts";
import type { IndexMetadata, Json, JsonObject } from "./types.ts";

export interface IndexDiff {
  /** Differences prepare cannot apply to an open index; it never applies them. */
  readonly conflicts: readonly string[];
  /** True when every conflict is a static setting a closed index accepts (close, update, open). */
  readonly closedFixes: boolean;
  /** Differences `PUT _mapping` / `PUT _settings` can apply in place. */
  readonly updates: readonly string[];
  /** Body for `PUT <index>/_mapping` with only what is new; undefined when nothing is. */
  readonly mappingPatch: JsonObject | undefined;
  /** Body for `PUT <index>/_settings` with the dynamic settings that differ. */
  readonly settingsPatch: Record<string, Json> | undefined;
}

/** Top-level mapping keys `PUT _mapping` may change on an existing index. */
const UPDATABLE_MAPPING_KEYS = new Set([
  "dynamic",
  "dynamic_templates",
  "_meta",
  "date_detection",
  "numeric_detection",
  "dynamic_date_formats",
]);

interface Collect {
  readonly conflicts: string[];
  readonly updates: string[];
}

/** A field without `type` but with `properties` is an object: both spellings mean the same. */
function fieldType(def: JsonObject): string | undefined {
  if (typeof def.type === "string") return def.type;
  return isObject(def.properties) ? "object" : undefined;
}

function params(def: JsonObject): JsonObject {
  const { properties: _p, fields: _f, ...rest } = def;
  if (rest.type === "object") delete rest.type;
  return rest;
}

/**
 * Walks `properties` (or multi-field `fields`) of source against target. Returns the patch for the
 * fields that are new below this level; existing parents are repeated with their own parameters,
 * because `PUT _mapping` needs them to locate (and not change) the parent.
 */
function walk(source: unknown, target: unknown, prefix: string, out: Collect): JsonObject | undefined {
  if (!isObject(source)) return undefined;
  const tgt = isObject(target) ? target : {};
  const patch: JsonObject = {};
  for (const [name, raw] of Object.entries(source)) {
    if (!isObject(raw)) continue;
    const path = `${prefix}${name}`;
    const existing = tgt[name];
    if (!isObject(existing)) {
      out.updates.push(`add field ${path}`);
      patch[name] = raw;
      continue;
    }
    const sType = fieldType(raw);
    const tType = fieldType(existing);
    if (sType !== tType) {
      out.conflicts.push(`field ${path}: type ${tType ?? "none"} on target, ${sType ?? "none"} on source`);
      continue;
    }
    if (!sameJson(params(raw), params(existing))) {
      out.conflicts.push(`field ${path}: parameters differ (target ${JSON.stringify(params(existing))})`);
      continue;
    }
    const props = walk(raw.properties, existing.properties, `${path}.`, out);
    const fields = walk(raw.fields, existing.fields, `${path}.`, out);
    if (props !== undefined || fields !== undefined) {
      const entry: JsonObject = params(raw);
      if (typeof raw.type === "string") entry.type = raw.type;
      if (props !== undefined) entry.properties = props;
      if (fields !== undefined) entry.fields = fields;
      patch[name] = entry;
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

export function diffMappings(source: JsonObject, target: JsonObject, out: Collect): JsonObject | undefined {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === "properties" || sameJson(value, target[key])) continue;
    if (UPDATABLE_MAPPING_KEYS.has(key)) {
      out.updates.push(`mapping ${key}`);
      patch[key] = value;
    } else {
      out.conflicts.push(`mapping ${key} differs (cannot change on an existing index)`);
    }
  }
  const properties = walk(source.properties, target.properties, "", out);
  if (properties !== undefined) patch.properties = properties;
  return Object.keys(patch).length > 0 ? patch : undefined;
}

/**
 * Only the settings the source defines are compared: settings the target added itself (defaults of its
 * newer version) are its own business, and prepare never removes anything.
 */
export function diffIndex(source: IndexMetadata, target: IndexMetadata): IndexDiff {
  const out: Collect = { conflicts: [], updates: [] };
  const settingsPatch: Record<string, Json> = {};
  let closedOnly = 0;
  for (const [key, value] of Object.entries(source.settings)) {
    const current = target.settings[key];
    if (sameJson(value, current)) continue;
    const change = `setting ${key}: ${JSON.stringify(current)} on target, ${JSON.stringify(value)} on source`;
    const kind = settingChange(key);
    if (kind !== "dynamic") {
      out.conflicts.push(kind === "closed" ? `${change} (static: only on a closed index)` : change);
      if (kind === "closed") closedOnly += 1;
    } else {
      out.updates.push(change);
      settingsPatch[key] = value as Json;
    }
  }
  const mappingPatch = diffMappings(source.mappings, target.mappings, out);
  return {
    conflicts: out.conflicts,
    closedFixes: out.conflicts.length > 0 && closedOnly === out.conflicts.length,
    updates: out.updates,
    mappingPatch,
    settingsPatch: Object.keys(settingsPatch).length > 0 ? settingsPatch : undefined,
  };
}

/** Names the top-level (and `template.*`) keys that differ, for a one-line diff of a template or pipeline. */
export function describeDiff(source: JsonObject, target: JsonObject): string {
  const keys = new Set([...Object.keys(source), ...Object.keys(target)]);
  const changed: string[] = [];
  for (const key of [...keys].sort()) {
    const a = source[key];
    const b = target[key];
    if (sameJson(a, b)) continue;
    if (isObject(a) && isObject(b) && key === "template") {
      changed.push(`template.{${describeDiff(a, b).replace(/^changed: /, "")}}`);
    } else changed.push(key);
  }
  return `changed: ${changed.join(", ")}`;
}
