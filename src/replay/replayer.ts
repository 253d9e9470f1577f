import { setTimeout as delay } from "node:timers/promises";
import { advance, type CaptureLog, type LogPosition, lag, type StoredRecord } from "../capture/index.ts";
import type { Requester } from "../cluster/index.ts";
import type { ReplaySettings } from "../config/index.ts";
import { BluegreenError } from "../errors/index.ts";
import {
  decodeRecord,
  isSuccess,
  type OpRecord,
  type OutcomeRecord,
  type RequestRecord,
} from "../gateway/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";
import { type Action, TargetWriter } from "./apply.ts";
import { type DeadLetter, writeDeadLetters } from "./dead-letter.ts";
import {
  heldError,
  positionKey,
  REPLAY_STEP,
  type ReplayDirection,
  type ReplayWait,
  replayPosition,
  replayWait,
  waitKind,
} from "./hold.ts";
import { mayHaveMadeIndex } from "./index-made.ts";
import { ReplayMetrics } from "./metrics.ts";
import { Crossings, type Place, WriteOrder } from "./order.ts";
import { claimReplay, type ReplayClaim } from "./owner.ts";
import { appliedRollover } from "./portable.ts";

export interface ReplayOptions {
  readonly log: CaptureLog;
  readonly state: StateStore;
  /**
   * The cluster whose accepted writes are replayed; writes with an unknown outcome, and updates, are
   * read back from it. For `reverse`, pass the target cluster here and the source as `target`.
   */
  readonly source: Requester;
  /** The cluster writes are applied to. */
  readonly target: Requester;
  /** Default `forward`. For `reverse`, also pass `settings.indexRename` inverted. */
  readonly direction?: ReplayDirection;
  readonly settings: ReplaySettings;
  readonly logger: Logger;
  readonly metrics?: ReplayMetrics;
  /** Stop once everything logged so far is applied (instead of following the log forever). */
  readonly untilCaughtUp?: boolean;
  readonly signal?: AbortSignal;
  /** How long one read waits for new records. */
  readonly pollMs?: number;
  /**
   * Forward replay applies nothing until a position is stored (the backfill's mark, or earlier
   * progress). Set when a backfill will run (`sync.method: gateway`): applied before the copy, writes
   * would reach target indices that do not exist yet and create them with dynamic mappings.
   */
  readonly awaitMark?: boolean;
  /** The command that lifts a backfill hold, as the user would type it (for messages). */
  readonly liftCommand?: string;
  /** Called after every round (a read, or a wait), so a caller can report lag and what replay waits for. */
  readonly onStatus?: (status: ReplayStatus) => void;
}

export interface ReplayReport {
  readonly applied: number;
  readonly skipped: number;
  readonly resolved: number;
  readonly deadLettered: number;
  readonly position: LogPosition;
  readonly lagRecords: number;
  readonly lagSeconds: number;
}

export interface ReplayStatus extends ReplayReport {
  /** Set while replay cannot apply: what it waits for and for how long so far. */
  readonly waiting: (ReplayWait & { readonly waitedSeconds: number }) | undefined;
}

/** A logged write waiting for its outcome, or an outcome whose intent was before our start. */
interface Entry {
  readonly record: StoredRecord;
  readonly intent: OpRecord | RequestRecord | undefined;
  outcome: OutcomeRecord | undefined;
  /** Where the outcome is in the log (the record itself when it came without its intent). */
  outcomeAt: Place | undefined;
}

/**
 * Reads the log from the stored position and applies it to the target, storing the position only
 * after the target acknowledged. Writes are applied in log order; a write whose outcome is not logged
 * yet holds back everything after it for up to `outcomeWait`, after which it is resolved by reading
 * the document from the source (the gateway stopped between forwarding and logging the outcome).
 */
export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const direction = options.direction ?? "forward";
  // A run that must catch up but never can says why first: that is what the user can act on.
  if (direction === "forward" && options.untilCaughtUp === true) {
    const lift = options.liftCommand ?? "bluegreen backfill";
    const wait = replayWait(options.state, initiallyMarked(options), lift);
    if (wait !== undefined && wait.liftable === false) throw heldError(wait, lift);
  }
  const claim = claimReplay(options.state, direction);
  try {
    return await replayClaimed(options, claim);
  } finally {
    claim.release();
  }
}

async function replayClaimed(options: ReplayOptions, claim: ReplayClaim): Promise<ReplayReport> {
  const { log, state, settings, logger } = options;
  const metrics = options.metrics ?? new ReplayMetrics();
  const writer = new TargetWriter({
    source: options.source,
    target: options.target,
    rename: settings.indexRename,
    batchSize: settings.batchSize,
    maxAttempts: settings.maxAttempts,
    deadLetterPath: settings.deadLetterPath,
    logger,
    metrics,
  });
  const direction = options.direction ?? "forward";
  const side = direction === "forward" ? "source" : "target";
  const key = positionKey(direction);
  let readPos: LogPosition = replayPosition(state, direction) ?? {};
  let committed = readPos;
  const queue: Entry[] = [];
  const byRequest = new Map<string, Entry>();
  const recall: Recall = { order: new WriteOrder(), crossings: new Crossings<Action>() };
  const totals = { applied: 0, skipped: 0, resolved: 0, deadLettered: 0 };
  let lagRecords = 0;
  let lagSeconds = 0;
  const readMax = Math.max(100, settings.batchSize * 2);
  const lift = options.liftCommand ?? "bluegreen backfill";
  const waits = new WaitClock();
  const status = (wait: ReplayWait | undefined): ReplayStatus => ({
    ...totals,
    position: committed,
    lagRecords,
    lagSeconds,
    waiting: waits.track(wait),
  });
  let marked = initiallyMarked(options);
  while (options.signal?.aborted !== true) {
    claim.beat();
    if (!marked) {
      const mark = replayPosition(state);
      if (mark !== undefined) {
        readPos = mark;
        committed = mark;
        marked = true;
      }
    }
    const wait = direction === "forward" ? replayWait(state, marked, lift) : undefined;
    if (wait !== undefined) {
      // Only a command nobody is running can end this wait: a run that promised to finish says so now.
      if (options.untilCaughtUp === true && wait.liftable === false) throw heldError(wait, lift);
      lagRecords = lag(committed, await log.end());
      metrics.lagRecords.set(lagRecords);
      options.onStatus?.(status(wait));
      // An abort ends the wait early; the loop condition then ends replay.
      await delay(options.pollMs ?? 200, undefined, { signal: options.signal }).catch(() => undefined);
      continue;
    }
    const records = await log.read(readPos, readMax, options.pollMs ?? 200);
    readPos = advance(readPos, records);
    for (const record of records) {
      const decoded = decodeRecord(record.value);
      if (decoded === undefined) throw badRecord(record);
      if (decoded.t === "out") {
        const entry = byRequest.get(`${decoded.rid}#${decoded.n}`);
        if (entry !== undefined) {
          entry.outcome = decoded;
          entry.outcomeAt = record;
        } else queue.push({ record, intent: undefined, outcome: decoded, outcomeAt: record });
        continue;
      }
      const entry: Entry = { record, intent: decoded, outcome: undefined, outcomeAt: undefined };
      queue.push(entry);
      byRequest.set(`${decoded.rid}#${decoded.t === "op" ? decoded.n : 0}`, entry);
    }
    const now = Date.now();
    const ready: Entry[] = [];
    while (queue.length > 0) {
      const head = queue[0] as Entry;
      const stale = now - head.record.timestampMs > waitFor(head, settings);
      if (head.outcome === undefined && !stale) break;
      ready.push(head);
      queue.shift();
      if (head.intent !== undefined)
        byRequest.delete(`${head.intent.rid}#${head.intent.t === "op" ? head.intent.n : 0}`);
    }
    if (ready.length > 0) {
      const started = performance.now();
      const { actions, skipped, superseded, dead } = plan(
        ready.filter((e) => sideOf(e) === side),
        recall,
        readPos,
      );
      writeDeadLetters(settings.deadLetterPath, dead);
      const result = await writer.apply(actions);
      metrics.batchLatency.observe((performance.now() - started) / 1000);
      totals.applied += result.applied;
      totals.resolved += result.resolved;
      totals.skipped += skipped + superseded;
      totals.deadLettered += result.deadLettered + dead.length;
      metrics.records.inc({ result: "applied" }, result.applied);
      metrics.records.inc({ result: "resolved" }, result.resolved);
      metrics.records.inc({ result: "skipped" }, skipped);
      metrics.records.inc({ result: "superseded" }, superseded);
      metrics.records.inc({ result: "dead_letter" }, result.deadLettered + dead.length);
    }
    // Resume point: the first entry still waiting, per partition; else everything read so far.
    const position: Record<string, number> = { ...readPos };
    for (const entry of queue) {
      const p = String(entry.record.partition);
      position[p] = Math.min(position[p] ?? Number.POSITIVE_INFINITY, entry.record.offset);
    }
    recall.order.forget(position);
    recall.crossings.forget(position);
    if (JSON.stringify(position) !== JSON.stringify(committed)) {
      state.putCheckpoint(REPLAY_STEP, key, position);
      committed = position;
    }
    lagRecords = lag(committed, await log.end());
    const oldest = queue[0]?.record.timestampMs ?? records.at(-1)?.timestampMs;
    lagSeconds = lagRecords === 0 || oldest === undefined ? 0 : Math.max(0, (Date.now() - oldest) / 1000);
    metrics.lagRecords.set(lagRecords);
    metrics.lagSeconds.set(lagSeconds);
    if (ready.length > 0) logger.debug({ applied: totals.applied, lagRecords }, "replayed");
    options.onStatus?.(
      status(outcomeWait(queue[0], queue[0] === undefined ? 0 : waitFor(queue[0], settings))),
    );
    if (options.untilCaughtUp === true && records.length === 0 && queue.length === 0) break;
  }
  return { ...totals, position: committed, lagRecords, lagSeconds };
}

/** Whether replay may apply from the start: reverse, not waiting for a mark, or a position stored. */
function initiallyMarked(options: ReplayOptions): boolean {
  return (
    options.direction === "reverse" ||
    options.awaitMark !== true ||
    replayPosition(options.state) !== undefined
  );
}

/** How long an entry may wait for its outcome: a request, which only its outcome can settle, longer. */
function waitFor(entry: Entry, settings: ReplaySettings): number {
  return entry.intent?.t === "req" ? settings.requestOutcomeWaitMs : settings.outcomeWaitMs;
}

/** A write at the head of the queue whose outcome is not logged yet holds back everything after it. */
function outcomeWait(head: Entry | undefined, waitMs: number): ReplayWait | undefined {
  if (head === undefined || head.outcome !== undefined) return undefined;
  const age = Math.round((Date.now() - head.record.timestampMs) / 1000);
  return {
    for: "outcome",
    liftable: true,
    message: `waiting up to ${Math.round(waitMs / 1000)} s for the outcome of a write logged ${age} s ago (the gateway logs it once the source answers; after that replay ${head.intent?.t === "req" ? "sets the request aside in the dead-letter file" : "reads the document from the source"})`,
  };
}

/** How long the current wait has lasted (a wait of another kind starts the clock again). */
class WaitClock {
  #kind: string | undefined;
  #since = 0;

  track(wait: ReplayWait | undefined): ReplayStatus["waiting"] {
    const kind = waitKind(wait);
    if (kind !== this.#kind) this.#since = Date.now();
    this.#kind = kind;
    return wait === undefined ? undefined : { ...wait, waitedSeconds: (Date.now() - this.#since) / 1000 };
  }
}

/** Records without a side come from gateways that only captured the source. */
function sideOf(entry: Entry): "source" | "target" {
  return entry.intent?.side ?? entry.outcome?.side ?? "source";
}

/**
 * Turns ready entries into target actions; refused writes are skipped (a refusal that may have come
 * after the source made the write's index gives the target that index: index-made.ts), unresolvable ones
 * dead-lettered, writes the source applied before a later one already replayed are superseded, and
 * writes that crossed a by-query or admin request are copied from the source after it (order.ts).
 */
function plan(entries: readonly Entry[], { order, crossings }: Recall, readPos: LogPosition) {
  const actions: Action[] = [];
  const dead: DeadLetter[] = [];
  let skipped = 0;
  let superseded = 0;
  const madeChecked = new Set<string>();
  for (const { record, intent, outcome, outcomeAt } of entries) {
    const origin = { partition: record.partition, offset: record.offset, timestampMs: record.timestampMs };
    if (outcome !== undefined && !isSuccess(outcome.status)) {
      skipped++;
      const refused = intent?.t === "op" ? intent : outcome.doc;
      if (refused !== undefined && mayHaveMadeIndex(outcome.status) && !madeChecked.has(refused.index)) {
        madeChecked.add(refused.index);
        actions.push({ ...origin, kind: "index-made", index: refused.index });
      }
      continue;
    }
    if (intent?.t === "req" || (intent === undefined && outcome?.req !== undefined)) {
      const req = intent?.t === "req" ? intent : outcome?.req;
      if (req === undefined) continue;
      if (outcome === undefined) {
        dead.push({
          reason:
            "outcome unknown: no answer from the source was logged within gateway.requestTimeout (the gateway stopped, or gave up on the source, before it answered); check whether the source applied it, and if so apply it to the target by hand",
          request: { method: req.method, path: req.path },
          logOffset: origin,
        });
        continue;
      }
      // A rollover is repeated as it went on the source: not at all, or to the index it made.
      if (outcome.rolledTo === null) {
        skipped++;
        continue;
      }
      const { path, body } =
        outcome.rolledTo === undefined ? req : appliedRollover(req.path, req.body, outcome.rolledTo);
      actions.push({ ...origin, kind: "request", method: req.method, path, body });
      if (intent !== undefined && outcomeAt !== undefined)
        actions.push(...crossings.plannedRequest(record, outcomeAt));
      continue;
    }
    const doc = intent?.t === "op" ? intent : outcome?.doc;
    const id = doc?.id ?? outcome?.doc?.id;
    if (doc === undefined) continue;
    if (id === undefined) {
      dead.push({
        reason: "outcome unknown and the document has no id (gateway.assignIds is off)",
        index: doc.index,
        logOffset: origin,
      });
      continue;
    }
    const base = { ...origin, index: doc.index, id, routing: doc.routing };
    // A write whose outcome never came may have been answered at any time until now: every later write
    // to the document, or request, read so far may have crossed it.
    const answeredBy = outcomeAt ?? {
      partition: record.partition,
      offset: readPos[String(record.partition)] ?? 0,
    };
    if (intent !== undefined) crossings.plannedDoc({ ...base, kind: "copy" }, record, answeredBy);
    const verdict = order.admit(
      base,
      outcome?.applied,
      intent === undefined ? undefined : record,
      answeredBy,
    );
    if (verdict === "superseded") {
      superseded++;
      continue;
    }
    // Updates, writes whose outcome never reached the log, writes that crossed another write to the
    // document or a by-query or admin request are copied from the source as it is now.
    const op =
      intent?.t === "op" &&
      outcome !== undefined &&
      outcome.unknown !== true &&
      verdict === "apply" &&
      !crossings.crossesRequest(record)
        ? intent.op
        : "copy";
    if (op === "delete") actions.push({ ...base, kind: "delete" });
    else if (op === "update" || op === "copy" || intent?.t !== "op" || intent.doc === undefined)
      actions.push({ ...base, kind: "copy" });
    else actions.push({ ...base, kind: "index", pipeline: intent.pipeline, doc: intent.doc });
  }
  return { actions, skipped, superseded, dead };
}

/** What replay remembers between rounds about writes it planned, to order the ones that crossed. */
interface Recall {
  readonly order: WriteOrder;
  readonly crossings: Crossings<Action>;
}

function badRecord(record: StoredRecord): BluegreenError {
  return new BluegreenError(
    "BG_REPLAY_RECORD",
    `Capture-log record at partition ${record.partition} offset ${record.offset} is not a record this bluegreen understands.`,
    {
      fix: "Replay with the bluegreen release that runs the gateway (a newer gateway writes newer records).",
      details: { partition: record.partition, offset: record.offset },
    },
  );
}
