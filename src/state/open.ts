import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { BluegreenError, isBluegreenError } from "../errors/index.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./schema.ts";
import { StateStore } from "./store.ts";
import type { MigrationRecord } from "./types.ts";

export interface OpenStateOptions {
  /** The migration this file must belong to; another name is refused (BG_STATE_MISMATCH). */
  readonly migrationName: string;
  /** Fingerprint of the current config; a change is recorded as a `config.changed` event. */
  readonly fingerprint: string;
  /** Clock for timestamps; tests inject a fixed one. */
  readonly now?: () => Date;
}

const BUSY_TIMEOUT_MS = 5_000;

/** What of a migration file names its state: structural, so this layer needs no config import. */
export interface MigrationStateRef {
  readonly name: string;
  readonly fingerprint: string;
  readonly state: { readonly path: string };
}

/** The state file of a migration file (every command and step opens it this way). */
export function openMigrationState(config: MigrationStateRef): StateStore {
  return openState(config.state.path, { migrationName: config.name, fingerprint: config.fingerprint });
}

/**
 * Opens (creating if needed) the state file of one migration and brings its schema up to date.
 *
 * Durability: WAL with `synchronous=FULL`. WAL alone already survives kill -9 (a committed transaction
 * is in the WAL in the OS page cache before COMMIT returns); FULL adds an fsync of the WAL per commit, so
 * a step the tool has reported as done also survives a power cut or VM crash. Writes here are a few per
 * batch, so the fsync costs little next to the cluster round-trips they record.
 */
export function openState(path: string, options: OpenStateOptions): StateStore {
  const file = resolve(path);
  const now = options.now ?? (() => new Date());
  let db: DatabaseSync;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new DatabaseSync(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw openError(file, error);
  }
  try {
    configure(db, file);
    migrate(db, file);
    const { migration, previousFingerprint } = claim(db, file, options, now().toISOString());
    return new StateStore(db, {
      path: file,
      migration,
      now,
      ...(previousFingerprint === undefined ? {} : { previousFingerprint }),
    });
  } catch (error) {
    db.close();
    throw isBluegreenError(error) ? error : openError(file, error);
  }
}

function configure(db: DatabaseSync, file: string): void {
  const mode = db.prepare("PRAGMA journal_mode = WAL").get();
  if (mode?.journal_mode !== "wal") {
    throw new BluegreenError("BG_STATE_OPEN", `State file ${file} cannot use write-ahead logging.`, {
      fix: "Put state.path on a local file system (WAL does not work on network shares).",
    });
  }
  db.exec(`PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
}

function userVersion(db: DatabaseSync): number {
  return Number(db.prepare("PRAGMA user_version").get()?.user_version ?? 0);
}

function migrate(db: DatabaseSync, file: string): void {
  const found = userVersion(db);
  if (found > SCHEMA_VERSION) {
    throw new BluegreenError(
      "BG_STATE_SCHEMA",
      `State file ${file} has schema version ${found}; this bluegreen understands up to ${SCHEMA_VERSION}.`,
      {
        fix: "Run the bluegreen release that last wrote this file (or a newer one); older releases cannot read it.",
        details: { file, found, supported: SCHEMA_VERSION },
      },
    );
  }
  if (found === 0) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get();
    if (Number(tables?.n) > 0) {
      throw new BluegreenError(
        "BG_STATE_OPEN",
        `${file} is an SQLite database but not a bluegreen state file.`,
        {
          fix: "Point state.path at a new file; bluegreen will create it.",
          details: { file },
        },
      );
    }
  }
  for (let version = found; version < SCHEMA_VERSION; version++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      // Another process may have migrated while we waited for the write lock.
      if (userVersion(db) === version) {
        MIGRATIONS[version]?.(db);
        db.exec(`PRAGMA user_version = ${version + 1}`);
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

function claim(db: DatabaseSync, file: string, options: OpenStateOptions, at: string) {
  db.exec("BEGIN IMMEDIATE");
  try {
    const row = db.prepare("SELECT name, fingerprint, created_at FROM migration WHERE id = 1").get();
    let migration: MigrationRecord;
    let previousFingerprint: string | undefined;
    if (row === undefined) {
      db.prepare("INSERT INTO migration (id, name, fingerprint, created_at) VALUES (1, ?, ?, ?)").run(
        options.migrationName,
        options.fingerprint,
        at,
      );
      migration = { name: options.migrationName, fingerprint: options.fingerprint, createdAt: at };
    } else {
      if (row.name !== options.migrationName) {
        throw new BluegreenError(
          "BG_STATE_MISMATCH",
          `State file ${file} belongs to migration "${String(row.name)}", not "${options.migrationName}".`,
          {
            fix: "Use the migration file that created it, or give this migration its own state.path.",
            details: { file, stored: row.name, requested: options.migrationName },
          },
        );
      }
      if (row.fingerprint !== options.fingerprint) {
        previousFingerprint = String(row.fingerprint);
        db.prepare("UPDATE migration SET fingerprint = ? WHERE id = 1").run(options.fingerprint);
        // Recorded in the same transaction, so the audit log never misses a config change.
        db.prepare("INSERT INTO events (at, type, data) VALUES (?, 'config.changed', ?)").run(
          at,
          JSON.stringify({ from: previousFingerprint, to: options.fingerprint }),
        );
      }
      migration = {
        name: options.migrationName,
        fingerprint: options.fingerprint,
        createdAt: String(row.created_at),
      };
    }
    db.exec("COMMIT");
    return { migration, previousFingerprint };
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}

function openError(file: string, error: unknown): BluegreenError {
  const message = error instanceof Error ? error.message : String(error);
  const notDatabase = /not a database|file is encrypted/i.test(message);
  return new BluegreenError(
    "BG_STATE_OPEN",
    notDatabase ? `${file} is not an SQLite database.` : `State file ${file} cannot be opened: ${message}`,
    {
      fix: notDatabase
        ? "Point state.path at a new file; bluegreen will create it."
        : "Check that the directory exists and is writable, and that no other process holds the file.",
      details: { file },
      cause: error,
    },
  );
}
