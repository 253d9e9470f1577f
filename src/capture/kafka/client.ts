import kafkajs, { type Admin, type Cluster, type ITopicConfig, type Producer } from "kafkajs";
import { clusterOf } from "./fetch.ts";

const { Kafka, logLevel, Partitioners } = kafkajs;

export interface KafkaClientOptions {
  readonly clientId: string;
  readonly brokers: readonly string[];
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** kafkajs's own retries of a failed request, and the longest pause between them. */
  readonly retries: number;
  readonly maxRetryTimeMs: number;
}

export interface KafkaClients {
  readonly admin: Admin;
  readonly producer: Producer;
  /** For plain Fetch requests from a position (see fetch.ts). */
  readonly cluster: Cluster;
}

/**
 * The three clients a bluegreen Kafka topic needs, not yet connected. The producer is idempotent with
 * one request in flight, so a retried batch can never overtake the next one.
 */
export function kafkaClients(o: KafkaClientOptions): KafkaClients {
  quietNegativeTimer();
  const kafka = new Kafka({
    clientId: o.clientId,
    brokers: [...o.brokers],
    connectionTimeout: o.connectionTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    retry: { retries: o.retries, initialRetryTime: 100, maxRetryTime: o.maxRetryTimeMs },
    // Failures reach the caller as BluegreenErrors; kafkajs's own console lines would only duplicate them.
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  return { admin: kafka.admin(), producer, cluster: clusterOf(kafka) };
}

let quieted = false;

/**
 * kafkajs 2.2.4, its last release, arms a timer for "throttled until" minus now while nothing throttles
 * it (-1 minus now): the 1 ms delay it means, but Node 24 also prints a TimeoutNegativeWarning on stderr
 * (tulios/kafkajs#1751), which an operator would read as our fault. Only that warning is dropped: a delay
 * of minus a timestamp, which no code of ours sets. Node reports one per process anyway.
 */
function quietNegativeTimer(): void {
  if (quieted) return;
  quieted = true;
  const emit = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const kafkajsTimer =
      rest[0] === "TimeoutNegativeWarning" &&
      typeof warning === "string" &&
      /^-[0-9]{12,} is a negative number/.test(warning);
    if (!kafkajsTimer) Reflect.apply(emit, this, [warning, ...rest]);
  } as typeof process.emitWarning;
}

/** Disconnects all three, whatever state each is in. */
export async function closeKafkaClients(c: KafkaClients): Promise<void> {
  await Promise.allSettled([c.producer.disconnect(), c.admin.disconnect(), c.cluster.disconnect()]);
}

const TOPIC_SETTLING = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_OR_FOLLOWER",
]);

/**
 * Creates the topic if it is missing and waits, up to `timeoutMs`, until every partition has a
 * leader. Several gateways starting at once all try: the losers' createTopics returns at once
 * ("exists") while the winner's topic may still have no leader, and their first metadata request
 * would fail with "This server does not host this topic-partition". Returns the partition ids.
 */
export async function ensureTopic(
  admin: Admin,
  topic: ITopicConfig | undefined,
  name: string,
  timeoutMs: number,
): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  // Its own wait for leaders can fail the same way on a broker that just started.
  if (topic !== undefined)
    await whileSettling(() => admin.createTopics({ waitForLeaders: true, topics: [topic] }), deadline);
  for (;;) {
    const metadata = await whileSettling(() => admin.fetchTopicMetadata({ topics: [name] }), deadline);
    const partitions = metadata.topics[0]?.partitions ?? [];
    if (partitions.length > 0 && partitions.every((p) => p.leader >= 0))
      return partitions.map((p) => p.partitionId).sort((a, b) => a - b);
    if (Date.now() >= deadline) throw new Error(`topic ${name} has partitions without a leader`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Runs `request` again while it fails because a new topic is not known everywhere yet (until
 * `deadline`, epoch ms): the admin client may see the topic led before another client's metadata does.
 */
export async function whileSettling<T>(request: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!settling(error) || Date.now() >= deadline) throw error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** kafkajs wraps a protocol error in a retries-exceeded error once its own retries are spent. */
function settling(error: unknown): boolean {
  for (let e = error as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e)
    if (TOPIC_SETTLING.has(e.type ?? "")) return true;
  return false;
}
