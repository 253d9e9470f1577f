/** What one group commit did; for the gateway's metrics (log bytes, commit and fsync latency). */
export interface CommitTiming {
  /** Records written by this commit, from `appends` concurrent append calls. */
  readonly records: number;
  readonly appends: number;
  readonly bytes: number;
  /** From the start of the commit until it was durable (file: write + fsync; kafka: the produce round trip). */
  readonly seconds: number;
  /** The fsync alone (file log with fsync on); 0 otherwise. */
  readonly fsyncSeconds: number;
}

/**
 * What a two-stage commit returns once its first stage (e.g. the write) is done: `durable` settles when
 * the group is durable and visible (e.g. after its fsync, and after every earlier group's).
 */
export interface Staged {
  readonly durable: Promise<void>;
}

/**
 * Group commit, shared by every backend: while one commit (a write+fsync, a produce request) is in
 * flight, new submissions queue; the next commit takes the queue (or as much of it as `take` allows) at
 * once. Each submission settles with the outcome of the commit that carried it.
 *
 * A commit may return `Staged` to pipeline: the next group's first stage (its write) then starts while
 * this group's second stage (its fsync) runs, instead of after it. At most two groups are in flight,
 * and the backend must settle `durable` in commit order.
 */
/** A submission in two steps: `written` once its commit's first stage is done, `durable` once all is. */
export interface StagedSubmit {
  readonly written: Promise<void>;
  readonly durable: Promise<void>;
}

interface Queued<T> {
  readonly item: T;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly written?: { resolve: () => void; reject: (error: unknown) => void };
}

export class GroupCommit<T> {
  private queue: Queued<T>[] = [];
  private running: Promise<void> | undefined;
  /** The second stage of the last staged commit (never rejects; its group holds the outcome). */
  private settling: Promise<void> = Promise.resolve();
  private readonly commit: (group: readonly T[]) => Promise<void> | Promise<Staged>;
  private readonly take: (queued: readonly T[]) => number;

  /** `take` says how many queued items the next commit carries (at least 1); default all of them. */
  constructor(
    commit: (group: readonly T[]) => Promise<void> | Promise<Staged>,
    take?: (queued: readonly T[]) => number,
  ) {
    this.commit = commit;
    this.take = take ?? ((queued) => queued.length);
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  /**
   * As `submit`, and also says when the commit's first stage is done (e.g. the bytes are in the file,
   * not yet fsynced). A commit that does not stage settles both together. Both reject on failure.
   */
  submitStaged(item: T): StagedSubmit {
    let written: Queued<T>["written"];
    const writtenPromise = new Promise<void>((resolve, reject) => {
      written = { resolve, reject };
    });
    const durable = new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject, written });
      this.kick();
    });
    // Callers may only look at `durable` after a failed `written` (and vice versa).
    writtenPromise.catch(() => undefined);
    durable.catch(() => undefined);
    return { written: writtenPromise, durable };
  }

  /** Resolves once everything submitted so far has been committed (or refused). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
    await this.settling;
  }

  private kick(): void {
    if (this.running !== undefined) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A submission can land between the drain's last look at the queue and this callback.
      if (this.queue.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const count = Math.max(1, this.take(this.queue.map((q) => q.item)));
      const group = this.queue.splice(0, count);
      // The group before the previous one must be done: at most two groups in flight.
      const before = this.settling;
      let staged: Staged | undefined;
      try {
        const result = await this.commit(group.map((q) => q.item));
        staged = typeof result === "object" ? result : undefined;
      } catch (error) {
        for (const q of group) {
          q.written?.reject(error);
          q.reject(error);
        }
        continue;
      }
      for (const q of group) q.written?.resolve();
      if (staged === undefined) {
        for (const q of group) q.resolve();
        continue;
      }
      this.settling = staged.durable.then(
        () => {
          for (const q of group) q.resolve();
        },
        (error: unknown) => {
          for (const q of group) q.reject(error);
        },
      );
      await before;
    }
  }
}
