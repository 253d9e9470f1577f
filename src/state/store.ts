import type { DatabaseSync, SQLOutputValue } from "node:sqlite";
import { BluegreenError } from "../errors/index.ts";
import { fromStoredJson, toStoredJson } from "./json.ts";
import type {
  CheckpointRecord,
  EventInput,
  EventQuery,
  EventRecord,
  MigrationRecord,
  StepRecord,
  StepStatus,
  StepUpdate,
} from "./types.ts";

type Row = Record<string, SQLOutputValue>;

/**
 * The persisted progress of one migration. All calls are synchronous (node:sqlite is), and each call
 * is its own transaction unless wrapped in `transaction()`; once a call returns, its write is durable.
 */
export class StateStore {
  readonly path: string;
  readonly migration: MigrationRecord;
  /** The fingerprint stored before this open, when the config changed since the last run. */
  readonly previousFingerprint: string | undefined;
  readonly #db: DatabaseSync;
  readonly #now: () => Date;
  #depth = 0;

  constructor(
    db: DatabaseSync,
    init: { path: string; migration: MigrationRecord; previousFingerprint?: string; now: () => Date },
  ) {
    this.#db = db;
    this.path = init.path;
    this.migration = init.migration;
    this.previousFingerprint = init.previousFingerprint;
    this.#now = init.now;
  }

  getStep(id: string): StepRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM steps WHERE id = ?").get(id);
    return row === undefined ? undefined : toStep(row);
  }

  listSteps(): StepRecord[] {
    return this.#db.prepare("SELECT * FROM steps ORDER BY rowid").all().map(toStep);
  }

  /**
   * `running` counts an attempt and clears the previous outcome; `done`/`skipped`/`failed` stamp the
   * finish time with the summary or error; `pending` forgets the outcome but keeps the attempt count.
   */
  setStepStatus(id: string, status: StepStatus, update: StepUpdate = {}): StepRecord {
    const summary =
      update.summary === undefined || status === "failed"
        ? null
        : toStoredJson(update.summary, `steps.${id}.summary`);
    const error =
      status === "failed" ? (update.error ?? { code: "BG_STEP_FAILED", message: "failed" }) : undefined;
    this.transaction(() => {
      this.#db
        .prepare("INSERT INTO steps (id, status) VALUES (?, 'pending') ON CONFLICT (id) DO NOTHING")
        .run(id);
      this.#db
        .prepare(
          `UPDATE steps SET
             status = :status,
             attempt = attempt + (:status = 'running'),
             started_at = CASE :status WHEN 'running' THEN :at WHEN 'pending' THEN NULL ELSE started_at END,
             finished_at = CASE WHEN :status IN ('done', 'skipped', 'failed') THEN :at END,
             error_code = :code,
             error_message = :message,
             summary = :summary
           WHERE id = :id`,
        )
        .run({
          id,
          status,
          at: this.#timestamp(),
          code: error?.code ?? null,
          message: error?.message ?? null,
          summary,
        });
    });
    return this.getStep(id) as StepRecord;
  }

  putCheckpoint(step: string, key: string, value: unknown): void {
    const json = toStoredJson(value, `checkpoints.${step}.${key}`);
    this.#db
      .prepare(
        `INSERT INTO checkpoints (step, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (step, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(step, key, json, this.#timestamp());
  }

  getCheckpoint<T = unknown>(step: string, key: string): T | undefined {
    const row = this.#db.prepare("SELECT value FROM checkpoints WHERE step = ? AND key = ?").get(step, key);
    return row === undefined ? undefined : (fromStoredJson(row.value) as T);
  }

  listCheckpoints(step: string): CheckpointRecord[] {
    return this.#db
      .prepare("SELECT * FROM checkpoints WHERE step = ? ORDER BY key")
      .all(step)
      .map((row) => ({
        step: String(row.step),
        key: String(row.key),
        value: fromStoredJson(row.value),
        updatedAt: String(row.updated_at),
      }));
  }

  deleteCheckpoint(step: string, key: string): void {
    this.#db.prepare("DELETE FROM checkpoints WHERE step = ? AND key = ?").run(step, key);
  }

  /** Forgets a step's checkpoints, so its next apply starts from scratch. */
  clearCheckpoints(step: string): void {
    this.#db.prepare("DELETE FROM checkpoints WHERE step = ?").run(step);
  }

  /** Appends to the audit log and returns the event's sequence number. */
  appendEvent(event: EventInput): number {
    const data = event.data === undefined ? null : toStoredJson(event.data, `events.${event.type}.data`);
    const result = this.#db
      .prepare("INSERT INTO events (at, step, type, data) VALUES (?, ?, ?, ?)")
      .run(this.#timestamp(), event.step ?? null, event.type, data);
    return Number(result.lastInsertRowid);
  }

  readEvents(query: EventQuery = {}): EventRecord[] {
    const limit = query.limit ?? 1_000;
    const afterSeq = query.afterSeq ?? 0;
    const rows =
      query.step === undefined
        ? this.#db.prepare("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?").all(afterSeq, limit)
        : this.#db
            .prepare("SELECT * FROM events WHERE seq > ? AND step = ? ORDER BY seq LIMIT ?")
            .all(afterSeq, query.step, limit);
    return rows.map((row) => ({
      seq: Number(row.seq),
      at: String(row.at),
      step: optionalString(row.step),
      type: String(row.type),
      data: fromStoredJson(row.data),
    }));
  }

  /**
   * Runs `fn` atomically: everything it writes commits together or not at all. Nests (as savepoints).
   * `fn` must be synchronous; an async one would commit before its awaits ran.
   */
  transaction<T>(fn: () => T): T {
    const depth = this.#depth;
    const savepoint = `bg_${depth}`;
    this.#db.exec(depth === 0 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    this.#depth++;
    try {
      const result = fn();
      if (result instanceof Promise) {
        throw new BluegreenError("BG_INTERNAL", "transaction() was given an async function.", {
          fix: "This is a bug in bluegreen: please report it.",
        });
      }
      this.#db.exec(depth === 0 ? "COMMIT" : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      this.#db.exec(depth === 0 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`);
      throw error;
    } finally {
      this.#depth--;
    }
  }

  /** Low-level check used by tests and `bluegreen doctor`-style diagnostics. */
  integrityCheck(): string {
    const row = this.#db.prepare("PRAGMA integrity_check").get();
    return row === undefined ? "no result" : String(Object.values(row)[0]);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  #timestamp(): string {
    return this.#now().toISOString();
  }
}

function toStep(row: Row): StepRecord {
  const code = optionalString(row.error_code);
  return {
    id: String(row.id),
    status: String(row.status) as StepStatus,
    attempt: Number(row.attempt),
    startedAt: optionalString(row.started_at),
    finishedAt: optionalString(row.finished_at),
    error: code === undefined ? undefined : { code, message: String(row.error_message ?? "") },
    summary: fromStoredJson(row.summary),
  };
}

function optionalString(value: SQLOutputValue | undefined): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
