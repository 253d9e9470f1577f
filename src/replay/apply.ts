import type { Requester } from "../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import { byQueryIndex, renamePath } from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import { type DeadLetter, writeDeadLetters } from "./dead-letter.ts";
import type { ReplayMetrics } from "./metrics.ts";

/** Where an action came from in the log (for dead letters) and when the gateway accepted it. */
interface Origin {
  readonly partition: number;
  readonly offset: number;
  readonly timestampMs: number;
}

/**
 * What replay does to the target. Every document action is absolute (the whole document, a delete,
 * or "copy whatever the source holds now"), so applying one twice is harmless and only the last
 * action per document in a batch matters: that is what makes replay at-least-once yet exact.
 */
export type Action =
  | (Origin & {
      readonly kind: "index";
      readonly index: string;
      readonly id: string;
      readonly routing: string | undefined;
      readonly pipeline: string | undefined;
      readonly doc: unknown;
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
      readonly body: string | undefined;
    });

type DocAction = Exclude<Action, { kind: "request" }>;

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
    let docs = new Map<string, DocAction>();
    const flush = async () => {
      if (docs.size > 0) await this.#applyDocs([...docs.values()], result);
      docs = new Map();
    };
    for (const action of actions) {
      if (action.kind === "request") {
        // Ordering across documents matters here (a delete-by-query after the index calls it covers).
        await flush();
        await this.#applyRequest(action, result);
        continue;
      }
      const key = `${action.index}\u0000${action.id}\u0000${action.routing ?? ""}`;
      if (docs.has(key)) result.applied++;
      docs.delete(key);
      docs.set(key, action);
      if (docs.size >= this.#o.batchSize) await flush();
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
    const items: DocAction[] = [];
    /** The NDJSON lines of each item: action (and document, for index). */
    const lines: string[][] = [];
    for (const action of actions) {
      const effective = action.kind === "copy" ? (resolved.get(action) ?? action) : action;
      const meta = {
        _index: this.#rename(effective.index),
        _id: effective.id,
        ...(effective.routing === undefined ? {} : { routing: effective.routing }),
      };
      if (effective.kind === "index") {
        const pipeline = effective.pipeline === undefined ? {} : { pipeline: effective.pipeline };
        lines.push([JSON.stringify({ index: { ...meta, ...pipeline } }), JSON.stringify(effective.doc)]);
      } else {
        lines.push([JSON.stringify({ delete: meta })]);
      }
      items.push(effective);
    }
    let pending = items.map((_, i) => i);
    for (let attempt = 1; ; attempt++) {
      const body = pending.flatMap((i) => lines[i] ?? []);
      const statuses = await this.#bulk(`${body.join("\n")}\n`, pending.length);
      const retry: number[] = [];
      const dead: DeadLetter[] = [];
      pending.forEach((i, k) => {
        const item = items[i] as DocAction;
        const outcome = statuses[k] ?? { status: 0, error: "no item in the _bulk answer" };
        if (
          (outcome.status >= 200 && outcome.status < 300) ||
          (item.kind === "delete" && outcome.status === 404)
        ) {
          result.applied++;
          this.#o.metrics.applyDelay.observe((Date.now() - item.timestampMs) / 1000);
        } else if (RETRYABLE_ITEM.has(outcome.status) || outcome.status === 0) {
          retry.push(i);
        } else {
          dead.push(deadLetter(item, outcome.status, outcome.error));
        }
      });
      this.#deadLetter(dead, result);
      if (retry.length === 0) return;
      if (attempt >= this.#o.maxAttempts) throw gaveUp(`${retry.length} document(s) still failing`, attempt);
      this.#o.metrics.retries.inc();
      await this.#sleep(Math.min(10_000, 100 * 2 ** attempt));
      pending = retry;
    }
  }

  /** One `_bulk` call; resolves with each item's status (0 when the whole call failed transiently). */
  async #bulk(body: string, count: number): Promise<{ status: number; error?: string }[]> {
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

  /** Reads the documents whose outcome is unknown (or that were updated) from the source, as they are now. */
  async #copyFromSource(copies: readonly DocAction[]): Promise<Map<DocAction, DocAction>> {
    const out = new Map<DocAction, DocAction>();
    if (copies.length === 0) return out;
    const docs = copies.map((c) => ({
      _index: c.index,
      _id: c.id,
      ...(c.routing === undefined ? {} : { routing: c.routing }),
    }));
    const response = await this.#o.source.request<{
      docs: { found?: boolean; _source?: unknown; error?: { type?: string } }[];
    }>({
      method: "POST",
      path: "/_mget",
      body: { docs },
      idempotent: true,
    });
    copies.forEach((copy, i) => {
      const found = response.body.docs[i];
      if (found?.error !== undefined && found.error.type !== "index_not_found_exception") {
        throw new BluegreenError(
          "BG_REPLAY_TARGET",
          `Reading ${copy.index}/${copy.id} from the source failed: ${found.error.type}.`,
          {
            fix: "Check the source cluster's health; replay resumes from the same position when rerun.",
            retryable: true,
          },
        );
      }
      out.set(
        copy,
        found?.found === true
          ? { ...copy, kind: "index", pipeline: undefined, doc: found._source }
          : { ...copy, kind: "delete" },
      );
    });
    return out;
  }

  async #applyRequest(action: Extract<Action, { kind: "request" }>, result: ApplyResult): Promise<void> {
    const path = renamePath(action.path, this.#o.rename);
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
          ...(action.body === undefined ? {} : { body: action.body }),
          allowStatus: [400, 403, 404, 405, 409],
        });
        status = response.status;
        reason = describe((response.body as { error?: unknown } | undefined)?.error);
      } catch (error) {
        if (!isBluegreenError(error) || !error.retryable) throw error;
        status = 0;
        reason = error.message;
      }
      if ((status >= 200 && status < 300) || ALREADY_DONE.test(reason)) {
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

function originOf(action: Action): Pick<DeadLetter, "logOffset"> {
  return { logOffset: { partition: action.partition, offset: action.offset } };
}

export function deadLetter(
  item: DocAction,
  status: number | undefined,
  reason: string | undefined,
): DeadLetter {
  return {
    ...originOf(item),
    reason: reason ?? "rejected by the target",
    status,
    index: item.index,
    id: item.id,
    ...(item.kind === "index" ? { doc: item.doc } : {}),
  };
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
