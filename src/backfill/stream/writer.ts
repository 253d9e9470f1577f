/** The write half of the stream copier: parallel `_bulk` with adaptive size and concurrency. */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Cluster } from "../../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import { fromBytes, toBytes } from "../../json/index.ts";
import { type Adaptive, type Gate, sleep, type Throttle, throttled } from "./limits.ts";

/** One document as read from the source, its `_source` already serialised. */
export interface StreamDoc {
  readonly id: string;
  readonly routing?: string;
  /** Literal text (see RawHit._version). */
  readonly version?: string;
  /** The `_source` JSON as a byte string (json/bytes-text.ts): written into the body byte for byte. */
  readonly source: string;
}

/** The writer's shared machinery; one per process, so every index competes for the same limits. */
export interface WriterShared {
  readonly adaptive: Adaptive;
  readonly gate: Gate;
  readonly throttle: Throttle;
}

export interface WriterOptions {
  readonly target: Cluster;
  readonly index: string;
  readonly externalVersions: boolean;
  /** File that rejected documents are appended to (NDJSON), named in the error. */
  readonly failedDocsFile: string;
  readonly signal: AbortSignal;
  readonly maxAttempts?: number;
  readonly timeoutMs?: number;
}

interface BulkItemResult {
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string };
}

interface BulkResponse {
  readonly errors?: boolean;
  readonly items?: readonly Record<string, BulkItemResult>[];
}

/** Statuses and error types that mean "not now": the item is sent again, alone with its peers. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
const RETRYABLE_TYPES = new Set([
  "es_rejected_execution_exception",
  "opensearch_rejected_execution_exception",
  "circuit_breaking_exception",
  "unavailable_shards_exception",
  "process_cluster_event_timeout_exception",
  "node_not_connected_exception",
  "no_shard_available_action_exception",
]);

export function isRetryableItem(item: BulkItemResult): boolean {
  return RETRYABLE_STATUSES.has(item.status) || RETRYABLE_TYPES.has(item.error?.type ?? "");
}

/** The start of every action line for `index`, up to the `_id`'s value. */
export function actionPrefix(index: string): string {
  return toBytes(`{"index":{"_index":${JSON.stringify(index)},"_id":`);
}

/**
 * The document's action line as a byte string (json/bytes-text.ts), so that it is written into the body
 * like its `_source` and its length is its size. Built from `actionPrefix`: the same text as
 * `JSON.stringify` of the action, without an object per document.
 */
export function actionLine(prefix: string, doc: StreamDoc, externalVersions: boolean): string {
  let rest = JSON.stringify(doc.id);
  if (doc.routing !== undefined) rest += `,"routing":${JSON.stringify(doc.routing)}`;
  // external_gte, not external: a resume writes the same version again and must not conflict.
  if (externalVersions && doc.version !== undefined)
    rest += `,"version":${doc.version},"version_type":"external_gte"`;
  // The prefix is bytes already: only the rest is encoded.
  return prefix + toBytes(`${rest}}}`);
}

interface Rejected {
  readonly meta: DocMeta;
  /** The action and source lines as sent. */
  readonly line: string;
  readonly item: BulkItemResult;
}

interface DocMeta {
  readonly id: string;
  readonly routing?: string;
}

/**
 * One `_bulk` request: each document's action line and `_source` text, and its exact UTF-8 size (the
 * two lines and their newlines). The body is encoded once, straight into a buffer of that size: a
 * joined string would be one more copy of every document, in V8's old generation, per request.
 */
interface Chunk {
  readonly actions: string[];
  readonly sources: string[];
  readonly ids: DocMeta[];
  /** Each document's two lines in bytes; `bytes` is their sum. */
  readonly sizes: number[];
  bytes: number;
}

function emptyChunk(): Chunk {
  return { actions: [], sources: [], ids: [], sizes: [], bytes: 0 };
}

/** A byte string's length is its size in bytes; the two newlines make the rest. */
function lineBytes(action: string, source: string): number {
  return action.length + source.length + 2;
}

function add(chunk: Chunk, action: string, source: string, meta: DocMeta, bytes: number): void {
  chunk.actions.push(action);
  chunk.sources.push(source);
  chunk.ids.push(meta);
  chunk.sizes.push(bytes);
  chunk.bytes += bytes;
}

/** The document's lines as text, for the failed-documents file and the error. */
function lineOf(chunk: Chunk, i: number): string {
  return `${fromBytes(chunk.actions[i] as string)}\n${fromBytes(chunk.sources[i] as string)}\n`;
}

/**
 * Bulk bodies, reused. A fresh buffer per request (megabytes each) faults its pages in on first touch
 * and adds to V8's external memory. A body comes back only after a 2xx answer: OpenSearch reads a
 * whole request before it answers, so by then no write of the buffer is pending. After any other
 * outcome (a timeout, a reset, an early refusal) its buffer is dropped.
 */
const spareBodies: Buffer[] = [];
const SPARE_BODIES = 8;
const BODY_ROUNDING = 64 * 1024;

function bodyBuffer(size: number): Buffer {
  const i = spareBodies.findIndex((b) => b.length >= size);
  if (i >= 0) return spareBodies.splice(i, 1)[0] as Buffer;
  return Buffer.allocUnsafe(Math.ceil(size / BODY_ROUNDING) * BODY_ROUNDING);
}

function spareBody(buffer: Buffer): void {
  if (spareBodies.length < SPARE_BODIES) spareBodies.push(buffer);
}

/** The chunk's body, written at the start of `into` (at least `chunk.bytes` long). */
function encode(chunk: Chunk, into: Buffer): Buffer {
  const body = into.subarray(0, chunk.bytes);
  let at = 0;
  for (let i = 0; i < chunk.ids.length; i++) {
    at += body.write(chunk.actions[i] as string, at, "latin1");
    body[at++] = 10;
    at += body.write(chunk.sources[i] as string, at, "latin1");
    body[at++] = 10;
  }
  if (at !== body.length) throw new Error(`bulk body size ${at} is not the ${body.length} bytes counted`);
  return body;
}

/**
 * Writes documents to one target index. `write` resolves once every document is acknowledged, retrying
 * only the items that failed for a transient reason; a document the target refuses for good (a mapping
 * error) is appended to the failed-documents file and the whole copy stops with an error naming it.
 */
export class BulkWriter {
  readonly #shared: WriterShared;
  readonly #options: WriterOptions;
  readonly #prefix: string;

  constructor(shared: WriterShared, options: WriterOptions) {
    this.#shared = shared;
    this.#options = options;
    this.#prefix = actionPrefix(options.index);
  }

  /** Splits into requests of the current adaptive size and sends them in parallel; returns bytes sent. */
  async write(docs: readonly StreamDoc[]): Promise<number> {
    const chunks: Chunk[] = [];
    let current = emptyChunk();
    let total = 0;
    for (const doc of docs) {
      const action = actionLine(this.#prefix, doc, this.#options.externalVersions);
      const bytes = lineBytes(action, doc.source);
      total += bytes;
      if (current.ids.length > 0 && current.bytes + bytes > this.#shared.adaptive.bytes) {
        chunks.push(current);
        current = emptyChunk();
      }
      add(current, action, doc.source, doc, bytes);
    }
    if (current.ids.length > 0) chunks.push(current);
    await Promise.all(chunks.map((c) => this.#send(c)));
    return total;
  }

  async #send(chunk: Chunk): Promise<void> {
    const { signal } = this.#options;
    const maxAttempts = this.#options.maxAttempts ?? 12;
    let pending = chunk;
    let lastCause = "";
    for (let attempt = 1; pending.ids.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw throttled(
          `${pending.ids.length} document(s) for ${this.#options.index}`,
          maxAttempts,
          lastCause,
        );
      }
      if (attempt > 1) await sleep(backoffMs(attempt), signal);
      const wait = this.#shared.throttle.reserve(pending.ids.length, pending.bytes);
      if (wait > 0) await sleep(wait, signal);
      const buffer = bodyBuffer(pending.bytes);
      const body = encode(pending, buffer);
      const outcome = await this.#shared.gate.run(() => this.#post(body), signal);
      if (outcome.kind === "ok") spareBody(buffer);
      if (outcome.kind === "transient") {
        lastCause = outcome.cause;
        this.#shared.adaptive.pressure();
        continue;
      }
      const items = outcome.body.items ?? [];
      if (outcome.body.errors !== true) {
        this.#shared.adaptive.success(outcome.latencyMs);
        return;
      }
      const retry: number[] = [];
      const rejected: Rejected[] = [];
      for (let i = 0; i < pending.ids.length; i++) {
        const item = Object.values(items[i] ?? {})[0] ?? {
          status: 0,
          error: { type: "missing_item", reason: "no item in the response" },
        };
        if (item.status < 300) continue;
        if (item.status === 409 && this.#options.externalVersions) continue; // a newer version is already there
        if (isRetryableItem(item)) retry.push(i);
        else rejected.push({ meta: pending.ids[i] as DocMeta, line: lineOf(pending, i), item });
      }
      if (rejected.length > 0) throw this.#reject(rejected);
      if (retry.length > 0) {
        this.#shared.adaptive.pressure();
        const first = Object.values(items[retry[0] as number] ?? {})[0];
        lastCause = `${retry.length} item(s) rejected: ${first?.error?.type ?? first?.status}`;
      } else this.#shared.adaptive.success(outcome.latencyMs);
      const next = emptyChunk();
      for (const i of retry)
        add(
          next,
          pending.actions[i] as string,
          pending.sources[i] as string,
          pending.ids[i] as DocMeta,
          pending.sizes[i] as number,
        );
      pending = next;
    }
  }

  async #post(
    body: Buffer,
  ): Promise<{ kind: "ok"; body: BulkResponse; latencyMs: number } | { kind: "transient"; cause: string }> {
    const started = performance.now();
    try {
      const response = await this.#options.target.request<BulkResponse>({
        method: "POST",
        path: "/_bulk",
        querystring: { filter_path: "errors,items.*.status,items.*.error" },
        bulkBody: body,
        // We retry ourselves, item by item; the layer below would resend the whole request.
        idempotent: false,
        allowStatus: [429, 500, 502, 503, 504],
        signal: this.#options.signal,
        ...(this.#options.timeoutMs === undefined ? {} : { timeoutMs: this.#options.timeoutMs }),
      });
      if (response.status >= 300) return { kind: "transient", cause: `HTTP ${response.status}` };
      return { kind: "ok", body: response.body, latencyMs: performance.now() - started };
    } catch (error) {
      if (this.#options.signal.aborted) throw error;
      // Writes are idempotent (same _id, same body), so resending after a lost answer is safe.
      if (isBluegreenError(error) && error.retryable) return { kind: "transient", cause: error.code };
      throw error;
    }
  }

  #reject(rejected: readonly Rejected[]): BluegreenError {
    const file = this.#options.failedDocsFile;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(
      file,
      rejected
        .map(({ meta, line, item }) => {
          const head = JSON.stringify({
            _index: this.#options.index,
            _id: meta.id,
            ...(meta.routing === undefined ? {} : { _routing: meta.routing }),
            status: item.status,
            error: item.error ?? null,
          });
          // The document's own text, spliced in: a parse here would round the numbers it reports.
          const source = line.slice(line.indexOf("\n") + 1).trimEnd();
          return `${head.slice(0, -1)},"_source":${source}}`;
        })
        .join("\n")
        .concat("\n"),
    );
    const shown = rejected
      .slice(0, 5)
      .map(
        ({ meta, item }) =>
          `${meta.id} (${item.error?.type ?? item.status}: ${item.error?.reason ?? "rejected"})`,
      );
    const more = rejected.length > shown.length ? ` and ${rejected.length - shown.length} more` : "";
    return new BluegreenError(
      "BG_BACKFILL_REJECTED",
      `The target rejected ${rejected.length} document(s) of index ${this.#options.index}: ${shown.join("; ")}${more}. They are written to ${file}.`,
      {
        fix: "Fix the target mapping (or the documents, with a backfill.stream.transform module) so the target accepts them, then run backfill again: it resumes from its checkpoints.",
        details: { index: this.#options.index, file, ids: rejected.slice(0, 100).map((r) => r.meta.id) },
      },
    );
  }
}

function backoffMs(attempt: number): number {
  const ceiling = Math.min(10_000, 100 * 2 ** (attempt - 1));
  return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
}
