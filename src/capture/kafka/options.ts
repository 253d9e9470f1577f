import { BluegreenError } from "../../errors/index.ts";
import type { CommitTiming } from "../group-commit.ts";

export interface KafkaLogOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[];
  readonly topic: string;
  /**
   * Partitions of the topic when this log creates it (default 1: one total order). One key always maps
   * to one partition, so one document's writes keep their order with any count.
   */
  readonly partitions?: number;
  /** Replication factor when creating the topic; default the broker's default.replication.factor. */
  readonly replicationFactor?: number;
  /** Create the topic if it is missing (default true). */
  readonly createTopic?: boolean;
  readonly clientId?: string;
  /** Largest record accepted; also the topic's max.message.bytes when this log creates it. Default 8 MiB. */
  readonly maxRecordBytes?: number;
  /** Delete records before a released position with DeleteRecords (default true). */
  readonly deleteOnRelease?: boolean;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Called after every acknowledged produce request (one group commit), e.g. to feed a histogram. */
  readonly onCommit?: (commit: CommitTiming) => void;
}

const MiB = 1024 * 1024;
// Kafka's legal topic names.
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
const BROKER = /^[^\s:]+:\d{1,5}$/;

export function normalizeKafkaOptions(options: KafkaLogOptions) {
  const bad = (field: string, value: unknown, rule: string): BluegreenError =>
    new BluegreenError(
      "BG_CAPTURE_OPTIONS",
      `Kafka capture log option ${field} is ${JSON.stringify(value)}: ${rule}.`,
      { fix: `Set ${field} to ${rule}.` },
    );
  if (!Array.isArray(options.brokers) || options.brokers.length === 0)
    throw bad("brokers", options.brokers, "a non-empty list of host:port");
  for (const broker of options.brokers)
    if (typeof broker !== "string" || !BROKER.test(broker))
      throw bad("brokers", broker, "a list of host:port");
  if (typeof options.topic !== "string" || !TOPIC.test(options.topic))
    throw bad("topic", options.topic, "1-249 characters of a-z, A-Z, 0-9, '.', '_' or '-'");
  const integer = (
    field: string,
    value: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (value === undefined) return fallback;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw bad(field, value, `an integer from ${min} to ${max}`);
    return value;
  };
  return {
    brokers: [...options.brokers],
    topic: options.topic,
    partitions: integer("partitions", options.partitions, 1, 1, 10_000),
    replicationFactor: integer("replicationFactor", options.replicationFactor, -1, -1, 100),
    createTopic: options.createTopic ?? true,
    clientId: options.clientId ?? "bluegreen-capture",
    maxRecordBytes: integer("maxRecordBytes", options.maxRecordBytes, 8 * MiB, 64, 512 * MiB),
    deleteOnRelease: options.deleteOnRelease ?? true,
    connectionTimeoutMs: integer("connectionTimeoutMs", options.connectionTimeoutMs, 3_000, 1, 600_000),
    requestTimeoutMs: integer("requestTimeoutMs", options.requestTimeoutMs, 30_000, 1, 600_000),
    onCommit: options.onCommit,
  };
}

export type NormalizedKafkaOptions = ReturnType<typeof normalizeKafkaOptions>;
