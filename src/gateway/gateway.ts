import { randomBytes } from "node:crypto";
import { EventEmitter, once } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { CaptureLog, LogPosition } from "../capture/index.ts";
import type { ClusterConfig, GatewaySettings } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import { handleAdmin } from "./admin.ts";
import { ApiKinds } from "./api-kind.ts";
import { BadWrite } from "./bad-write.ts";
import { classify, isMutatingMethod, typeSensitive } from "./classify.ts";
import { drainServer, refuseWhileStopping } from "./drain.ts";
import { openListener } from "./listener.ts";
import { GatewayMetrics, outcomeLabel } from "./metrics.ts";
import type { GatewayMode, ModeStore } from "./mode.ts";
import { isSuccess } from "./records.ts";
import { readBody, sendAnswer, sendError } from "./respond.ts";
import { openShadowReads, type ShadowHooks, type ShadowReads } from "./shadow.ts";
import type { ShadowWindow } from "./shadow-window.ts";
import { forwardHeaders, Upstream, UpstreamFailure } from "./upstream.ts";
import { byQueryIndex, type PreparedWrite, prepareWrite } from "./write.ts";
import { CapturedWrites } from "./write-captured.ts";

export interface GatewayOptions {
  readonly source: ClusterConfig;
  readonly target: ClusterConfig;
  readonly settings: GatewaySettings;
  /** Index renames applied to the target's copy of a write in dual mode (the replayer's rename map). */
  readonly rename: Readonly<Record<string, string>>;
  readonly log: CaptureLog;
  readonly modes: ModeStore;
  readonly logger: Logger;
  /** Metrics created ahead (so the log's commit hook can feed them); a fresh set otherwise. */
  readonly metrics?: GatewayMetrics;
  /** Required when `settings.shadowReads` is above 0. */
  readonly shadow?: ShadowHooks;
}

export interface SwitchResult {
  readonly mode: GatewayMode;
  readonly previous: GatewayMode;
  /** Whether every write started under an earlier mode had finished when the call returned. */
  readonly drained: boolean;
}

/** Headers the gateway never forwards on a write: it recomputes the length and needs a plain answer. */
const WRITE_DROP = ["content-length", "content-encoding", "accept-encoding"] as const;

/**
 * The capturing reverse proxy. Reads stream through untouched; writes are buffered (bounded by
 * `maxBodySize`), parsed, given ids, logged and forwarded according to the mode.
 */
export class Gateway {
  readonly metrics: GatewayMetrics;
  readonly #options: GatewayOptions;
  readonly #source: Upstream;
  readonly #target: Upstream;
  readonly #logger: Logger;
  readonly #changes = new EventEmitter();
  /** Writes in progress, by the mode they are being handled under. */
  readonly #inflight = new Map<GatewayMode, number>();
  readonly #boot = randomBytes(6).toString("base64url");
  readonly #shadow: ShadowReads | undefined;
  readonly #capture: CapturedWrites;
  readonly #apiKinds: ApiKinds;
  #mode: GatewayMode;
  #counter = 0;
  #server: Server | undefined;
  /** Requests being handled (reads and writes), so a stop can wait for them. */
  #active = 0;
  #closing = false;

  constructor(options: GatewayOptions) {
    this.#options = options;
    this.metrics = options.metrics ?? new GatewayMetrics();
    this.#logger = options.logger.child({ component: "gateway" });
    this.#source = new Upstream(options.source, options.settings.requestTimeoutMs);
    this.#target = new Upstream(options.target, options.settings.requestTimeoutMs);
    // A first start captures: nothing reaches the source unlogged from the moment clients move over.
    this.#mode = options.modes.load() ?? "capture";
    this.metrics.setMode(this.#mode);
    this.#changes.setMaxListeners(0);
    this.#shadow = openShadowReads(options, this.#mode, this.metrics);
    this.#capture = new CapturedWrites(options.log, options.settings.log, this.metrics, this.#logger);
    this.#apiKinds = new ApiKinds(options.source, options.target);
  }

  /** The shadow reads' counts since their window opened; undefined when shadow reads are off. */
  shadowWindow(): ShadowWindow | undefined {
    return this.#shadow?.window();
  }

  get mode(): GatewayMode {
    return this.#mode;
  }

  logEnd(): Promise<LogPosition> {
    return this.#options.log.end();
  }

  get inflightWrites(): number {
    let total = 0;
    for (const n of this.#inflight.values()) total += n;
    return total;
  }

  /**
   * Persists and applies a mode, then waits (up to the request timeout) for writes still running under
   * the previous modes to finish, so that "fenced" returning means no write is on its way to the source.
   */
  async setMode(mode: GatewayMode): Promise<SwitchResult> {
    const previous = this.#mode;
    if (mode !== previous) {
      this.#options.modes.save(mode, previous);
      this.#mode = mode;
      this.metrics.setMode(mode);
      this.#shadow?.modeChanged(mode);
      this.#logger.info({ from: previous, to: mode }, "mode switched");
      this.#changes.emit("mode", mode);
    }
    const deadline = Date.now() + this.#options.settings.requestTimeoutMs;
    while (this.#othersInflight(mode) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    return { mode, previous, drained: this.#othersInflight(mode) === 0 };
  }

  #othersInflight(mode: GatewayMode): number {
    let total = 0;
    for (const [m, n] of this.#inflight) if (m !== mode) total += n;
    return total;
  }

  async listen(host: string, port: number): Promise<{ host: string; port: number; url: string }> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      if (this.#closing) return refuseWhileStopping(res);
      this.#active++;
      res.once("close", () => this.#active--);
      this.#handle(req, res).catch((error: unknown) => {
        this.#logger.error({ err: error instanceof Error ? error.message : String(error) }, "request failed");
        sendError(res, 500, "the gateway failed unexpectedly; see its log");
      });
    };
    const { server, ...where } = await openListener(handler, host, port, this.#options.settings.tls);
    this.#server = server;
    return where;
  }

  /**
   * Stops accepting connections, answers requests that still arrive on open ones with 503, and waits
   * up to `drainMs` (default the request timeout) for those in progress, so every write a client got
   * a 2xx for has its outcome logged; then cuts what is left. `drained` says whether all finished.
   */
  async close(drainMs = this.#options.settings.requestTimeoutMs): Promise<{ drained: boolean }> {
    this.#closing = true;
    const server = this.#server;
    const drained = server === undefined ? true : await drainServer(server, () => this.#active, drainMs);
    if (!drained) this.#logger.warn("stopped with requests still in progress; they were cut");
    await Promise.all([
      this.#source.close(),
      this.#target.close(),
      this.#shadow?.close(),
      this.#apiKinds.close(),
    ]);
    this.metrics.close();
    return { drained };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname.startsWith("/_bluegreen/") || pathname === "/_bluegreen") {
      await handleAdmin(this, req, res, pathname, this.#options.settings.adminToken);
      return;
    }
    const method = req.method ?? "GET";
    const started = performance.now();
    const arrivedIn = this.#mode;
    const typed = isMutatingMethod(method) && (await this.#routesTypes(arrivedIn, pathname, res));
    if (typed === undefined) return;
    const cls = classify(method, pathname, typed);
    if (cls.kind === "read") {
      const mode = arrivedIn;
      const upstream = mode === "target" ? this.#target : this.#source;
      // Picked for a shadow read: the bytes are copied on their way, compared once the client has them.
      const shadow = this.#shadow?.begin(mode, method, pathname, url, req.headers);
      try {
        await upstream.stream(req, res, url, shadow?.tap);
        this.#observe(mode, "read", outcomeLabel(res.statusCode), started);
        // An answer cut midway (the cluster or the client went away) is not compared.
        if (res.writableFinished) shadow?.answered();
        else shadow?.abandon();
      } catch (error) {
        shadow?.abandon();
        this.#observe(mode, "read", "failed", started);
        if (!(error instanceof UpstreamFailure)) throw error;
        sendError(res, 502, error.message);
      }
      return;
    }
    const rid = `${this.#boot}.${(this.#counter++).toString(36)}`;
    let body: Buffer;
    try {
      body = await readBody(req, this.#options.settings.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BadWrite)) throw error;
      return this.#refuse(arrivedIn, rid, method, pathname, error, started, res);
    }
    // The mode as the body is complete, not as the request began: a fence set while the body was on
    // its way waits only for writes counted in flight (from `#write` on, with no await between), so a
    // write still under the old mode would reach a source that cutover has since blocked.
    const mode = this.#mode;
    if (side(mode) !== side(arrivedIn) && typeSensitive(pathname)) {
      // What the path means was asked of the other cluster; never forwarded, so a retry is safe.
      sendError(res, 503, "the gateway switched clusters while this request arrived; retry", {
        "retry-after": "1",
      });
      this.#observe(mode, "write", outcomeLabel(503), started);
      return;
    }
    let prepared: PreparedWrite;
    try {
      prepared = prepareWrite(cls, {
        method,
        pathname,
        query: new URLSearchParams(q === -1 ? "" : url.slice(q + 1)),
        body,
        contentType: req.headers["content-type"],
        rid,
        assignIds:
          this.#options.settings.assignIds && (mode === "capture" || mode === "dual" || mode === "fenced"),
      });
    } catch (error) {
      if (!(error instanceof BadWrite)) throw error;
      return this.#refuse(mode, rid, method, pathname, error, started, res);
    }
    this.metrics.phase("parse", (performance.now() - started) / 1000);
    const headers = forwardHeaders(req.headers, WRITE_DROP);
    const status = await this.#write(mode, prepared, headers, res, rid);
    this.#observe(mode, "write", status === 0 ? "failed" : outcomeLabel(status), started);
    this.#logger.debug(
      { rid, mode, method, path: pathname, status, ms: performance.now() - started },
      "write",
    );
  }

  #refuse(
    mode: GatewayMode,
    rid: string,
    method: string,
    path: string,
    error: BadWrite,
    started: number,
    res: ServerResponse,
  ): void {
    this.#observe(mode, "write", "rejected", started);
    this.#logger.info({ rid, method, path, status: error.status, reason: error.message }, "write refused");
    // A 413 leaves the rest of the body unread: close the connection rather than read it.
    sendError(
      res,
      error.status,
      error.message,
      error.status === 413 ? { connection: "close" } : {},
      error.type,
    );
  }

  /**
   * Whether the cluster this request goes to routes the typed API, asked only for a path whose meaning
   * depends on it (most requests: false at once). Undefined after answering 502: it cannot be told.
   */
  async #routesTypes(mode: GatewayMode, pathname: string, res: ServerResponse): Promise<boolean | undefined> {
    if (!typeSensitive(pathname)) return false;
    const which = side(mode);
    try {
      return await this.#apiKinds.typed(which);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ side: which, path: pathname, err: reason }, "could not read the cluster's version");
      sendError(
        res,
        502,
        `the gateway could not read the ${which} cluster's version, which decides what ${pathname} means there (a typed path before OpenSearch 2.0): ${reason}`,
      );
      return undefined;
    }
  }

  #observe(mode: GatewayMode, kind: "read" | "write", outcome: string, started: number): void {
    this.metrics.request(mode, kind, outcome, (performance.now() - started) / 1000);
  }

  /** Handles a write under `mode`; resolves with the status sent to the client (0 = no answer). */
  async #write(
    mode: GatewayMode,
    prepared: PreparedWrite,
    headers: Record<string, string | string[]>,
    res: ServerResponse,
    rid: string,
  ): Promise<number> {
    this.#inflight.set(mode, (this.#inflight.get(mode) ?? 0) + 1);
    try {
      switch (mode) {
        case "capture":
          return await this.#capture.write(prepared, this.#source, "source", headers, res);
        case "dual":
          return await this.#dual(prepared, headers, res, rid);
        case "target":
          if (this.#options.settings.captureInTargetMode)
            return await this.#capture.write(prepared, this.#target, "target", headers, res);
          return await this.#plain(prepared, this.#target, headers, res);
        case "fenced":
          return await this.#fenced(prepared, headers, res, rid);
        default:
          return mode satisfies never;
      }
    } finally {
      this.#inflight.set(mode, (this.#inflight.get(mode) ?? 1) - 1);
    }
  }

  async #fenced(
    prepared: PreparedWrite,
    headers: Record<string, string | string[]>,
    res: ServerResponse,
    rid: string,
  ): Promise<number> {
    const hold = this.#options.settings.fenceHoldMs;
    if (this.#mode === "fenced" && hold > 0) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), hold);
      try {
        await once(this.#changes, "mode", { signal: ac.signal });
      } catch {
        // The hold ran out while still fenced.
      } finally {
        clearTimeout(timer);
      }
    }
    if (this.#mode !== "fenced") return this.#write(this.#mode, prepared, headers, res, rid);
    const seconds = Math.ceil(this.#options.settings.retryAfterMs / 1000);
    sendError(res, 503, `writes are fenced while a cutover drains; retry after ${seconds}s`, {
      "retry-after": String(seconds),
    });
    return 503;
  }

  async #plain(
    prepared: PreparedWrite,
    upstream: Upstream,
    headers: Record<string, string | string[]>,
    res: ServerResponse,
  ): Promise<number> {
    try {
      const answer = await upstream.send(prepared.method, prepared.path, headers, prepared.body);
      sendAnswer(res, answer.status, answer.headers, answer.body);
      return answer.status;
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      sendError(res, 502, error.message);
      return 502;
    }
  }

  async #dual(
    prepared: PreparedWrite,
    headers: Record<string, string | string[]>,
    res: ServerResponse,
    rid: string,
  ): Promise<number> {
    let source: Awaited<ReturnType<Upstream["send"]>>;
    try {
      source = await this.#source.send(prepared.method, prepared.path, headers, prepared.body);
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      sendError(res, 502, error.message);
      return 502;
    }
    // Source first, then target: the target never gets a write the source did not see.
    const renamed = prepared.renamed(this.#options.rename);
    const refresh = byQueryIndex(renamed.path);
    const sourceItems = prepared.outcomes(source.status, source.body);
    let targetStatus = new Map<number, number>();
    let targetError: string | undefined;
    try {
      if (refresh !== undefined) await this.#target.send("POST", `/${refresh}/_refresh`, headers, undefined);
      const target = await this.#target.send(prepared.method, renamed.path, headers, renamed.body);
      targetStatus = new Map(prepared.outcomes(target.status, target.body).map((o) => [o.n, o.status]));
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      targetError = error.message;
    }
    const divergent = sourceItems
      .filter((o) => isSuccess(o.status) !== isSuccess(targetStatus.get(o.n) ?? 0))
      .map((o) => ({ n: o.n, source: o.status, target: targetStatus.get(o.n) ?? 0, doc: o.doc }));
    if (divergent.length > 0) {
      this.metrics.divergences.inc(divergent.length);
      this.#logger.warn(
        {
          rid,
          method: prepared.method,
          path: prepared.path.split("?")[0],
          divergent: divergent.slice(0, 20),
          targetError,
        },
        "dual write diverged",
      );
    }
    sendAnswer(res, source.status, source.headers, source.body);
    return source.status;
  }
}

/** The cluster a request in this mode is read from, and whose API decides what its path means. */
function side(mode: GatewayMode): "source" | "target" {
  return mode === "target" ? "target" : "source";
}
