/**
 * Version transforms: small named rules that rewrite a definition read from an older cluster (ES 6/7,
 * Open Distro) into what OpenSearch 2.x accepts. Each rule is pure and a no-op on OpenSearch metadata,
 * so every inventory runs them all; what no rule can translate is reported, never dropped.
 */
import { isObject } from "./normalize.ts";
import type { Json, JsonObject } from "./types.ts";

export interface Definition {
  readonly settings: Readonly<Record<string, string | readonly string[]>>;
  readonly mappings: JsonObject;
}

export interface RuleResult extends Definition {
  /** Why the definition cannot be used as is (for example several mapping types). */
  readonly untranslatable?: readonly string[];
}

export interface TransformRule {
  readonly name: string;
  /** Undefined when the rule does not apply: the definition is left exactly as it was. */
  readonly apply: (definition: Definition) => RuleResult | undefined;
}

/** Keys that may appear at the root of a typeless mapping; anything else at the root is a type name. */
const ROOT_KEYS = new Set([
  "properties",
  "dynamic",
  "dynamic_templates",
  "_meta",
  "_source",
  "_routing",
  "_all",
  "_field_names",
  "_size",
  "date_detection",
  "numeric_detection",
  "dynamic_date_formats",
  "enabled",
  "runtime",
  "include_in_all",
]);

/** ES 6.x and earlier nest the mapping under a type (`_doc` or a custom one); 7.x+ and OpenSearch do not. */
export const mappingTypesRemoved: TransformRule = {
  name: "mapping-types-removed",
  apply(definition) {
    const keys = Object.keys(definition.mappings);
    const types = keys.filter((k) => !ROOT_KEYS.has(k) && isObject(definition.mappings[k]));
    if (types.length === 0) return undefined;
    if (types.length > 1 || keys.length > types.length) {
      return {
        ...definition,
        untranslatable: [
          `mappings have ${types.length} types (${types.join(", ")}): OpenSearch allows one per index; ` +
            "split the index into one index per type and reindex",
        ],
      };
    }
    return { ...definition, mappings: definition.mappings[types[0] as string] as JsonObject };
  },
};

/** Applies `rewrite` to every field definition under `properties` and multi-field `fields`. */
function mapFields(
  mappings: JsonObject,
  rewrite: (field: JsonObject, path: string) => JsonObject,
): JsonObject {
  const walk = (props: Json | undefined, prefix: string): Json | undefined => {
    if (!isObject(props)) return props;
    const out: JsonObject = {};
    for (const [name, raw] of Object.entries(props)) {
      if (!isObject(raw)) {
        out[name] = raw;
        continue;
      }
      const path = `${prefix}${name}`;
      const field = rewrite({ ...raw }, path);
      if (field.properties !== undefined) field.properties = walk(field.properties, `${path}.`) ?? null;
      if (field.fields !== undefined) field.fields = walk(field.fields, `${path}.`) ?? null;
      out[name] = field;
    }
    return out;
  };
  return mappings.properties === undefined
    ? mappings
    : { ...mappings, properties: walk(mappings.properties, "") ?? {} };
}

/** ES 2.x–5.x `string`: analyzed → `text`, `not_analyzed` → `keyword`, `no` → unindexed `keyword`. */
export const stringToTextKeyword: TransformRule = {
  name: "string-to-text-keyword",
  apply(definition) {
    let changed = false;
    const mappings = mapFields(definition.mappings, (field) => {
      if (field.type !== "string") return field;
      changed = true;
      const { index, ...rest } = field;
      if (index === "not_analyzed") return { ...rest, type: "keyword" };
      if (index === "no" || index === false) return { ...rest, type: "keyword", index: false };
      const { ignore_above: _i, ...text } = rest;
      return { ...text, type: "text" };
    });
    return changed ? { ...definition, mappings } : undefined;
  },
};

/** `_all` and `include_in_all` were removed in ES 7; `copy_to` into a field of one's own replaces them. */
export const allFieldRemoved: TransformRule = {
  name: "all-field-removed",
  apply(definition) {
    let changed = false;
    const { _all, include_in_all: _r, ...root } = definition.mappings;
    if (_all !== undefined || _r !== undefined) changed = true;
    const mappings = mapFields(root, (field) => {
      if (field.include_in_all === undefined) return field;
      changed = true;
      const { include_in_all: _f, ...rest } = field;
      return rest;
    });
    if (!changed) return undefined;
    const enabled = isObject(_all) && _all.enabled === true;
    return {
      ...definition,
      mappings,
      ...(enabled
        ? {
            untranslatable: [
              "the _all field is enabled: add a catch-all field with copy_to and query it instead",
            ],
          }
        : {}),
    };
  },
};

/** Settings OpenSearch rejects or would misread: removed in ES 7, or Elasticsearch-only (x-pack). */
const DROPPED_SETTINGS = [
  /^index\.mapper\.dynamic$/,
  /^index\.mapping\.single_type$/,
  /^index\.lifecycle\./,
  /^index\.xpack\./,
  /^index\.search\.throttled$/,
  // Data tiers are ES-only; as an allocation filter the target would never find a matching node.
  /^index\.routing\.allocation\.(include|require)\._tier(_preference)?$/,
];

export const removedIndexSettings: TransformRule = {
  name: "removed-index-settings",
  apply(definition) {
    const keys = Object.keys(definition.settings);
    if (!keys.some((k) => DROPPED_SETTINGS.some((re) => re.test(k)))) return undefined;
    const settings: Record<string, string | readonly string[]> = {};
    for (const key of keys) {
      if (!DROPPED_SETTINGS.some((re) => re.test(key))) settings[key] = definition.settings[key] as string;
    }
    return { ...definition, settings };
  },
};

/**
 * Soft deletes turned off: Elasticsearch 7 and OpenSearch 1 take it (deprecated), OpenSearch 2.0 and
 * later refuse to create such an index. The target's copy keeps soft deletes, its default; they change
 * how deletes are stored, not the documents.
 */
export const softDeletesRequired: TransformRule = {
  name: "soft-deletes-required",
  apply(definition) {
    if (definition.settings["index.soft_deletes.enabled"] !== "false") return undefined;
    const { "index.soft_deletes.enabled": _, ...settings } = definition.settings;
    return { ...definition, settings };
  },
};

/** Open Distro's plugin settings moved from `index.opendistro.*` to `index.plugins.*` in OpenSearch. */
export const opendistroSettingsRenamed: TransformRule = {
  name: "opendistro-settings-renamed",
  apply(definition) {
    const keys = Object.keys(definition.settings);
    if (!keys.some((k) => k.startsWith("index.opendistro."))) return undefined;
    const settings: Record<string, string | readonly string[]> = {};
    for (const key of keys) {
      const renamed = key.replace(/^index\.opendistro\./, "index.plugins.");
      settings[renamed] = definition.settings[key] as string;
    }
    return { ...definition, settings };
  },
};

/** Elasticsearch field types OpenSearch lacks, with the nearest OpenSearch equivalent. */
const ES_ONLY_TYPES: Readonly<Record<string, string>> = {
  flattened: "flat_object (different query semantics)",
  dense_vector: "knn_vector (k-NN plugin)",
  sparse_vector: "rank_features",
  histogram: "no equivalent; store the raw values",
  aggregate_metric_double: "no equivalent; store the metrics as numeric fields",
  semantic_text: "a text field plus a neural-search ingest pipeline",
  version: "keyword",
};

export const esOnlyFieldTypes: TransformRule = {
  name: "es-only-field-types",
  apply(definition) {
    const problems: string[] = [];
    mapFields(definition.mappings, (field, path) => {
      const type = typeof field.type === "string" ? field.type : "";
      const instead = ES_ONLY_TYPES[type];
      if (instead !== undefined)
        problems.push(`field ${path}: type ${type} is Elasticsearch-only; use ${instead}`);
      return field;
    });
    return problems.length > 0 ? { ...definition, untranslatable: problems } : undefined;
  },
};

export const RULES: readonly TransformRule[] = [
  mappingTypesRemoved,
  stringToTextKeyword,
  allFieldRemoved,
  removedIndexSettings,
  softDeletesRequired,
  opendistroSettingsRenamed,
  esOnlyFieldTypes,
];

export interface Transformed extends Definition {
  readonly transforms: readonly string[];
  readonly untranslatable: readonly string[];
}

/** Runs every rule in order; each sees the previous one's output. */
export function transform(definition: Definition, rules: readonly TransformRule[] = RULES): Transformed {
  let current: Definition = definition;
  const transforms: string[] = [];
  const untranslatable: string[] = [];
  for (const rule of rules) {
    const result = rule.apply(current);
    if (result === undefined) continue;
    if (result.untranslatable !== undefined) untranslatable.push(...result.untranslatable);
    if (result.settings !== current.settings || result.mappings !== current.mappings)
      transforms.push(rule.name);
    current = { settings: result.settings, mappings: result.mappings };
  }
  return { ...current, transforms, untranslatable };
}

export interface TransformedTemplate {
  readonly body: JsonObject;
  readonly transforms: readonly string[];
  readonly untranslatable: readonly string[];
}

/**
 * The same rules for a normalized template: legacy templates carry settings and mappings at the top
 * level, component and composable ones under `template`.
 */
export function transformTemplate(body: JsonObject, legacy: boolean): TransformedTemplate {
  const block = legacy ? body : isObject(body.template) ? body.template : undefined;
  if (block === undefined) return { body, transforms: [], untranslatable: [] };
  const settings = isObject(block.settings) ? (block.settings as Definition["settings"]) : {};
  const mappings = isObject(block.mappings) ? block.mappings : {};
  const t = transform({ settings, mappings });
  if (t.transforms.length === 0) return { body, transforms: [], untranslatable: t.untranslatable };
  const rewritten: JsonObject = { ...block };
  if (Object.keys(t.settings).length > 0) rewritten.settings = t.settings as JsonObject;
  else delete rewritten.settings;
  if (Object.keys(t.mappings).length > 0) rewritten.mappings = t.mappings;
  else delete rewritten.mappings;
  return {
    body: legacy ? rewritten : { ...body, template: rewritten },
    transforms: t.transforms,
    untranslatable: t.untranslatable,
  };
}
