import type { LogPosition } from "../capture/index.ts";
import type { AppliedAt, DocRef } from "../gateway/index.ts";

/**
 * Two writes to one document can reach the cluster in another order than their intents reached the
 * log: both intents are appended, then each goes out on its own connection (or from its own
 * gateway), and the cluster applies whichever arrives first. Replayed in log order, the target would
 * end with the write the source applied first, that is with an older version than the source holds.
 *
 * The outcome of each write carries where the cluster put it in its shard's history (sequence
 * number and primary term). A write older there than one already replayed on the same document is
 * superseded: the target already holds what the source made of both, so it is skipped.
 *
 * What is remembered, and for how long: a write B that the source applied before write A, but whose
 * intent the log holds after A's intent, was sent before A was answered, so B's intent lies before
 * A's outcome in the log (the same partition: both have the document's key). Once replay has dealt
 * with every record before A's outcome, nothing can be superseded by A any more, and A is forgotten.
 * After a restart nothing is remembered, and nothing is needed: replay resumes at the first write it
 * had not settled, so A's outcome lies after that point; its intent, before it, is not read again,
 * and an outcome read without its intent copies the document from the source as it is now, which is
 * at least as new as A.
 */
export class WriteOrder {
  readonly #newest = new Map<string, Newest>();

  /**
   * Whether a successful write should be applied: false when the cluster applied a later write to
   * the same document that replay has already applied. `outcomeAt` is the outcome record's place.
   */
  admit(doc: DocRef, applied: AppliedAt | undefined, outcomeAt: Place): boolean {
    if (applied === undefined || doc.id === undefined) return true;
    const key = shardKey(doc, applied);
    const known = this.#newest.get(key);
    if (known !== undefined && older(applied, known)) return false;
    // Kept until replay has passed the later of the two outcomes (one key, one partition).
    const forgetAt =
      known !== undefined && known.forgetAt.offset > outcomeAt.offset ? known.forgetAt : outcomeAt;
    this.#newest.set(key, { seq: applied.seq, term: applied.term, forgetAt });
    return true;
  }

  /** Forgets every write whose outcome lies before `settled` (replay dealt with all records there). */
  forget(settled: LogPosition): void {
    for (const [key, entry] of this.#newest) {
      const upTo = settled[String(entry.forgetAt.partition)];
      if (upTo !== undefined && entry.forgetAt.offset < upTo) this.#newest.delete(key);
    }
  }

  get size(): number {
    return this.#newest.size;
  }
}

export interface Place {
  readonly partition: number;
  readonly offset: number;
}

interface Newest {
  readonly seq: number;
  readonly term: number;
  readonly forgetAt: Place;
}

function shardKey(doc: DocRef, applied: AppliedAt): string {
  // Sequence numbers count per shard: a write to an alias or data stream is keyed by the index that took it.
  return JSON.stringify([applied.index ?? doc.index, doc.routing ?? null, doc.id]);
}

function older(a: AppliedAt, b: Newest): boolean {
  return a.seq < b.seq || (a.seq === b.seq && a.term < b.term);
}

/** A document write replay has planned, remembered while a request logged after its intent may cross it. */
interface PlannedDoc<D> {
  readonly doc: D;
  readonly intentAt: Place;
  readonly outcomeAt: Place;
}

interface PlannedRequest {
  readonly intentAt: Place;
  readonly outcomeAt: Place;
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
  #requests: PlannedRequest[] = [];

  /** Whether a write logged at `intentAt` crossed a request planned before it. */
  crossesRequest(intentAt: Place): boolean {
    return this.#requests.some(
      (r) => r.intentAt.partition === intentAt.partition && inside(intentAt, r.intentAt, r.outcomeAt),
    );
  }

  plannedDoc(doc: D, intentAt: Place, outcomeAt: Place): void {
    this.#docs.push({ doc, intentAt, outcomeAt });
  }

  /** Plans a request logged at `intentAt`; returns the earlier writes it crossed, to copy after it. */
  plannedRequest(intentAt: Place, outcomeAt: Place): D[] {
    this.#requests.push({ intentAt, outcomeAt });
    return this.#docs
      .filter((d) => d.intentAt.partition === intentAt.partition && inside(intentAt, d.intentAt, d.outcomeAt))
      .map((d) => d.doc);
  }

  /** Forgets what lies wholly before `settled`: nothing logged later can cross it. */
  forget(settled: LogPosition): void {
    const done = (p: Place) => {
      const upTo = settled[String(p.partition)];
      return upTo !== undefined && p.offset < upTo;
    };
    this.#docs = this.#docs.filter((d) => !done(d.outcomeAt));
    this.#requests = this.#requests.filter((r) => !done(r.outcomeAt));
  }
}

function inside(at: Place, from: Place, to: Place): boolean {
  return from.offset < at.offset && at.offset < to.offset;
}
