export type {
  BackfillContext,
  BackfillMethodRunner,
  ConcreteBackfillMethod,
  IndexResult,
  IndexTask,
  ProgressEvent,
} from "./types.ts";
