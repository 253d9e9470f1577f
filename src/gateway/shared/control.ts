import type { Cluster } from "kafkajs";
import { closeKafkaClients, ensureTopic, kafkaClients, whileSettling } from "../../capture/index.ts";
import type { MigrationConfig, SharedModeSettings } from "../../config/index.ts";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import type { ControlRecord } from "./view.ts";

/** The control topic: one partition (one total order), compacted, stamped with the broker's clock. */
const TOPIC_CONFIG = [
  { name: "cleanup.policy", value: "compact" },
  { name: "message.timestamp.type", value: "LogAppendTime" },
  // Heartbeats make most of its records; compact them away within minutes, not days.
  { name: "segment.ms", value: String(10 * 60_000) },
  { name: "min.cleanable.dirty.ratio", value: "0.1" },
];

export interface ControlRead {
  readonly records: readonly ControlRecord[];
  /** The partition's end when the broker answered: a reader at or past it has seen everything. */
  readonly highWatermark: number;
}

/** A plain Kafka client of the control topic: produce with acks=all, fetch from an offset. */
export interface ControlTopic {
  readonly topic: string;
  /** Appends one record (undefined value: a tombstone); resolves with its offset once replicated. */
  publish(key: string, value: Buffer | undefined): Promise<number>;
  /** Records at or after `from`, waiting up to `waitMs` for the first one. */
  read(from: number, waitMs: number): Promise<ControlRead>;
  close(): Promise<void>;
}

export function sharedSettings(config: MigrationConfig): SharedModeSettings {
  const shared = config.gateway.shared;
  if (shared === undefined)
    throw new BluegreenError("BG_INTERNAL", "The shared mode was used without gateway.shared set.");
  return shared;
}

export async function openControlTopic(config: MigrationConfig, clientId: string): Promise<ControlTopic> {
  const { controlTopic: topic } = sharedSettings(config);
  const brokers = [...config.gateway.log.brokers];
  const clients = kafkaClients({
    clientId,
    brokers,
    connectionTimeoutMs: 3_000,
    // A gateway's lease is seconds: a request must give up well before kafkajs's 30 s default.
    requestTimeoutMs: Math.max(2_000, sharedSettings(config).leaseMs),
    retries: 3,
    maxRetryTimeMs: 1_000,
  });
  const { admin, producer, cluster } = clients;
  const fail = (what: string, error: unknown) => controlError(topic, brokers, what, error);
  try {
    await admin.connect();
    const partitions = (
      await ensureTopic(admin, { topic, numPartitions: 1, configEntries: TOPIC_CONFIG }, topic, 30_000)
    ).length;
    if (partitions !== 1)
      throw new BluegreenError(
        "BG_GATEWAY_SHARED",
        `The control topic ${topic} has ${partitions} partitions; the shared mode needs exactly one (one order of switches for every gateway).`,
        {
          fix: `Delete the topic (kafka-topics --delete --topic ${topic}) so the gateway creates it, or name another in gateway.shared.controlTopic.`,
        },
      );
    await producer.connect();
    await cluster.connect();
    await whileSettling(() => cluster.addTargetTopic(topic), Date.now() + 30_000);
  } catch (error) {
    await closeKafkaClients(clients);
    throw fail("open", error);
  }
  return {
    topic,
    async publish(key, value) {
      try {
        const [meta] = await producer.send({
          topic,
          acks: -1,
          messages: [{ key, value: value ?? null }],
        });
        const offset = Number(meta?.baseOffset ?? Number.NaN);
        // Callers wait to read past this offset: without one they could not know what they waited for.
        if (!Number.isSafeInteger(offset))
          throw new Error(`the broker answered without an offset (${String(meta?.baseOffset)})`);
        return offset;
      } catch (error) {
        throw fail("publish to", error);
      }
    },
    async read(from, waitMs) {
      try {
        return await fetchControl(cluster, topic, from, waitMs);
      } catch (error) {
        // A restarted or moved broker: learn the leader again for the next attempt.
        await cluster.refreshMetadata().catch(() => undefined);
        throw fail("read", error);
      }
    },
    async close() {
      await closeKafkaClients(clients);
    },
  };
}

interface FetchedPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly messages: readonly {
    readonly offset: string;
    readonly timestamp: string;
    readonly key: Buffer | null;
    readonly value: Buffer | null;
    readonly isControlRecord?: boolean;
  }[];
}

async function fetchControl(
  cluster: Cluster,
  topic: string,
  from: number,
  waitMs: number,
): Promise<ControlRead> {
  const leaders = cluster.findLeaderForPartitions(topic, [0]);
  const nodeId = Object.keys(leaders)[0];
  if (nodeId === undefined) throw new Error(`no leader known for ${topic} partition 0`);
  const broker = await cluster.findBroker({ nodeId });
  const response = (await broker.fetch({
    maxWaitTime: waitMs,
    minBytes: 1,
    maxBytes: 4 * 1024 * 1024,
    isolationLevel: 0,
    topics: [{ topic, partitions: [{ partition: 0, fetchOffset: String(from), maxBytes: 4 * 1024 * 1024 }] }],
  })) as { responses: { partitions: FetchedPartition[] }[] };
  const partition = response.responses[0]?.partitions[0];
  if (partition === undefined) throw new Error(`no answer for ${topic} partition 0`);
  const records: ControlRecord[] = [];
  for (const m of partition.messages) {
    const offset = Number(m.offset);
    // A fetch returns whole batches, so the first may start before `from`.
    if (offset < from || m.isControlRecord === true) continue;
    records.push({
      offset,
      key: m.key?.toString("utf8") ?? "",
      value: m.value === null ? undefined : new Uint8Array(m.value),
      timestampMs: Number(m.timestamp),
    });
  }
  return { records, highWatermark: Number(partition.highWatermark) };
}

function controlError(
  topic: string,
  brokers: readonly string[],
  what: string,
  error: unknown,
): BluegreenError {
  if (isBluegreenError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BluegreenError(
    "BG_GATEWAY_SHARED",
    `Could not ${what} the shared mode's control topic ${topic} (brokers ${brokers.join(", ")}): ${message}.`,
    {
      fix: "Check that the Kafka brokers are reachable from this host and healthy; gateways refuse writes while they cannot read this topic.",
      details: { topic, brokers },
      cause: error,
    },
  );
}
