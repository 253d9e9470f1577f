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
