import type { Requester } from "../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import { type Body, bodyFormat, byQueryIndex, JSON_TYPE, renamePath } from "../gateway/index.ts";
import { mgetErrorType, parseMget } from "../json/index.ts";
import type { Logger } from "../log/index.ts";
import { type DeadLetter, docDeadLetter, writeDeadLetters } from "./dead-letter.ts";
import { mirrorMadeIndex } from "./index-made.ts";
import type { ReplayMetrics } from "./metrics.ts";
import { portableRequest } from "./portable.ts";

/** Where an action came from in the log (for dead letters) and when the gateway accepted it. */
interface Origin {
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs: number;
}

/**
 * What replay does to the target. Every document action is absolute (the whole document, a delete,
 * or "copy whatever the source holds now"), so applying one twice is harmless: that is what makes
 * replay at-least-once yet exact. Actions on one document are never collapsed into the last one: an
 * earlier write can auto-create the index or add fields to its mapping, and the target must get both.
 */
export type Action =
  | (Origin & {
      readonly kind: "index";
      readonly index: string;
      readonly id: string;
      readonly routing: string | undefined;
      readonly pipeline: string | undefined;
      /** The document's bytes as the client sent them (or the source returned them). */
      readonly doc: Body;
    })
  | (Origin & {
      readonly kind: "delete" | "copy";
      readonly index: string;
      readonly id: string;
      readonly routing: string | undefined;
    })
  | (Origin & {
      readonly kind: "request";
      readonly method: string;
      readonly path: string;
      readonly body: Body | undefined;
    })
  | (Origin & {
      /** A write the source refused, after it made the write's index (see index-made.ts). */
      readonly kind: "index-made";
      readonly index: string;
    });

type DocAction = Extract<Action, { kind: "index" | "delete" | "copy" }>;

export interface ApplyResult {
  applied: number;
  resolved: number;
  deadLettered: number;
}

export interface TargetWriterOptions {
  readonly source: Requester;
  readonly target: Requester;
  readonly rename: Readonly<Record<string, string>>;
  readonly batchSize: number;
  readonly maxAttempts: number;
  readonly deadLetterPath: string;
  readonly logger: Logger;
  readonly metrics: ReplayMetrics;
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE_ITEM = new Set([429, 500, 502, 503, 504]);

/**
 * mget errors that say the key itself is invalid on the source (an empty `_id`; an alias that resolves
 * to several indices and has no write index), as opposed to a cluster that cannot answer right now.
 */
const UNREADABLE_KEY = new Set(["illegal_argument_exception", "action_request_validation_exception"]);

/** Admin replays that find the target already in the wanted state. */
const ALREADY_DONE = /resource_already_exists_exception|index_not_found_exception|not_found/;

export class TargetWriter {
  readonly #o: TargetWriterOptions;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: TargetWriterOptions) {
    this.#o = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Applies actions in order; resolves once the target acknowledged all (or they are dead-lettered). */
  async apply(actions: readonly Action[]): Promise<ApplyResult> {
    const result: ApplyResult = { applied: 0, resolved: 0, deadLettered: 0 };
    let docs: DocAction[] = [];
    const flush = async () => {
      if (docs.length > 0) await this.#applyDocs(docs, result);
      docs = [];
    };
    for (const action of actions) {
      if (action.kind === "request") {
        // Ordering across documents matters here (a delete-by-query after the index calls it covers).
        await flush();
        await this.#applyRequest(action, result);
        continue;
      }
      if (action.kind === "index-made") {
        await flush();
        await this.#applyIndexMade(action, result);
        continue;
      }
      docs.push(action);
      if (docs.length >= this.#o.batchSize) await flush();
    }
    await flush();
    return result;
  }

  #rename(index: string): string {
    return this.#o.rename[index] ?? index;
  }

  async #applyDocs(actions: readonly DocAction[], result: ApplyResult): Promise<void> {
    const resolved = await this.#copyFromSource(actions.filter((a) => a.kind === "copy"));
    result.resolved += resolved.size;
    let run: DocAction[] = [];
    for (const action of actions) {
      const effective = action.kind === "copy" ? resolved.get(action) : action;
      // A copy the source cannot even look up (see UNREADABLE_KEY) leaves nothing to apply.
      if (effective === undefined) continue;
      if (effective.kind === "index" && !fitsJsonBulk(effective.doc)) {
        // Its own request, after everything logged before it: order decides the final document and
        // which write's dynamic mapping wins.
        await this.#bulkInOrder(run, result);
        run = [];
        await this.#applySingle(effective, result);
      } else {
        run.push(effective);
      }
    }
    await this.#bulkInOrder(run, result);
  }

  /**
   * One `_bulk` (a shard applies its items in request order), retried for the items that failed
   * transiently. A retried item takes every later item on the same document with it, so a retry never
   * lands an older version over a newer one.
   */
  async #bulkInOrder(items: readonly DocAction[], result: ApplyResult) {
    const lines = items.map((item) => this.#bulkLines(item));
    let pending = items.map((_, i) => i);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const body = joinLines(pending.flatMap((i) => lines[i] ?? []));
      const statuses = await this.#bulk(body, pending.length);
      const retry: number[] = [];
      const retriedDocs = new Set<string>();
      const dead: DeadLetter[] = [];
      pending.forEach((i, k) => {
        const item = items[i] as DocAction;
        const key = docKey(item);
        const outcome = statuses[k] ?? { status: 0, error: "no item in the _bulk answer" };
        if (retriedDocs.has(key)) {
          retry.push(i);
        } else if (
          (outcome.status >= 200 && outcome.status < 300) ||
          (item.kind === "delete" && outcome.status === 404)
        ) {
          result.applied++;
          this.#o.metrics.applyDelay.observe((Date.now() - item.timestampMs) / 1000);
        } else if (RETRYABLE_ITEM.has(outcome.status) || outcome.status === 0) {
          retry.push(i);
          retriedDocs.add(key);
        } else {
          dead.push(docDeadLetter(item, outcome.status, outcome.error));
        }
      });
      this.#deadLetter(dead, result);
      if (retry.length > 0) await this.#pause(attempt, `${retry.length} document(s) still failing`);
      pending = retry;
    }
  }

  /** The `_bulk` lines of one item: the action, and the document's own bytes for an index. */
  #bulkLines(item: DocAction): Buffer[] {
    const meta = {
      _index: this.#rename(item.index),
      _id: item.id,
      ...(item.routing === undefined ? {} : { routing: item.routing }),
    };
    // Copies arrive here resolved (to an index, or a delete when the source no longer has the document).
    if (item.kind !== "index") return [Buffer.from(JSON.stringify({ delete: meta }))];
    const pipeline = item.pipeline === undefined ? {} : { pipeline: item.pipeline };
    return [Buffer.from(JSON.stringify({ index: { ...meta, ...pipeline } })), item.doc.bytes];
  }

  /** Sleeps before retry round `attempt + 1`, or throws once the attempts are spent. */
  async #pause(attempt: number, what: string): Promise<void> {
    if (attempt >= this.#o.maxAttempts) throw gaveUp(what, attempt);
    this.#o.metrics.retries.inc();
    await this.#sleep(Math.min(10_000, 100 * 2 ** attempt));
  }

  /**
   * A document that cannot ride in a JSON `_bulk` line (YAML, CBOR or SMILE bytes, or JSON spread over
   * several lines) is indexed on its own, with its own Content-Type: the target stores the very bytes
   * the source stored.
   */
  async #applySingle(action: Extract<DocAction, { kind: "index" }>, result: ApplyResult): Promise<void> {
    const path = `/${encodeURIComponent(this.#rename(action.index))}/_doc/${encodeURIComponent(action.id)}`;
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let reason = "";
      try {
        const response = await this.#o.target.request({
          method: "PUT",
          path,
          querystring: { routing: action.routing, pipeline: action.pipeline },
          body: action.doc.bytes,
          headers: { "content-type": action.doc.contentType, accept: JSON_TYPE },
          allowStatus: [400, 403, 404, 405, 409, 413, 429],
        });
        status = response.status;
        reason = describe((response.body as { error?: unknown } | undefined)?.error);
      } catch (error) {
        if (!isBluegreenError(error) || !error.retryable) throw error;
        status = 0;
        reason = error.message;
      }
      if (status >= 200 && status < 300) {
        result.applied++;
        this.#o.metrics.applyDelay.observe((Date.now() - action.timestampMs) / 1000);
        return;
      }
      if (status !== 0 && !RETRYABLE_ITEM.has(status)) {
        this.#deadLetter([docDeadLetter(action, status, reason)], result);
        return;
      }
      await this.#pause(attempt, `${action.index}/${action.id} still failing: ${reason}`);
    }
  }

  /** One `_bulk` call; resolves with each item's status (0 when the whole call failed transiently). */
  async #bulk(body: Buffer, count: number): Promise<{ status: number; error?: string }[]> {
    try {
      const response = await this.#o.target.request<{
        items?: Record<string, { status: number; error?: unknown }>[];
      }>({
        method: "POST",
        path: "/_bulk",
        bulkBody: body,
        // Every action is absolute, so repeating the whole request is safe.
        idempotent: true,
      });
      return (response.body.items ?? []).map((item) => {
        const detail = Object.values(item)[0];
        return {
          status: detail?.status ?? 0,
          ...(detail?.error === undefined ? {} : { error: describe(detail.error) }),
        };
      });
    } catch (error) {
      if (isBluegreenError(error) && error.retryable)
        return Array.from({ length: count }, () => ({ status: 0, error: error.message }));
      throw error;
    }
  }

  /**
   * Reads the documents whose outcome is unknown (or that were updated) from the source, as they are
   * now. The answer is read as text and each `_source` taken as the exact JSON the source returned.
   */
  async #copyFromSource(copies: readonly DocAction[]): Promise<Map<DocAction, DocAction>> {
    const out = new Map<DocAction, DocAction>();
    if (copies.length === 0) return out;
    const docs = copies.map((c) => ({
      _index: c.index,
      _id: c.id,
      ...(c.routing === undefined ? {} : { routing: c.routing }),
    }));
    const response = await this.#o.source.request<string>({
      method: "POST",
      path: "/_mget",
      body: { docs },
      idempotent: true,
      raw: true,
    });
    const found = parseMget(response.body);
    copies.forEach((copy, i) => {
      const doc = found[i];
      const error = doc?.error === undefined ? undefined : mgetErrorType(doc.error);
      if (error !== undefined && UNREADABLE_KEY.has(error)) {
        // The source refuses the key itself (an empty _id, an alias with no write index): no document
        // can live there, so the write this copy stands for was refused too and the target gets nothing.
        this.#o.logger.warn(
          { index: copy.index, id: copy.id, error },
          "a write whose outcome was not logged names a document the source cannot hold; nothing to copy",
        );
        return;
      }
      if (error !== undefined && error !== "index_not_found_exception") {
        throw new BluegreenError(
          "BG_REPLAY_TARGET",
          `Reading ${copy.index}/${copy.id} from the source failed: ${error}.`,
          {
            fix: "Check the source cluster's health; replay resumes from the same position when rerun.",
            retryable: true,
          },
        );
      }
      out.set(
        copy,
        doc?.source !== undefined
          ? {
              ...copy,
              kind: "index",
              pipeline: undefined,
              doc: { bytes: Buffer.from(doc.source), contentType: JSON_TYPE },
            }
          : { ...copy, kind: "delete" },
      );
    });
    return out;
  }

  async #applyRequest(action: Extract<Action, { kind: "request" }>, result: ApplyResult): Promise<void> {
    const portable = portableRequest(renamePath(action.path, this.#o.rename), action.body);
    const path = portable.path;
    if (portable.dropped.length > 0)
      this.#o.logger.warn(
        { method: action.method, path: path.split("?")[0], dropped: portable.dropped },
        "replay leaves out settings the target cannot take (allocation filters naming the source's nodes, soft deletes off)",
      );
    if (portable.empty) {
      result.applied++;
      return;
    }
    const body = portable.body;
    const refresh = byQueryIndex(path);
    if (refresh !== undefined)
      await this.#o.target.request({ method: "POST", path: `/${refresh}/_refresh`, allowStatus: [404] });
    for (let attempt = 1; ; attempt++) {
      let status: number;
      let reason = "";
      try {
        const response = await this.#o.target.request({
          method: action.method as "PUT",
          path,
          // The answer in JSON whatever the body's format: its error decides retry or dead letter.
          ...(body === undefined
            ? { headers: { accept: JSON_TYPE } }
            : { body: body.bytes, headers: { "content-type": body.contentType, accept: JSON_TYPE } }),
          allowStatus: [400, 403, 404, 405, 409],
        });
        status = response.status;
        reason = describe((response.body as { error?: unknown } | undefined)?.error);
      } catch (error) {
        if (!isBluegreenError(error) || !error.retryable) throw error;
        status = 0;
        reason = error.message;
      }
      if (
        (status >= 200 && status < 300) ||
        ALREADY_DONE.test(reason) ||
        // Unregistering a repository the target never had; a restore from it must still fail.
        (action.method === "DELETE" && reason.includes("repository_missing_exception"))
      ) {
        result.applied++;
        this.#o.metrics.applyDelay.observe((Date.now() - action.timestampMs) / 1000);
        return;
      }
      if (status !== 0 && !RETRYABLE_ITEM.has(status)) {
        this.#deadLetter(
          [{ ...originOf(action), reason, status, request: { method: action.method, path } }],
          result,
        );
        return;
      }
      if (attempt >= this.#o.maxAttempts)
        throw gaveUp(`${action.method} ${path} still failing: ${reason}`, attempt);
      this.#o.metrics.retries.inc();
      await this.#sleep(Math.min(10_000, 100 * 2 ** attempt));
    }
  }

  async #applyIndexMade(action: Extract<Action, { kind: "index-made" }>, result: ApplyResult): Promise<void> {
    const index = this.#rename(action.index);
    const made = await mirrorMadeIndex(this.#o.source, this.#o.target, action.index, index);
    if (made === "made") result.applied++;
    if (typeof made === "object")
      this.#o.logger.warn(
        { index, problem: made.problem },
        "a write the source refused made its index there, and the target would not make it",
      );
  }

  #deadLetter(letters: readonly DeadLetter[], result: ApplyResult): void {
    if (letters.length === 0) return;
    writeDeadLetters(this.#o.deadLetterPath, letters);
    result.deadLettered += letters.length;
    this.#o.logger.warn(
      { count: letters.length, file: this.#o.deadLetterPath, first: letters[0]?.reason },
      "writes dead-lettered",
    );
  }
}

function docKey(action: DocAction): string {
  return `${action.index}\u0000${action.id}\u0000${action.routing ?? ""}`;
}

function originOf(action: Action): Pick<DeadLetter, "logOffset"> {
  return { logOffset: { partition: action.partition, offset: action.offset } };
}

function describe(error: unknown): string {
  if (error === undefined) return "";
  if (typeof error === "string") return error;
  const e = error as { type?: unknown; reason?: unknown };
  return `${String(e.type ?? "error")}: ${String(e.reason ?? "")}`;
}

function gaveUp(what: string, attempts: number): BluegreenError {
  return new BluegreenError(
    "BG_REPLAY_TARGET",
    `Replay to the target stopped after ${attempts} attempts: ${what}.`,
    {
      fix: "Check the target's health (bluegreen clusters check); rerun replay: it resumes from the last acknowledged position.",
      details: { attempts },
    },
  );
}

const LF = 0x0a;

/** JSON without a line feed goes in a `_bulk` line as it is; anything else is indexed on its own. */
function fitsJsonBulk(doc: Body): boolean {
  return bodyFormat(doc.contentType) === "json" && doc.bytes.indexOf(LF) === -1;
}

function joinLines(lines: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  const lf = Buffer.from("\n");
  for (const line of lines) parts.push(line, lf);
  return Buffer.concat(parts);
}
