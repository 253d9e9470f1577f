/**
 * The client load the cutover fault trials run during every switch, and the probe that watches the
 * one thing a cutover must never allow:
 * - `ModelWriter`: one client writing through the gateway at a steady rate (new documents, overwrites,
 *   deletes), keeping a model of what the live cluster must hold: a write answered 2xx changes the
 *   model, a 503 does not. Any other answer is a failure in itself.
 * - `SplitBrainProbe`: asks the gateway for its mode, writes straight to the source (bypassing the
 *   gateway), asks again. The source accepting that write while the gateway was in `target` mode both
 *   before and after it is both clusters writable at once, the target's writes uncaptured by the source.
 */
import assert from "node:assert/strict";
import { setTimeout as delay } from "node:timers/promises";
import type { Requester } from "../../src/cluster/index.ts";
import { ADMIN_TOKEN } from "./gateway-harness.ts";

/** mulberry32: a seeded generator, so a failing trial's kill points can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function gatewayModeOf(url: string): Promise<string> {
  const res = await fetch(`${url}/_bluegreen/mode`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const body = (await res.json()) as { mode: string };
  return body.mode;
}

/** Switches the gateway's mode through its admin endpoint, as `bluegreen gateway mode` does. */
export async function switchGateway(url: string, mode: string): Promise<void> {
  const res = await fetch(`${url}/_bluegreen/mode`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ mode }),
  });
  assert.equal(res.status, 200, await res.text());
}

interface Answer {
  readonly id: string;
  readonly op: "create" | "overwrite" | "delete";
  readonly status: number;
  readonly body: string;
}

export class ModelWriter {
  /** id → the document's JSON as last acknowledged, or null once a delete was acknowledged. */
  readonly expected = new Map<string, string | null>();
  readonly indexOf = new Map<string, string>();
  readonly unexpected: Answer[] = [];
  readonly tally = { ok: 0, refused: 0, refusedCreates: 0 };
  readonly #url: string;
  readonly #indices: readonly string[];
  readonly #random: () => number;
  readonly #intervalMs: number;
  #running = true;
  #paused: Promise<void> | undefined;
  #resume: (() => void) | undefined;
  #idle: (() => void) | undefined;
  #done: Promise<void> | undefined;
  #next = 0;

  constructor(url: string, indices: readonly string[], random: () => number, intervalMs = 20) {
    this.#url = url;
    this.#indices = indices;
    this.#random = random;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#resume?.();
    await this.#done;
  }

  /** Runs `fn` with no write in flight, so the model is exactly what the live cluster must hold. */
  async quiet<T>(fn: () => Promise<T>): Promise<T> {
    const idle = new Promise<void>((r) => {
      this.#idle = r;
    });
    this.#paused = new Promise((r) => {
      this.#resume = r;
    });
    await idle;
    try {
      return await fn();
    } finally {
      const resume = this.#resume;
      this.#paused = undefined;
      this.#resume = undefined;
      resume?.();
    }
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      if (this.#paused !== undefined) {
        this.#idle?.();
        await this.#paused;
        continue;
      }
      await this.#one();
      await delay(this.#intervalMs);
    }
    this.#idle?.();
  }

  async #one(): Promise<void> {
    const present = [...this.expected].filter(([, v]) => v !== null).map(([id]) => id);
    const roll = this.#random();
    const n = this.#next++;
    const pick = () => present[Math.floor(this.#random() * present.length)] as string;
    let id: string;
    let op: Answer["op"];
    if (present.length < 10 || roll < 0.7) {
      id = `w${n}`;
      op = "create";
      this.indexOf.set(id, this.#indices[n % this.#indices.length] as string);
    } else {
      id = pick();
      op = roll < 0.9 ? "overwrite" : "delete";
    }
    const body = JSON.stringify({ n, op });
    const res = await fetch(`${this.#url}/${this.indexOf.get(id)}/_doc/${id}`, {
      method: op === "delete" ? "DELETE" : "PUT",
      headers: { "content-type": "application/json" },
      ...(op === "delete" ? {} : { body }),
    });
    const text = await res.text();
    if (res.status >= 200 && res.status < 300) {
      this.tally.ok++;
      this.expected.set(id, op === "delete" ? null : body);
    } else if (res.status === 503) {
      this.tally.refused++;
      if (op === "create") {
        this.tally.refusedCreates++;
        // Never acknowledged: it must be on neither cluster.
        if (!this.expected.has(id)) this.expected.set(id, null);
      }
    } else {
      this.unexpected.push({ id, op, status: res.status, body: text.slice(0, 300) });
    }
  }

  /** Every id the writer touched holds exactly what was last acknowledged on `cluster`. */
  async assertHeldBy(cluster: Requester, side: string, context: string): Promise<void> {
    assert.deepEqual(this.unexpected, [], `${context}: answers other than 2xx and 503`);
    const byIndex = new Map<string, string[]>();
    for (const id of this.expected.keys()) {
      const index = this.indexOf.get(id) as string;
      byIndex.set(index, [...(byIndex.get(index) ?? []), id]);
    }
    const wrong: string[] = [];
    for (const [index, ids] of byIndex) {
      const found = await cluster.request<{
        docs: { _id: string; found: boolean; _source?: unknown }[];
      }>({ method: "POST", path: `/${index}/_mget`, body: { ids } });
      for (const doc of found.body.docs) {
        const want = this.expected.get(doc._id);
        const got = doc.found ? JSON.stringify(doc._source) : null;
        if (got !== want) wrong.push(`${index}/${doc._id}: want ${want}, ${side} has ${got}`);
      }
    }
    assert.deepEqual(wrong.slice(0, 20), [], `${context}: ${wrong.length} document(s) differ on the ${side}`);
  }
}

interface Sample {
  readonly before: string;
  readonly status: number;
  readonly after: string;
}

export class SplitBrainProbe {
  readonly violations: Sample[] = [];
  /** Samples taken while the gateway stayed in target mode: how often the check could have failed. */
  targetSamples = 0;
  samples = 0;
  readonly #url: string;
  readonly #source: Requester;
  readonly #index: string;
  #running = true;
  #done: Promise<void> | undefined;

  constructor(gatewayUrl: string, source: Requester, index: string) {
    this.#url = gatewayUrl;
    this.#source = source;
    this.#index = index;
  }

  start(): void {
    this.#done = this.#loop();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  async #loop(): Promise<void> {
    while (this.#running) {
      const before = await gatewayModeOf(this.#url);
      // The same document every time, so the probe never makes the two clusters' contents differ.
      const res = await this.#source.request({
        method: "PUT",
        path: `/${this.#index}/_doc/probe`,
        body: { probe: true },
        allowStatus: [403],
      });
      const after = await gatewayModeOf(this.#url);
      this.samples++;
      if (before === "target" && after === "target") {
        this.targetSamples++;
        if (res.status !== 403) this.violations.push({ before, status: res.status, after });
      }
      await delay(15);
    }
  }
}
