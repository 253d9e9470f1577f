import type { Cluster } from "../cluster/index.ts";
import type { MigrationConfig } from "../config/index.ts";
import type { Logger } from "../log/index.ts";
import type { StateStore } from "../state/index.ts";

/**
 * The contract every backfill method (snapshot, reindex, stream) implements, so the step, the `auto`
 * planner and the progress renderer treat them alike.
 */
export type ConcreteBackfillMethod = "snapshot" | "reindex" | "stream" | "ccr";

export interface BackfillContext {
  readonly config: MigrationConfig;
  readonly source: Cluster;
  readonly target: Cluster;
  /** Checkpoints live under step id "backfill"; keys are namespaced by method and index. */
  readonly state: StateStore;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly onProgress: (event: ProgressEvent) => void;
  /** Set in distributed mode: this process is one of `workers`, sharing slices through leases. */
  readonly worker?: WorkerIdentity;
}

export interface WorkerIdentity {
  readonly id: string;
  readonly workers: number;
}

/** One index to copy, as the planner decided. */
export interface IndexTask {
  readonly index: string;
  /** Name on the target (equal to `index` unless a rename is configured). */
  readonly targetIndex: string;
  readonly method: ConcreteBackfillMethod;
  /** Why the planner chose this method, shown in the plan. */
  readonly reason: string;
  readonly docs: number;
  readonly bytes: number;
}

export interface ProgressEvent {
  readonly index: string;
  readonly method: ConcreteBackfillMethod;
  readonly phase: "starting" | "copying" | "finishing" | "done";
  readonly docsDone: number;
  readonly docsTotal: number;
  readonly bytesDone: number;
  /** Source size in bytes when known (store size, so only an estimate of what is copied). */
  readonly bytesTotal?: number;
  readonly targetIndex?: string;
  /** Free text for the current phase ("restoring", "waiting for leases", ...). */
  readonly detail?: string;
}

export interface IndexResult {
  readonly index: string;
  readonly targetIndex: string;
  readonly method: ConcreteBackfillMethod;
  readonly docs: number;
  /**
   * The source index's primary store size, for every method, so indices and methods compare: what a
   * method moves differs (stream sends JSON bulk bodies, snapshot copies segment files).
   */
  readonly bytes: number;
  readonly durationMs: number;
}

/** Each method: copy one index, resumable from its own checkpoints; throws a BluegreenError on failure. */
export type BackfillMethodRunner = (ctx: BackfillContext, task: IndexTask) => Promise<IndexResult>;
