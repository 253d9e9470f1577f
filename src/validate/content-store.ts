/**
 * The on-disk digest table of a full comparison: one row per document read, `(side, slice, id,
 * routing, hash)`, in a throw-away SQLite file. Memory stays flat whatever the index size: rows go to
 * disk as pages arrive, and SQLite's external sorter pairs them up at the end.
 *
 * Rows are appended to a table without any index, then grouped once. Keeping a primary key on
 * `(id, routing)` and upserting instead costs a B-tree descent per row in random key order, which
 * measured about six times slower than appending and sorting once (1M documents a side).
 */
import { createHash, hash } from "node:crypto";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { RawHit } from "../json/index.ts";
import type { Side } from "./content-types.ts";

/** A key that is not on both sides with the same hash; `source`/`target` say which sides have it. */
export interface Unmatched {
  readonly id: string;
  readonly routing?: string;
  readonly source: boolean;
  readonly target: boolean;
}

/** Rows per transaction: large enough that commits cost nothing, small enough to bound the dirty pages. */
const ROWS_PER_COMMIT = 100_000;

/** Rows per INSERT statement: binding one statement per row costs about twice as much per row. */
const ROWS_PER_INSERT = 50;

const SIDE: Record<Side, number> = { source: 0, target: 1 };

/**
 * documentDigest hashes the key and the source, as UTF-8, encoded into this one buffer and hashed in
 * one call: a Hash object per document (createHash, two updates, digest) cost about 10% more CPU per
 * comparison, and hashing a concatenated string raised peak RSS by about 25 MB with the garbage
 * (bench/validate.ts; docs/validate.md, Performance). 3 bytes of UTF-8 per UTF-16 unit at most.
 */
const SCRATCH_BYTES = 256 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

/**
 * The per-document digest: 64 bits of SHA-1 over the key and the raw `_source` text. Raw, not
 * canonical: every copy path moves `_source` as bytes, so equal documents are equal text, and a
 * canonical parse of every document would cost more than the read. Texts that differ only in
 * whitespace or key order come out as candidates, which `_mget` and the lossless field comparison
 * then clear. The key is in it so that the per-side sums below see two documents swapping contents.
 */
export function documentDigest(hit: RawHit): Buffer {
  const key = hit._routing === undefined ? `\u0000${hit._id}\u0000` : `${hit._routing}\u0001${hit._id}\u0000`;
  const source = hit.source ?? "";
  const most = (key.length + source.length) * 3;
  // A document too large for the reused buffer is hashed piece by piece: the buffer never grows, so
  // one 10 MB document does not keep 30 MB for the rest of the run.
  if (most > SCRATCH_BYTES) return createHash("sha1").update(key).update(source).digest().subarray(0, 8);
  const k = scratch.write(key, 0, "utf8");
  const n = k + scratch.write(source, k, "utf8");
  return hash("sha1", scratch.subarray(0, n), "buffer").subarray(0, 8);
}

/** Order-independent sum of one slice's digests, as two 32-bit lanes: equal sides have equal sums. */
interface SliceSum {
  lo: number;
  hi: number;
  docs: number;
}

export class DigestStore {
  readonly #db: DatabaseSync;
  readonly #insertOne: StatementSync;
  readonly #insertMany: StatementSync;
  /** Per `side/slice`, so a slice read again replaces its sum rather than adding to it. */
  readonly #sums = new Map<string, SliceSum>();
  #pending = 0;

  constructor(file: string) {
    this.#db = new DatabaseSync(file);
    // A scratch file deleted after the run: no journal, no fsync; a crash loses nothing worth keeping.
    // A small cache is enough: rows are appended (only the rightmost pages are touched), and the final
    // grouping's sorter spills to temporary files rather than growing the process (measured no slower).
    this.#db.exec(`
      PRAGMA journal_mode = OFF;
      PRAGMA synchronous = OFF;
      PRAGMA locking_mode = EXCLUSIVE;
      PRAGMA cache_size = -4000;
      PRAGMA temp_store = FILE;
      CREATE TABLE docs (side INTEGER NOT NULL, slice INTEGER NOT NULL, id TEXT NOT NULL, routing TEXT, hash BLOB NOT NULL);
      BEGIN;
    `);
    this.#insertOne = this.#db.prepare("INSERT INTO docs VALUES (?, ?, ?, ?, ?)");
    this.#insertMany = this.#db.prepare(
      `INSERT INTO docs VALUES ${Array(ROWS_PER_INSERT).fill("(?, ?, ?, ?, ?)").join(", ")}`,
    );
  }

  add(side: Side, slice: number, hits: readonly RawHit[]): void {
    const s = SIDE[side];
    const sum = this.#sum(s, slice);
    const values: SQLInputValue[] = [];
    const row = (hit: RawHit) => {
      const digest = documentDigest(hit);
      sum.lo = (sum.lo + digest.readUInt32LE(0)) >>> 0;
      sum.hi = (sum.hi + digest.readUInt32LE(4)) >>> 0;
      values.push(s, slice, hit._id, hit._routing ?? null, digest);
    };
    let i = 0;
    for (; i + ROWS_PER_INSERT <= hits.length; i += ROWS_PER_INSERT) {
      values.length = 0;
      for (let j = i; j < i + ROWS_PER_INSERT; j++) row(hits[j] as RawHit);
      this.#insertMany.run(...values);
    }
    for (; i < hits.length; i++) {
      values.length = 0;
      row(hits[i] as RawHit);
      this.#insertOne.run(...values);
    }
    sum.docs += hits.length;
    this.#pending += hits.length;
    if (this.#pending >= ROWS_PER_COMMIT) this.#commit();
  }

  /** Forgets what a slice read, before it is read again from the start (a lost point in time). */
  dropSlice(side: Side, slice: number): void {
    const s = SIDE[side];
    this.#db.prepare("DELETE FROM docs WHERE side = ? AND slice = ?").run(s, slice);
    this.#sums.delete(`${s}/${slice}`);
  }

  count(side: Side): number {
    return this.#total(SIDE[side]).docs;
  }

  /**
   * Whether both sides read the same documents, by count and by the sums of their digests: when they
   * do, every key pairs up with an equal digest (but for a 2^-64 chance) and there is nothing to group.
   */
  sidesAgree(): boolean {
    const [a, b] = [this.#total(0), this.#total(1)];
    return a.docs === b.docs && a.lo === b.lo && a.hi === b.hi;
  }

  /**
   * Every key not present on both sides with the same hash, ordered by `_id` then routing, so the
   * routings of one `_id` come together. A slice read twice adds the same hash twice; `max` folds it.
   */
  *unmatched(): Generator<Unmatched> {
    this.#commit();
    const rows = this.#db
      .prepare(`
        SELECT id, routing,
               max(CASE WHEN side = 0 THEN hash END) AS s,
               max(CASE WHEN side = 1 THEN hash END) AS t
        FROM docs GROUP BY id, routing HAVING s IS NOT t ORDER BY id, routing`)
      .iterate() as Iterable<{
      id: string;
      routing: string | null;
      s: Uint8Array | null;
      t: Uint8Array | null;
    }>;
    for (const row of rows) {
      yield {
        id: row.id,
        ...(row.routing === null ? {} : { routing: row.routing }),
        source: row.s !== null,
        target: row.t !== null,
      };
    }
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #sum(side: number, slice: number): SliceSum {
    const key = `${side}/${slice}`;
    let sum = this.#sums.get(key);
    if (sum === undefined) {
      sum = { lo: 0, hi: 0, docs: 0 };
      this.#sums.set(key, sum);
    }
    return sum;
  }

  #total(side: number): SliceSum {
    const total = { lo: 0, hi: 0, docs: 0 };
    for (const [key, sum] of this.#sums) {
      if (!key.startsWith(`${side}/`)) continue;
      total.lo = (total.lo + sum.lo) >>> 0;
      total.hi = (total.hi + sum.hi) >>> 0;
      total.docs += sum.docs;
    }
    return total;
  }

  #commit(): void {
    this.#db.exec("COMMIT; BEGIN;");
    this.#pending = 0;
  }
}
