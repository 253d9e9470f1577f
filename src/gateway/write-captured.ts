import type { ServerResponse } from "node:http";
import type { CaptureLog, LogRecord } from "../capture/index.ts";
import type { CaptureLogSettings } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { encodeRecord, type Side } from "./records.ts";
import { sendAnswer, sendError } from "./respond.ts";
import { type Upstream, UpstreamFailure } from "./upstream.ts";
import type { PreparedWrite } from "./write.ts";

/**
 * A write under capture: its intent logged before it is forwarded, its outcome logged after. What
 * each crash between those steps leaves, and why it loses no acknowledged write: docs/gateway.md.
 */
export class CapturedWrites {
  readonly #log: CaptureLog;
  readonly #settings: CaptureLogSettings;
  readonly #metrics: GatewayMetrics;
  readonly #logger: Logger;

  constructor(log: CaptureLog, settings: CaptureLogSettings, metrics: GatewayMetrics, logger: Logger) {
    this.#log = log;
    this.#settings = settings;
    this.#metrics = metrics;
    this.#logger = logger;
  }

  async #append(records: readonly LogRecord[], phase: "intent" | "outcome"): Promise<void> {
    const started = performance.now();
    await this.#log.append(records);
    this.#appended(records, phase, started);
  }

  #appended(records: readonly LogRecord[], phase: "intent" | "outcome", started: number): void {
    let bytes = 0;
    for (const r of records) bytes += r.value.byteLength;
    this.#metrics.append(phase, (performance.now() - started) / 1000, bytes);
  }

  #logRefused(res: ServerResponse, error: unknown, fate = "was not forwarded"): number {
    this.#metrics.appendFailures.inc({ phase: "intent" });
    this.#logger.error({ err: (error as Error).message }, "capture log append failed; write refused");
    sendError(res, 503, `the capture log is unavailable, so the write ${fate}: ${(error as Error).message}`, {
      "retry-after": "1",
    });
    return 503;
  }

  /**
   * Intent logged → forward → answer, the outcome logged behind the answer (before it for requests
   * replay cannot settle from the cluster). See records.ts for why two appends, docs/gateway.md for
   * each crash case. With `syncBeforeForward` off, the intent's fsync overlaps the forward.
   */
  async write(
    prepared: PreparedWrite,
    upstream: Upstream,
    side: Side,
    headers: Record<string, string | string[]>,
    res: ServerResponse,
  ): Promise<number> {
    const now = Date.now();
    const intents = prepared.intents.map((i) => encodeRecord({ ...i, side }, now));
    const log = this.#log;
    const staged =
      this.#settings.syncBeforeForward || log.appendStaged === undefined
        ? undefined
        : log.appendStaged(intents);
    const started = performance.now();
    try {
      await (staged === undefined ? log.append(intents) : staged.written);
      this.#appended(intents, "intent", started);
    } catch (error) {
      // Fail closed: a write that cannot be logged is not forwarded.
      return this.#logRefused(res, error);
    }
    const forwarded = performance.now();
    this.#metrics.phase("intent", (forwarded - started) / 1000);
    const answering = upstream.send(prepared.method, prepared.path, headers, prepared.body);
    // Looked at below, maybe only after the fsync: never an unhandled rejection meanwhile.
    const answeredAt = answering.then(
      () => performance.now(),
      () => performance.now(),
    );
    if (staged !== undefined) {
      try {
        await staged.durable;
      } catch (error) {
        // The write went out before its fsync failed: the source may hold it while the log may not.
        // The client gets no success, and the documents are named so an operator can copy them over.
        await answering.catch(() => undefined);
        const docs = prepared.intents.map((i) => (i.t === "op" ? `${i.index}/${i.id ?? ""}` : i.path));
        this.#logger.error(
          { docs: docs.slice(0, 50), count: docs.length },
          "capture log fsync failed after the write was forwarded; the source may hold it without the log: copy these documents to the target",
        );
        return this.#logRefused(res, error, "was forwarded but may be missing from the log");
      }
    }
    const synced = performance.now();
    let answer: Awaited<ReturnType<Upstream["send"]>>;
    try {
      answer = await answering;
    } catch (error) {
      if (!(error instanceof UpstreamFailure)) throw error;
      // Not sent: record that it was never applied. Sent without an answer: leave the outcome unknown
      // on purpose, so the replayer re-reads the document from the source.
      if (!error.sent) await this.#appendOutcome(prepared.outcomes(0, Buffer.alloc(0)), side, false);
      sendError(res, 502, error.message);
      return 502;
    }
    // A document write's outcome stays off the answer's path, and needs no fsync of its own (it rides
    // with the next commit): its intent is durable, and replay settles a lost outcome by copying the
    // documents from the cluster. A by-query or admin request has no such fallback, so its answer
    // waits until the outcome is durable too.
    const answered = await answeredAt;
    this.#metrics.phase("upstream", (answered - forwarded) / 1000);
    if (staged !== undefined) this.#metrics.phase("sync", Math.max(0, synced - answered) / 1000);
    const wait = this.#settings.awaitOutcome || !prepared.resolvable;
    if (wait) {
      const logged = performance.now();
      await this.#appendOutcome(prepared.outcomes(answer.status, answer.body), side, false);
      this.#metrics.phase("outcome", (performance.now() - logged) / 1000);
    }
    const sending = performance.now();
    sendAnswer(res, answer.status, answer.headers, answer.body);
    this.#metrics.phase("answer", (performance.now() - sending) / 1000);
    // Reading a `_bulk` answer into its outcomes costs more CPU than anything else after the forward,
    // so the client gets its answer first. The outcome is queued in the same synchronous run as the
    // answer: no later request from that client can put its intent in the log ahead of it.
    if (!wait) void this.#appendOutcome(prepared.outcomes(answer.status, answer.body), side, true);
    return answer.status;
  }

  async #appendOutcome(
    outcomes: ReturnType<PreparedWrite["outcomes"]>,
    side: Side,
    lazy: boolean,
  ): Promise<void> {
    if (outcomes.length === 0) return;
    const now = Date.now();
    const records = outcomes.map((o) => encodeRecord({ ...o, side }, now));
    try {
      if (lazy && this.#log.appendLazy !== undefined) {
        const started = performance.now();
        await this.#log.appendLazy(records);
        this.#appended(records, "outcome", started);
      } else await this.#append(records, "outcome");
    } catch (error) {
      // The intent is durable, so the write is covered: the replayer resolves it from the source.
      this.#metrics.appendFailures.inc({ phase: "outcome" });
      this.#logger.warn(
        { err: (error as Error).message },
        "outcome append failed; the replayer will re-read the source",
      );
    }
  }
}
