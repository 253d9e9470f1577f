import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import { failureToError, type RequestContext, responseToError, TransportFailure } from "./errors.ts";
import { type ClusterFacts, detectFacts } from "./facts.ts";
import { type IndexInfo, listIndices } from "./indices.ts";
import type { OfficialTransport } from "./official-client.ts";
import type { ClusterRequest, ClusterResponse, Dispatch, Requester } from "./types.ts";

export interface ClusterInit {
  readonly name: string;
  readonly client: OfficialTransport;
  /** The composed dispatch (retry, logging, timeout around the client's transport). */
  readonly dispatch: Dispatch;
  readonly authType: RequestContext["authType"];
  readonly timeoutMs: number;
}

export interface FactsOptions {
  /** Detect again instead of returning the cached result. */
  readonly refresh?: boolean;
}

/**
 * One cluster, as the rest of bluegreen talks to it. `request` never rejects with anything but a
 * BluegreenError, except for the caller's own cancellation, which rejects with `signal.reason`.
 */
export class Cluster implements Requester {
  readonly name: string;
  /** The official client's transport and connection pool, under `#dispatch`; held to close them. */
  readonly #client: OfficialTransport;
  readonly #dispatch: Dispatch;
  readonly #authType: RequestContext["authType"];
  readonly #timeoutMs: number;
  #facts: Promise<ClusterFacts> | undefined;

  constructor(init: ClusterInit) {
    this.name = init.name;
    this.#client = init.client;
    this.#dispatch = init.dispatch;
    this.#authType = init.authType;
    this.#timeoutMs = init.timeoutMs;
  }

  /**
   * Sends a request. Statuses of 400 and above become errors unless listed in `allowStatus`; a HEAD
   * answered 404 is an answer ("does not exist"), not an error. The body is the parsed JSON, typed by
   * the caller's `T` without validation.
   */
  async request<T = unknown>(request: ClusterRequest): Promise<ClusterResponse<T>> {
    const path = request.path.startsWith("/") ? request.path : `/${request.path}`;
    const context: RequestContext = {
      cluster: this.name,
      method: request.method,
      path,
      timeoutMs: request.timeoutMs ?? this.#timeoutMs,
      authType: this.#authType,
    };
    let response: ClusterResponse;
    try {
      response = await this.#dispatch({ ...request, path });
    } catch (error) {
      if (request.signal?.aborted && error === request.signal.reason) throw error;
      throw this.#toError(error, context);
    }
    const allowed =
      response.status < 400 ||
      request.allowStatus?.includes(response.status) === true ||
      (request.method === "HEAD" && response.status === 404);
    if (!allowed) throw responseToError(response, context);
    return response as ClusterResponse<T>;
  }

  /** Distribution, version, health, plugins and capabilities; detected once, then cached. */
  facts(options: FactsOptions = {}): Promise<ClusterFacts> {
    if (this.#facts === undefined || options.refresh === true) {
      const pending = detectFacts(this, this.name);
      this.#facts = pending;
      // A failed detection must not stick: the next call tries again.
      pending.catch(() => {
        if (this.#facts === pending) this.#facts = undefined;
      });
    }
    return this.#facts;
  }

  /** Indices matching a selection (all by default), hidden and closed ones included, sorted by name. */
  indices(selection?: string | readonly string[]): Promise<IndexInfo[]> {
    return listIndices(this, selection);
  }

  async close(): Promise<void> {
    await this.#client.close();
  }

  #toError(error: unknown, context: RequestContext): BluegreenError {
    if (isBluegreenError(error)) return error;
    if (error instanceof TransportFailure) return failureToError(error, context);
    const message = error instanceof Error ? error.message : String(error);
    return new BluegreenError(
      "BG_INTERNAL",
      `Request ${context.method} ${context.path} to cluster "${context.cluster}" failed unexpectedly: ${message}`,
      { cause: error, details: { cluster: context.cluster, method: context.method, path: context.path } },
    );
  }
}
