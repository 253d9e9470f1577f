import type { DatabaseSync } from "node:sqlite";

/**
 * Ordered schema migrations: entry i takes the file from `user_version` i to i+1. Published entries are
 * never edited, only appended, because state files written by older releases must keep upgrading.
 */
export const MIGRATIONS: readonly ((db: DatabaseSync) => void)[] = [
  (db) =>
    db.exec(`
      CREATE TABLE migration (
        id          INTEGER PRIMARY KEY CHECK (id = 1),
        name        TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE TABLE steps (
        id            TEXT PRIMARY KEY,
        status        TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
        attempt       INTEGER NOT NULL DEFAULT 0,
        started_at    TEXT,
        finished_at   TEXT,
        error_code    TEXT,
        error_message TEXT,
        summary       TEXT
      );
      CREATE TABLE checkpoints (
        step       TEXT NOT NULL,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (step, key)
      ) WITHOUT ROWID;
      CREATE TABLE events (
        seq  INTEGER PRIMARY KEY AUTOINCREMENT,
        at   TEXT NOT NULL,
        step TEXT,
        type TEXT NOT NULL,
        data TEXT
      );
      CREATE INDEX events_by_step ON events (step, seq);
    `),
];

export const SCHEMA_VERSION = MIGRATIONS.length;
