import kafkajs, { type Admin, type Cluster, type Producer } from "kafkajs";
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

/** Disconnects all three, whatever state each is in. */
export async function closeKafkaClients(c: KafkaClients): Promise<void> {
  await Promise.allSettled([c.producer.disconnect(), c.admin.disconnect(), c.cluster.disconnect()]);
}
