import type { CaptureLog, LogPosition, LogRecord, StoredRecord } from "../../src/capture/index.ts";

/**
 * A CaptureLog held in memory, one partition, for gateway/replay tests until the real backends land
 * (and for tests that need to make the log fail). Not durable: never use it outside tests.
 */
export class MemoryLog implements CaptureLog {
  readonly kind = "file" as const;
  readonly records: StoredRecord[] = [];
  /** Set to make the next appends reject (a full disk, a broker down). */
  failAppends: Error | undefined;
  /** Set to make staged appends fail after their write stage: an fsync error once the write went out. */
  failSync: Error | undefined;
  #waiters: (() => void)[] = [];

  async append(records: readonly LogRecord[]): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failAppends !== undefined) throw this.failAppends;
    for (const r of records) this.records.push({ ...r, partition: 0, offset: this.records.length });
    for (const wake of this.#waiters.splice(0)) wake();
  }

  appendStaged(records: readonly LogRecord[]): { written: Promise<void>; durable: Promise<void> } {
    const error = this.failSync;
    if (error === undefined) {
      const appended = this.append(records);
      return { written: appended, durable: appended };
    }
    const written = new Promise<void>((r) => setImmediate(r));
    const durable = written.then(() => Promise.reject(error));
    durable.catch(() => undefined);
    return { written, durable };
  }

  async read(from: LogPosition, max: number, waitMs = 0): Promise<readonly StoredRecord[]> {
    const start = from["0"] ?? 0;
    if (start >= this.records.length && waitMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.records.slice(start, start + max);
  }

  async end(): Promise<LogPosition> {
    return { "0": this.records.length };
  }

  async release(): Promise<void> {}

  async close(): Promise<void> {}
}
