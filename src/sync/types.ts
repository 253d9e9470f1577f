/**
 * Step 3 behind one interface, so validate and cutover do not care how the target is kept current:
 * the gateway (capture log + replay) or cross-cluster replication. Every call is idempotent and
 * resumes from the state file.
 */
import type { LogPosition } from "../capture/index.ts";

export type ConcreteSyncMethod = "gateway" | "ccr";

/** Per index, for CCR: leader vs follower checkpoints summed over shards. */
export interface IndexLag {
  readonly index: string;
  readonly followerIndex: string;
  readonly status: string;
  readonly operationsBehind: number;
  /**
   * At most this many seconds behind, from bluegreen's own sightings of the leader's checkpoints
   * (src/sync/ccr/lag-clock.ts); undefined until a reading old enough bounds it. 0 when caught up.
   */
  readonly secondsBehind: number | undefined;
  /** At least this many seconds behind. */
  readonly secondsBehindAtLeast: number;
  readonly shards: readonly {
    readonly shard: number;
    readonly leader: number;
    readonly follower: number;
  }[];
}

export interface SyncLag {
  /** Operations (CCR) or log records (gateway) the target is behind. */
  readonly lagRecords: number;
  /** Gateway: replay's stored position. */
  readonly position?: LogPosition | undefined;
  /** CCR: per followed index. */
  readonly indices?: readonly IndexLag[];
  /** CCR: the worst index's bounds (see IndexLag). */
  readonly secondsBehind?: number | undefined;
  readonly secondsBehindAtLeast?: number;
}

export interface SyncDriver {
  readonly method: ConcreteSyncMethod;
  /** Sets sync up (CCR: remote connection, followers, auto-follow rules) or checks it runs (gateway). */
  start(signal?: AbortSignal): Promise<Record<string, unknown>>;
  lag(): Promise<SyncLag>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Waits until nothing is left to carry over (the source must be write-blocked for it to stay so). */
  drain(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Ends sync at cutover: with CCR the followers become ordinary, writable indices. */
  stop(): Promise<Record<string, unknown>>;
  /** Removes what sync set up on the clusters (decommission). */
  cleanUp(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
