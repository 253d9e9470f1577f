/**
 * The read half of the stream copier: one slice of one index, page by page. Point-in-time with
 * `search_after` where the source has it (OpenSearch ≥ 2.4), a sliced scroll elsewhere.
 *
 * Slices are always a multiple of the shard count, so every slice reads exactly one shard; within a
 * shard `_doc` is unique, which makes `[_doc]` a complete `search_after` key and keeps sorting free.
 */
import type { Requester } from "../../cluster/index.ts";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import { parseSearchPage, type RawHit, type RawPage } from "../../json/index.ts";

export type ReadMode = "pit" | "scroll";

/**
 * A hit as the copier sees it: metadata parsed, `_source` as the bytes the source sent, in a byte string
 * (json/bytes-text.ts): no UTF-8 decode of the page, none of the source, no encode into the bulk body.
 */
export type Hit = RawHit;

// No `filter_path`: a filtered answer is re-encoded token by token, which rewrites each `_source`
// (`1e3` becomes `1000.0`, `-0` becomes `0`, escapes are decoded). Unfiltered, the cluster copies the
// stored bytes into the answer, and the copier passes them on.

/** Where a slice stands: enough to continue it from another process (PIT mode only). */
export interface SlicePosition {
  readonly pit?: string;
  readonly after?: readonly unknown[];
}

export interface Page {
  readonly hits: readonly Hit[];
  readonly position: SlicePosition;
}

export interface SliceReaderOptions {
  readonly source: Requester;
  readonly index: string;
  readonly mode: ReadMode;
  readonly slice: number;
  readonly slices: number;
  readonly keepAliveMs: number;
  readonly versions: boolean;
  readonly signal: AbortSignal;
}

/** Thrown when a saved PIT is gone (expired, node restarted): the slice starts over, which is safe. */
export class ContextLost extends Error {}

export class SliceReader {
  readonly #o: SliceReaderOptions;
  #pit: string | undefined;
  #after: readonly unknown[] | undefined;
  #scroll: string | undefined;
  #finished = false;

  constructor(options: SliceReaderOptions, from: SlicePosition = {}) {
    this.#o = options;
    // A scroll cannot be resumed by another process or after a crash: scroll slices restart.
    if (options.mode === "pit") {
      this.#pit = from.pit;
      this.#after = from.after;
    }
  }

  get position(): SlicePosition {
    return {
      ...(this.#pit === undefined ? {} : { pit: this.#pit }),
      ...(this.#after === undefined ? {} : { after: this.#after }),
    };
  }

  /** Opens a fresh context when none is held; returns the position to checkpoint. */
  async open(): Promise<SlicePosition> {
    if (this.#o.mode === "pit" && this.#pit === undefined) {
      const res = await this.#o.source.request<{ pit_id: string }>({
        method: "POST",
        path: `/${encodeURIComponent(this.#o.index)}/_search/point_in_time`,
        querystring: { keep_alive: `${Math.ceil(this.#o.keepAliveMs / 1000)}s` },
        signal: this.#o.signal,
      });
      this.#pit = res.body.pit_id;
      this.#after = undefined;
    }
    return this.position;
  }

  async next(size: number): Promise<Page | undefined> {
    if (this.#finished) return undefined;
    const page = this.#o.mode === "pit" ? await this.#pitPage(size) : await this.#scrollPage(size);
    if (page.hits.length === 0) {
      this.#finished = true;
      return undefined;
    }
    if (this.#o.mode === "pit") this.#after = page.after;
    return { hits: page.hits, position: this.position };
  }

  async close(): Promise<void> {
    const options = { method: "DELETE" as const, signal: this.#o.signal, allowStatus: [404] };
    try {
      if (this.#pit !== undefined) {
        await this.#o.source.request({
          ...options,
          path: "/_search/point_in_time",
          body: { pit_id: [this.#pit] },
        });
      }
      if (this.#scroll !== undefined) {
        await this.#o.source.request({
          ...options,
          path: "/_search/scroll",
          body: { scroll_id: [this.#scroll] },
        });
      }
    } catch {
      // A context we fail to free expires by itself after keep_alive.
    }
  }

  #query(size: number): Record<string, unknown> {
    return {
      size,
      sort: ["_doc"],
      // Counting hits costs time on every page; scroll refuses the switch, so only PIT pages skip it.
      ...(this.#o.mode === "pit" ? { track_total_hits: false } : {}),
      ...(this.#o.versions ? { version: true } : {}),
      ...(this.#o.slices > 1 ? { slice: { id: this.#o.slice, max: this.#o.slices } } : {}),
    };
  }

  async #pitPage(size: number): Promise<RawPage> {
    const keepAlive = `${Math.ceil(this.#o.keepAliveMs / 1000)}s`;
    let res: { status: number; body: string };
    try {
      res = await this.#o.source.request<string>({
        method: "POST",
        path: "/_search",
        body: {
          ...this.#query(size),
          pit: { id: this.#pit, keep_alive: keepAlive },
          ...(this.#after === undefined ? {} : { search_after: this.#after }),
        },
        idempotent: true,
        allowStatus: [404],
        raw: true,
        rawBytes: true,
        signal: this.#o.signal,
      });
    } catch (error) {
      if (
        isBluegreenError(error) &&
        /search_context_missing|No search context|point in time/i.test(error.message)
      ) {
        throw new ContextLost(error.message);
      }
      throw this.#readError(error);
    }
    if (res.status === 404) throw new ContextLost(`point in time for ${this.#o.index} is gone`);
    const page = parsePage(res.body);
    if (page.pitId !== undefined) this.#pit = page.pitId;
    return page;
  }

  async #scrollPage(size: number): Promise<RawPage> {
    const keepAlive = `${Math.ceil(this.#o.keepAliveMs / 1000)}s`;
    try {
      const res =
        this.#scroll === undefined
          ? await this.#o.source.request<string>({
              method: "POST",
              path: `/${encodeURIComponent(this.#o.index)}/_search`,
              querystring: { scroll: keepAlive },
              body: this.#query(size),
              idempotent: true,
              raw: true,
              rawBytes: true,
              signal: this.#o.signal,
            })
          : await this.#o.source.request<string>({
              method: "POST",
              path: "/_search/scroll",
              // Not idempotent: a repeated scroll call skips a page. A lost answer restarts the slice.
              body: { scroll: keepAlive, scroll_id: this.#scroll },
              raw: true,
              rawBytes: true,
              signal: this.#o.signal,
            });
      const page = parsePage(res.body);
      this.#scroll = page.scrollId ?? this.#scroll;
      return page;
    } catch (error) {
      throw this.#readError(error);
    }
  }

  #readError(error: unknown): unknown {
    if (this.#o.signal.aborted || !isBluegreenError(error)) return error;
    return new BluegreenError(
      "BG_BACKFILL_SOURCE",
      `Reading slice ${this.#o.slice} of ${this.#o.index} from the source failed: ${error.message}`,
      {
        cause: error,
        retryable: error.retryable,
        fix:
          error.fix ?? "Check the source cluster, then run backfill again: it resumes from its checkpoints.",
        details: { index: this.#o.index, slice: this.#o.slice, code: error.code },
      },
    );
  }
}

/** An answer's text as a page. */
function parsePage(body: unknown): RawPage {
  if (typeof body !== "string") {
    throw new BluegreenError("BG_BACKFILL_SOURCE", "The source answered a search with an unexpected body.", {
      fix: "Check the source cluster (and any proxy in front of it), then run backfill again: it resumes.",
      details: { type: typeof body },
    });
  }
  return parseSearchPage(body, { bytes: true });
}
