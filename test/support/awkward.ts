/**
 * Documents that break tools which parse and re-serialize `_source`: longs at and above 2^53, values
 * near 2^64 (`unsigned_long`), negative zero, `1.0` and `1e3`, deep nesting, escapes and astral-plane
 * text, duplicate keys (which the cluster refuses), empty containers, integer-like keys (which
 * `JSON.parse` reorders), a pretty-printed body, YAML and CBOR bodies, and a 10 MB document.
 * Every path that moves documents runs this table and must keep each one exactly.
 */
import assert from "node:assert/strict";
import type { Requester } from "../../src/cluster/index.ts";

export interface AwkwardDoc {
  readonly id: string;
  readonly body: Buffer;
  readonly contentType: string;
  /** Whether OpenSearch stores it (duplicate keys are refused with 400). */
  readonly accepted: boolean;
  /** Whether it can be a `_bulk` line: single-line JSON. */
  readonly bulk: boolean;
}

const json = (id: string, text: string, accepted = true): AwkwardDoc => ({
  id,
  body: Buffer.from(text),
  contentType: "application/json",
  accepted,
  bulk: !text.includes("\n"),
});

/** A 10 MB document whose numbers and escapes repeat throughout. */
function tenMegabytes(): string {
  const chunk = '[9007199254740993,1.0,-0,1e3,"caf\\u00e9 \\ud83d\\ude00",18446744073709551615],';
  const parts = chunk.repeat(Math.ceil(10_000_000 / chunk.length)).slice(0, -1);
  return `{"blob":[${parts}],"tail":9007199254740995}`;
}

/** CBOR for {"big": 9007199254740993, "f": 1.5}: a uint64 major type 0 and a half float. */
const CBOR_DOC = Buffer.from([
  0xa2, 0x63, 0x62, 0x69, 0x67, 0x1b, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x61, 0x66, 0xf9, 0x3e,
  0x00,
]);

export const AWKWARD: readonly AwkwardDoc[] = [
  json("long-2p53", '{"big":9007199254740992}'),
  json("long-above", '{"big":9007199254740993,"list":[9007199254740995,-9007199254740993]}'),
  json("unsigned-max", '{"u":18446744073709551615,"big":9223372036854775807}'),
  json("negative-zero", '{"z":-0,"zf":-0.0}'),
  json("float-forms", '{"f":1.0,"e":1e3,"E":1E-7,"d":0.1,"x":123456789.123456789012345}'),
  json("deep", `${'{"d":'.repeat(150)}1${"}".repeat(150)}`),
  json("escapes", '{"s":"caf\\u00e9 \\ud83d\\ude00 tab\\t nul\\u0000 slash\\/","raw":"café 😀 𝄞"}'),
  json("duplicate-keys", '{"a":1,"a":2}', false),
  json("empty", "{}"),
  json("empty-containers", '{"o":{},"a":[],"n":null,"s":""}'),
  json("integer-keys", '{"b":1,"2":2,"1":{"10":1,"9":2}}'),
  json("pretty", '{\n  "big": 9007199254740993,\n  "f": 1.0\n}'),
  {
    id: "yaml",
    body: Buffer.from('---\nbig: 9007199254740993\nf: 1.0\nname: "caf\\u00e9"\n'),
    contentType: "application/yaml",
    accepted: true,
    bulk: false,
  },
  { id: "cbor", body: CBOR_DOC, contentType: "application/cbor", accepted: true, bulk: false },
  json("ten-mb", tenMegabytes()),
];

/** Not indexed beyond what the table needs, so every document is stored whatever its shape. */
export const AWKWARD_INDEX = {
  settings: { number_of_shards: 1, number_of_replicas: 0 },
  mappings: { dynamic: false, properties: { big: { type: "long" }, u: { type: "unsigned_long" } } },
};

/** The same index for a 1.x cluster, which has no `unsigned_long`. */
export const AWKWARD_INDEX_1X = {
  settings: AWKWARD_INDEX.settings,
  mappings: { dynamic: false, properties: { big: { type: "long" } } },
};

/** A `_bulk` body of every single-line JSON document of the table, ids prefixed with `prefix`. */
export function awkwardBulk(prefix = ""): Buffer {
  const parts: Buffer[] = [];
  for (const doc of AWKWARD.filter((d) => d.bulk)) {
    parts.push(
      Buffer.from(`${JSON.stringify({ index: { _id: `${prefix}${doc.id}` } })}\n`),
      doc.body,
      Buffer.from("\n"),
    );
  }
  return Buffer.concat(parts);
}

/**
 * Each stored `_source` read as the cluster's own bytes on both sides and compared byte for byte
 * (stronger than the digest, which ignores key order and whitespace).
 */
export async function assertSameBytes(
  source: Requester,
  sourceIndex: string,
  target: Requester,
  targetIndex: string,
  ids: readonly string[],
): Promise<void> {
  for (const id of ids) {
    const read = async (cluster: Requester, index: string) =>
      (
        await cluster.request<string>({
          method: "GET",
          path: `/${encodeURIComponent(index)}/_source/${encodeURIComponent(id)}`,
          raw: true,
        })
      ).body;
    const [a, b] = await Promise.all([read(source, sourceIndex), read(target, targetIndex)]);
    assert.ok(
      a === b,
      `${sourceIndex}/${id}: the target's _source bytes differ from the source's (${a.length} vs ${b.length} bytes): ${a.slice(0, 120)} | ${b.slice(0, 120)}`,
    );
  }
}

/** Indexes the table one document at a time at `url` (a cluster or the gateway); returns the statuses. */
export async function writeAwkward(url: string, index: string, prefix = ""): Promise<Map<string, number>> {
  const statuses = new Map<string, number>();
  for (const doc of AWKWARD) {
    const res = await fetch(`${url}/${index}/_doc/${encodeURIComponent(prefix + doc.id)}`, {
      method: "PUT",
      headers: { "content-type": doc.contentType },
      body: doc.body,
    });
    await res.arrayBuffer();
    statuses.set(doc.id, res.status);
  }
  return statuses;
}

export function assertAccepted(statuses: ReadonlyMap<string, number>): void {
  for (const doc of AWKWARD) {
    const status = statuses.get(doc.id) ?? 0;
    assert.equal(status >= 200 && status < 300, doc.accepted, `${doc.id}: status ${status}`);
  }
}

export const STORED_IDS = AWKWARD.filter((d) => d.accepted).map((d) => d.id);
