import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { BluegreenError } from "../../errors/index.ts";

export interface DirectoryLock {
  release(): void;
}

/**
 * Takes the single-writer lock of a log directory. It is an exclusive SQLite transaction held open for
 * the life of the log: a kernel lock (fcntl), so it dies with the process, even on kill -9, and there is
 * never a stale lock file to clean up or race over. SQLite also tracks locks per inode inside one
 * process, so a second open in the same process is refused too.
 */
export function lockDirectory(dir: string): DirectoryLock {
  const ownerFile = join(dir, "owner");
  const db = new DatabaseSync(join(dir, "lock.db"), { timeout: 0 });
  try {
    db.exec("BEGIN EXCLUSIVE");
  } catch (error) {
    db.close();
    const holder = owner(ownerFile);
    throw new BluegreenError(
      "BG_CAPTURE_LOCKED",
      `The capture log in ${dir} is already open for writing (${holder}).`,
      {
        cause: error,
        fix: "Run one gateway per capture log directory; stop the other process or give this one its own log.dir.",
        details: { dir, owner: holder },
      },
    );
  }
  writeFileSync(ownerFile, `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}\n`);
  return {
    release() {
      if (db.isOpen) db.close();
    },
  };
}

function owner(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "owner unknown";
  }
}
