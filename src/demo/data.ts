/**
 * The demo's sample data: a small shop (customers, orders, three months of click events), made here
 * rather than downloaded, the same on every run and machine. It carries what makes real migrations
 * hard: an index template that later indices are created from, nested objects, geo points, dates,
 * keywords, scaled numbers, and longs above 2^53 that any JSON.parse round trip would round.
 */
import type { Cluster } from "../cluster/index.ts";

export const DEMO_PREFIX = "demo-";
export const DEMO_TEMPLATE = "demo-events";
/** Where the client load writes during the demo: new orders, as a shop would. */
export const LIVE_INDEX = "demo-orders";

const WORDS = (
  "order customer shipping invoice warehouse product review rating discount payment refund delivery " +
  "express standard premium basic account profile session search result filter category electronics " +
  "garden kitchen books music sports outdoor travel fashion beauty"
).split(" ");
const CITIES: readonly (readonly [string, number, number])[] = [
  ["Berlin", 52.52, 13.405],
  ["Lisbon", 38.722, -9.139],
  ["Oslo", 59.913, 10.752],
  ["Austin", 30.267, -97.743],
  ["Osaka", 34.694, 135.502],
  ["Lima", -12.046, -77.043],
  ["Accra", 5.603, -0.187],
  ["Perth", -31.95, 115.86],
];
const STATUSES = ["new", "paid", "shipped", "delivered", "returned"];
const EVENT_TYPES = ["view", "search", "add_to_cart", "checkout", "login"];
const MONTHS = ["2024.01", "2024.02", "2024.03"] as const;
/**
 * 2^53 + 1: the first integer a double cannot hold. Every "big" value is this plus an even number, so
 * odd, and above 2^53 no odd integer survives a double: JSON.parse changes every one of them.
 */
const BIG = 9_007_199_254_740_993n;

/** Mulberry32: small, fast and deterministic; the seed is the document's number. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)] as T;
}

function words(r: () => number, n: number): string {
  return Array.from({ length: n }, () => pick(r, WORDS)).join(" ");
}

function near(r: () => number, city: readonly [string, number, number]): { lat: number; lon: number } {
  const jitter = () => Math.round((r() - 0.5) * 20_000) / 100_000;
  return {
    lat: Math.round((city[1] + jitter()) * 1e5) / 1e5,
    lon: Math.round((city[2] + jitter()) * 1e5) / 1e5,
  };
}

/** JSON text with one more field whose value is an integer JavaScript numbers cannot hold. */
function withBig(doc: Record<string, unknown>, field: string, value: bigint): string {
  const text = JSON.stringify(doc);
  return `${text.slice(0, -1)},"${field}":${value}}`;
}

const DAY = 86_400_000;
const EPOCH = Date.UTC(2024, 0, 1);

export function customerDoc(i: number): string {
  const r = rng(i * 2654435761 + 1);
  const city = pick(r, CITIES);
  return withBig(
    {
      customer_id: `C${String(i).padStart(7, "0")}`,
      name: `${words(r, 1)} ${words(r, 1)}`,
      email: `customer${i}@example.com`,
      tier: pick(r, ["basic", "silver", "gold"]),
      signed_up: new Date(EPOCH - Math.floor(r() * 1_000) * DAY).toISOString().slice(0, 10),
      home: { city: city[0], location: near(r, city) },
      lifetime_value: Math.round(r() * 500_000) / 100,
      marketing_opt_in: r() < 0.4,
    },
    "account_number",
    BIG + BigInt(i) * 15_838n,
  );
}

/** Orders numbered from 0; the client load writes orders numbered from `liveFrom` on, as `live-N`. */
export function orderDoc(i: number, customers: number): string {
  const r = rng(i * 2246822519 + 2);
  const city = pick(r, CITIES);
  const items = Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
    sku: `SKU-${Math.floor(r() * 100_000)}`,
    name: words(r, 2),
    qty: 1 + Math.floor(r() * 4),
    price: Math.round(r() * 20_000) / 100,
  }));
  return withBig(
    {
      order_id: `O${String(i).padStart(9, "0")}`,
      customer_id: `C${String(Math.floor(r() * Math.max(1, customers))).padStart(7, "0")}`,
      placed_at: new Date(EPOCH + Math.floor(r() * 90 * DAY)).toISOString(),
      status: pick(r, STATUSES),
      items,
      total: Math.round(items.reduce((s, it) => s + it.qty * it.price, 0) * 100) / 100,
      shipping: { city: city[0], location: near(r, city), express: r() < 0.2 },
      note: r() < 0.3 ? words(r, 8) : null,
    },
    "payment_ref",
    BIG + BigInt(i) * 209_458n,
  );
}

export function eventDoc(i: number, month: number, customers: number): string {
  const r = rng(i * 3266489917 + 3 + month);
  const city = pick(r, CITIES);
  return withBig(
    {
      "@timestamp": new Date(Date.UTC(2024, month, 1) + Math.floor(r() * 28 * DAY)).toISOString(),
      type: pick(r, EVENT_TYPES),
      customer_id: `C${String(Math.floor(r() * Math.max(1, customers))).padStart(7, "0")}`,
      session: `s-${Math.floor(r() * 1e9).toString(36)}`,
      geo: near(r, city),
      duration_ms: Math.floor(r() * 5_000),
      query: r() < 0.3 ? words(r, 3) : undefined,
      tags: [pick(r, WORDS), pick(r, WORDS)],
    },
    "trace_id",
    BIG + BigInt(i) * 30_971_726n + BigInt(month) * 2n,
  );
}

const KEYWORD = { type: "keyword" };
const GEO = { type: "geo_point" };

const CUSTOMER_MAPPINGS = {
  properties: {
    customer_id: KEYWORD,
    name: { type: "text", fields: { raw: KEYWORD } },
    email: KEYWORD,
    tier: KEYWORD,
    signed_up: { type: "date", format: "yyyy-MM-dd" },
    home: { properties: { city: KEYWORD, location: GEO } },
    lifetime_value: { type: "scaled_float", scaling_factor: 100 },
    marketing_opt_in: { type: "boolean" },
    account_number: { type: "long" },
  },
};

const ORDER_MAPPINGS = {
  properties: {
    order_id: KEYWORD,
    customer_id: KEYWORD,
    placed_at: { type: "date" },
    status: KEYWORD,
    items: {
      type: "nested",
      properties: {
        sku: KEYWORD,
        name: { type: "text" },
        qty: { type: "integer" },
        price: { type: "double" },
      },
    },
    total: { type: "double" },
    shipping: { properties: { city: KEYWORD, location: GEO, express: { type: "boolean" } } },
    note: { type: "text" },
    payment_ref: { type: "long" },
  },
};

/** Monthly event indices are not created by hand: the template gives each its settings and mapping. */
const EVENTS_TEMPLATE = {
  index_patterns: [`${DEMO_TEMPLATE}-*`],
  priority: 100,
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      properties: {
        "@timestamp": { type: "date" },
        type: KEYWORD,
        customer_id: KEYWORD,
        session: KEYWORD,
        geo: GEO,
        duration_ms: { type: "long" },
        query: { type: "text" },
        tags: KEYWORD,
        trace_id: { type: "long" },
      },
    },
  },
};

export interface SampleIndex {
  readonly index: string;
  readonly docs: number;
  /** The document with number `i`, as JSON text; its id is `id(i)`. */
  readonly doc: (i: number) => string;
  readonly id: (i: number) => string;
}

/** How `total` documents split over the indices: 10% customers, 30% orders, 60% events by month. */
export function sampleLayout(total: number): SampleIndex[] {
  const customers = Math.max(1, Math.round(total * 0.1));
  const orders = Math.max(1, Math.round(total * 0.3));
  const events = Math.max(MONTHS.length, total - customers - orders);
  const layout: SampleIndex[] = [
    {
      index: "demo-customers",
      docs: customers,
      doc: customerDoc,
      id: (i) => `C${String(i).padStart(7, "0")}`,
    },
    { index: LIVE_INDEX, docs: orders, doc: (i) => orderDoc(i, customers), id: (i) => `o${i}` },
  ];
  MONTHS.forEach((month, m) => {
    const docs = Math.floor(events / MONTHS.length) + (m < events % MONTHS.length ? 1 : 0);
    layout.push({
      index: `${DEMO_TEMPLATE}-${month}`,
      docs,
      doc: (i) => eventDoc(i, m, customers),
      id: (i) => `e${m}-${i}`,
    });
  });
  return layout;
}

/** Removes what an earlier demo left on a cluster: only the demo's own indices and template. */
export async function resetDemoData(cluster: Cluster): Promise<void> {
  await cluster.request({
    method: "DELETE",
    path: `/${DEMO_PREFIX}*`,
    querystring: { expand_wildcards: "all" },
    allowStatus: [404],
  });
  await cluster.request({ method: "DELETE", path: `/_index_template/${DEMO_TEMPLATE}`, allowStatus: [404] });
}

async function createIndices(cluster: Cluster, layout: readonly SampleIndex[]): Promise<void> {
  await cluster.request({ method: "PUT", path: `/_index_template/${DEMO_TEMPLATE}`, body: EVENTS_TEMPLATE });
  const explicit: Record<string, unknown> = {
    "demo-customers": CUSTOMER_MAPPINGS,
    [LIVE_INDEX]: ORDER_MAPPINGS,
  };
  for (const { index } of layout) {
    const mappings = explicit[index];
    // Loading is faster without refreshes; the demo turns them back on once every document is in.
    const settings = { number_of_shards: 1, number_of_replicas: 0, refresh_interval: "-1" };
    await cluster.request({
      method: "PUT",
      path: `/${index}`,
      body: mappings === undefined ? { settings } : { settings, mappings },
    });
  }
}

const BULK_BYTES = 2 * 1024 * 1024;

function* bulkBodies(layout: readonly SampleIndex[]): Generator<{ body: string; docs: number }> {
  for (const set of layout) {
    let lines: string[] = [];
    let size = 0;
    for (let i = 0; i < set.docs; i++) {
      const line = `{"index":{"_index":"${set.index}","_id":"${set.id(i)}"}}\n${set.doc(i)}\n`;
      lines.push(line);
      size += line.length;
      if (size >= BULK_BYTES) {
        yield { body: lines.join(""), docs: lines.length };
        lines = [];
        size = 0;
      }
    }
    if (lines.length > 0) yield { body: lines.join(""), docs: lines.length };
  }
}

/**
 * Creates the template and indices and bulk-loads every document straight into the source (this is
 * the data that exists before the migration starts), two requests at a time.
 */
export async function loadSample(
  cluster: Cluster,
  layout: readonly SampleIndex[],
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
): Promise<void> {
  await createIndices(cluster, layout);
  const bodies = bulkBodies(layout);
  let loaded = 0;
  const worker = async () => {
    for (let next = bodies.next(); !next.done; next = bodies.next()) {
      signal.throwIfAborted();
      const res = await cluster.request<{ errors: boolean; items: unknown[] }>({
        method: "POST",
        path: "/_bulk",
        querystring: { filter_path: "errors,items.*.error" },
        bulkBody: next.value.body,
        // Every action names its _id: sending the same bulk again after a lost answer changes nothing.
        idempotent: true,
        signal,
      });
      if (res.body.errors) {
        throw new Error(`loading the sample data failed: ${JSON.stringify(res.body.items).slice(0, 300)}`);
      }
      loaded += next.value.docs;
      onProgress(loaded);
    }
  };
  await Promise.all([worker(), worker()]);
  const names = layout.map((s) => s.index).join(",");
  await cluster.request({
    method: "PUT",
    path: `/${names}/_settings`,
    body: { "index.refresh_interval": null },
  });
  await cluster.request({ method: "POST", path: `/${names}/_refresh` });
}
