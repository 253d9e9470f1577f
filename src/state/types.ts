/** Closed set of step states persisted in the state file; the workflow engine owns the transitions. */
export const STEP_STATUSES = ["pending", "running", "done", "failed", "skipped"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface MigrationRecord {
  readonly name: string;
  /** Fingerprint of the config last used with this state file. */
  readonly fingerprint: string;
  readonly createdAt: string;
}

export interface StepError {
  readonly code: string;
  readonly message: string;
}

export interface StepRecord {
  readonly id: string;
  readonly status: StepStatus;
  /** How many times the step has been started, across all runs. */
  readonly attempt: number;
  readonly startedAt: string | undefined;
  readonly finishedAt: string | undefined;
  readonly error: StepError | undefined;
  readonly summary: unknown;
}

export interface StepUpdate {
  /** Recorded with `failed`. */
  readonly error?: StepError;
  /** Recorded with `done` and `skipped`: what the step did, for `bluegreen status`. */
  readonly summary?: unknown;
}

export interface CheckpointRecord {
  readonly step: string;
  readonly key: string;
  readonly value: unknown;
  readonly updatedAt: string;
}

export interface EventInput {
  readonly type: string;
  readonly step?: string;
  readonly data?: unknown;
}

export interface EventRecord {
  readonly seq: number;
  readonly at: string;
  readonly step: string | undefined;
  readonly type: string;
  readonly data: unknown;
}

export interface EventQuery {
  /** Only events after this sequence number (for tailing). */
  readonly afterSeq?: number;
  readonly step?: string;
  /** At most this many events; default 1000. */
  readonly limit?: number;
}
