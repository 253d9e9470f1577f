/** Deterministic bench documents (~1 KB, realistic field mix), the same on every run and machine. */
import { rng } from "../src/demo/index.ts";

const WORDS = (
  "order customer shipping invoice warehouse product review rating discount payment refund " +
  "delivery express standard premium basic account profile session search result filter " +
  "category electronics garden kitchen books music sports outdoor travel fashion beauty"
).split(" ");
/**
 * BENCH_DOC_TEXT=mixed: the text fields drawn from words in several scripts instead (raw UTF-8, no
 * escapes), as a catalogue or a log of a multilingual business holds them: about 30% of a document's
 * bytes are outside ASCII. Every tool then decodes and encodes real multi-byte text.
 */
export const DOC_TEXT = process.env.BENCH_DOC_TEXT === "mixed" ? "mixed" : "ascii";
const MIXED_WORDS = (
  "Bestellung Größe Lieferschein Rückgabe Straße commande livrée reçu où café pedido envío " +
  "devolución señal заказ доставка склад отзыв скидка 注文 配送 倉庫 商品 レビュー 割引 订单 " +
  "发货 仓库 评价 주문 배송 창고 상품 order customer shipping invoice product rating payment"
).split(" ");
const CITIES = ["Berlin", "Lisbon", "Oslo", "Austin", "Osaka", "Lima", "Accra", "Perth", "Quebec", "Pune"];
const STATUSES = ["new", "paid", "shipped", "delivered", "returned"];

function words(r: () => number, n: number): string {
  const vocabulary = DOC_TEXT === "mixed" ? MIXED_WORDS : WORDS;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(vocabulary[Math.floor(r() * vocabulary.length)] as string);
  return out.join(" ");
}

/**
 * BENCH_DOC_KB (default 1): documents of about that many KB. Above 1, a `content` text field of
 * generated words makes up the difference (about 8.5 bytes a word), the rest of the document unchanged.
 */
export const DOC_KB = Math.max(1, Number(process.env.BENCH_DOC_KB ?? 1));
const EXTRA_WORDS = Math.round(((DOC_KB - 1) * 1024) / 8.5);

export function benchDoc(i: number): Record<string, unknown> {
  const r = rng(i * 2654435761);
  const city = CITIES[Math.floor(r() * CITIES.length)] as string;
  return {
    order_id: `ORD-${String(i).padStart(9, "0")}`,
    status: STATUSES[Math.floor(r() * STATUSES.length)],
    created_at: new Date(Date.UTC(2023, 0, 1) + Math.floor(r() * 63_072_000_000)).toISOString(),
    customer: {
      id: `C${Math.floor(r() * 1_000_000)}`,
      name: `${words(r, 1)} ${words(r, 1)}`,
      email: `user${Math.floor(r() * 1_000_000)}@example.com`,
      city,
      location: {
        lat: Math.round((r() * 180 - 90) * 1e5) / 1e5,
        lon: Math.round((r() * 360 - 180) * 1e5) / 1e5,
      },
    },
    items: Array.from({ length: 1 + Math.floor(r() * 3) }, () => ({
      sku: `SKU-${Math.floor(r() * 100_000)}`,
      qty: 1 + Math.floor(r() * 5),
      price: Math.round(r() * 50_000) / 100,
    })),
    total: Math.round(r() * 200_000) / 100,
    tags: [words(r, 1), words(r, 1), words(r, 1)],
    title: words(r, 6),
    description: words(r, 70),
    notes: r() < 0.3 ? words(r, 20) : null,
    ...(EXTRA_WORDS > 0 ? { content: words(r, EXTRA_WORDS) } : {}),
  };
}

export const BENCH_MAPPINGS = {
  properties: {
    order_id: { type: "keyword" },
    status: { type: "keyword" },
    created_at: { type: "date" },
    customer: {
      properties: {
        id: { type: "keyword" },
        name: { type: "text" },
        email: { type: "keyword" },
        city: { type: "keyword" },
        location: { type: "geo_point" },
      },
    },
    items: { properties: { sku: { type: "keyword" }, qty: { type: "integer" }, price: { type: "float" } } },
    total: { type: "float" },
    tags: { type: "keyword" },
    title: { type: "text" },
    description: { type: "text" },
    notes: { type: "text" },
    content: { type: "text" },
  },
};

/** NDJSON `_bulk` bodies of about `bytes` each for docs [from, to); ids `o<i>`. */
export function* bulkBodies(
  index: string,
  from: number,
  to: number,
  bytes: number,
): Generator<{ body: string; docs: number; sourceBytes: number }> {
  let lines: string[] = [];
  let size = 0;
  let docs = 0;
  let sourceBytes = 0;
  for (let i = from; i < to; i++) {
    const source = JSON.stringify(benchDoc(i));
    const line = `{"index":{"_index":"${index}","_id":"o${i}"}}\n${source}\n`;
    lines.push(line);
    size += line.length;
    sourceBytes += source.length;
    docs++;
    if (size >= bytes) {
      yield { body: lines.join(""), docs, sourceBytes };
      lines = [];
      size = 0;
      docs = 0;
      sourceBytes = 0;
    }
  }
  if (docs > 0) yield { body: lines.join(""), docs, sourceBytes };
}

/** Loads docs [0, count) into `url/index` with `concurrency` parallel bulk requests; returns source bytes. */
/** Sends ready-made `_bulk` bodies, `concurrency` at a time, retrying 429s; fails on any item error. */
export async function sendBodies(
  url: string,
  bodies: readonly (string | Buffer)[],
  concurrency: number,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as string | Buffer;
      await sendBulk(url, body);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function sendBulk(url: string, body: string | Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${url}/_bulk?filter_path=errors,items.*.error`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    const json = (await res.json()) as { errors?: boolean; items?: unknown[] };
    if (res.status === 429 && attempt < 10) {
      await new Promise((r) => setTimeout(r, 200 * attempt));
      continue;
    }
    if (res.status !== 200 || json.errors === true)
      throw new Error(`bulk failed: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
    return;
  }
}

export async function bulkLoad(
  url: string,
  index: string,
  count: number,
  concurrency: number,
  bytes = 4 * 1024 * 1024,
): Promise<number> {
  const bodies = bulkBodies(index, 0, count, bytes);
  let total = 0;
  const worker = async () => {
    for (let next = bodies.next(); !next.done; next = bodies.next()) {
      const { body, sourceBytes } = next.value;
      await sendBulk(url, body);
      total += sourceBytes;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total;
}
