import type { LogPosition } from "../capture/index.ts";
import type { AppliedAt, DocRef } from "../gateway/index.ts";

/**
 * Two writes to one document can reach the cluster in another order than their intents reached the
 * log: both intents are appended, then each goes out on its own connection (or from its own
 * gateway), and the cluster applies whichever arrives first. Replayed in log order, the target would
 * end with the write the source applied first, that is with an older version than the source holds.
 *
 * Two writes can only have crossed if the later-logged one was sent before the earlier one was
 * answered, that is if its intent lies before the earlier one's outcome in the log (the same
 * partition: both carry the document's key). For such a pair:
 * - when both outcomes carry where the cluster put them in its shard's history (sequence number and
 *   primary term, from the answer), the one the source applied first is superseded and skipped if it
 *   comes second: the target already holds what the source made of both;
 * - otherwise (an answer filtered with `filter_path`, as Logstash and Beats ask for, or a log written
 *   before outcomes carried it) the second is copied from the source as it is now, after both.
 * Writes that did not overlap reached the source in log order and are applied as logged.
 *
 * How long a document is remembered: until replay has dealt with every record before the latest of
 * its writes' outcomes; no write logged after that can have crossed them. After a restart nothing is
 * remembered, and nothing is needed: replay resumes at the first write it had not settled, so an
 * earlier write's outcome that a later one crossed lies after that point; read without its intent,
 * it copies the document from the source as it is now, which has both.
 */
export class WriteOrder {
  readonly #newest = new Map<string, Newest>();

  /**
   * What to do with a successful write logged at `intentAt` (undefined: before replay's start) whose
   * outcome is at `outcomeAt`: apply it as logged, skip it as superseded, or copy the document.
   */
  admit(doc: DocRef, applied: AppliedAt | undefined, intentAt: Place | undefined, outcomeAt: Place): Verdict {
    if (doc.id === undefined) return "apply";
    const key = JSON.stringify([doc.index, doc.routing ?? null, doc.id]);
    const known = this.#newest.get(key);
    // Sequence numbers count per shard: a write through an alias or data stream names the index that took it.
    const comparable =
      applied !== undefined &&
      known?.applied !== undefined &&
      (applied.index ?? doc.index) === (known.applied.index ?? doc.index);
    let verdict: Verdict = "apply";
    if (comparable) verdict = older(applied, known.applied) ? "superseded" : "apply";
    else if (known !== undefined && (intentAt === undefined || intentAt.offset < known.forgetAt.offset))
      verdict = "copy";
    this.#newest.set(key, {
      // What the target holds is at least as new as this; unknown when the newest write's place is.
      applied: comparable && verdict === "superseded" ? known.applied : applied,
      forgetAt: known !== undefined && known.forgetAt.offset > outcomeAt.offset ? known.forgetAt : outcomeAt,
    });
    return verdict;
  }

  /** Forgets every document whose writes' outcomes lie before `settled` (replay dealt with all records there). */
  forget(settled: LogPosition): void {
    for (const [key, entry] of this.#newest) if (isBefore(entry.forgetAt, settled)) this.#newest.delete(key);
  }

  get size(): number {
    return this.#newest.size;
  }
}

export type Verdict = "apply" | "superseded" | "copy";

export interface Place {
  readonly partition: number;
  readonly offset: number;
}

interface Newest {
  readonly applied: AppliedAt | undefined;
  readonly forgetAt: Place;
}

function older(a: AppliedAt, b: AppliedAt): boolean {
  return a.seq < b.seq || (a.seq === b.seq && a.term < b.term);
}

/** Whether everything at `place` and before is settled: replay resumes after it. */
function isBefore(place: Place, settled: LogPosition): boolean {
  const upTo = settled[String(place.partition)];
  return upTo !== undefined && place.offset < upTo;
}

/** From a write's or request's intent to its outcome: while it was sent and not yet answered. */
interface InFlight {
  readonly intentAt: Place;
  readonly outcomeAt: Place;
}

/** A document write replay has planned, remembered while a request logged after its intent may cross it. */
interface PlannedDoc<D> extends InFlight {
  readonly doc: D;
}

/**
 * A by-query or admin request (`_update_by_query`, `_delete_by_query`, an index deleted) that crosses
 * a document write: the source may have run them in either order, and no sequence number tells which,
 * because a request's answer gives none per document. Replay runs the request in its log place, so
 * the document it touched is settled afterwards by copying it from the source as it is now:
 * - a write whose intent is before the request's, still unanswered when the request was logged, is
 *   copied again right after the request;
 * - a write whose intent is after the request's, logged while the request was still unanswered, is
 *   copied instead of applied as logged (by then the request has finished on the source).
 * Which documents a request touched is not known (patterns, aliases, queries), so every crossing
 * write is copied: a few documents, unless a request runs for long under heavy writes, where the
 * copies are the price of not guessing. Both must share a partition to be compared: the file log
 * and a one-partition Kafka topic (the default) do; see docs/gateway.md.
 */
export class Crossings<D> {
  #docs: PlannedDoc<D>[] = [];
  #requests: InFlight[] = [];

  /** Whether a write logged at `intentAt` crossed a request planned before it. */
  crossesRequest(intentAt: Place): boolean {
    return this.#requests.some((r) => inside(intentAt, r));
  }

  plannedDoc(doc: D, intentAt: Place, outcomeAt: Place): void {
    this.#docs.push({ doc, intentAt, outcomeAt });
  }

  /** Plans a request logged at `intentAt`; returns the earlier writes it crossed, to copy after it. */
  plannedRequest(intentAt: Place, outcomeAt: Place): D[] {
    this.#requests.push({ intentAt, outcomeAt });
    return this.#docs.filter((d) => inside(intentAt, d)).map((d) => d.doc);
  }

  /** Forgets what lies wholly before `settled`: nothing logged later can cross it. */
  forget(settled: LogPosition): void {
    this.#docs = this.#docs.filter((d) => !isBefore(d.outcomeAt, settled));
    this.#requests = this.#requests.filter((r) => !isBefore(r.outcomeAt, settled));
  }
}

/** Whether `at` was logged while `span` was in flight (offsets compare within one partition only). */
function inside(at: Place, span: InFlight): boolean {
  return (
    at.partition === span.intentAt.partition &&
    span.intentAt.offset < at.offset &&
    at.offset < span.outcomeAt.offset
  );
}
