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
  #waiters: (() => void)[] = [];

  async append(records: readonly LogRecord[]): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failAppends !== undefined) throw this.failAppends;
    for (const r of records) this.records.push({ ...r, partition: 0, offset: this.records.length });
    for (const wake of this.#waiters.splice(0)) wake();
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
