import type { Cluster, Kafka } from "kafkajs";
import { BluegreenError } from "../../errors/index.ts";
import type { StoredRecord } from "../types.ts";

/**
 * kafkajs's consumer only works inside a consumer group (subscribe, rebalance, commit); it has no
 * assign/seek-and-poll. The capture log must read from positions the replayer stores itself, commit
 * nothing and never join a group, so reads go one level down: kafkajs's own Cluster, which routes a
 * Fetch request to each partition's leader and decodes record batches. That object is made by a
 * private factory of the Kafka client (so it shares brokers, TLS, SASL and socket settings); kafkajs
 * 2.x is frozen, and if that factory ever moves this fails loudly at open, never at a read.
 */
export function clusterOf(kafka: Kafka): Cluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (s) => s.description === "private:Kafka:createCluster",
  );
  const create = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof create !== "function")
    throw new BluegreenError(
      "BG_INTERNAL",
      "This kafkajs version has no cluster factory; the Kafka capture log needs kafkajs 2.x.",
      {
        fix: "Install the kafkajs version in package.json (npm ci).",
      },
    );
  // READ_UNCOMMITTED: there are no transactions here, and it reads exactly up to the high watermark.
  return create({ allowAutoTopicCreation: false, isolationLevel: 0 }) as Cluster;
}

interface FetchedMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly isControlRecord?: boolean;
}

interface FetchResponse {
  readonly responses: readonly {
    readonly topicName: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly messages: readonly FetchedMessage[];
    }[];
  }[];
}

/**
 * One Fetch per partition leader, in parallel, each a long poll of up to `waitMs` that returns as soon
 * as a byte is there. Returns each partition's records at or after its offset, in offset order.
 */
export async function fetchRecords(
  cluster: Cluster,
  topic: string,
  offsets: ReadonlyMap<number, number>,
  waitMs: number,
  maxBytesPerPartition: number,
): Promise<StoredRecord[][]> {
  const byLeader = cluster.findLeaderForPartitions(topic, [...offsets.keys()]);
  const responses = await Promise.all(
    Object.entries(byLeader).map(async ([nodeId, partitions]) => {
      const broker = await cluster.findBroker({ nodeId });
      return (await broker.fetch({
        maxWaitTime: waitMs,
        minBytes: 1,
        maxBytes: maxBytesPerPartition * partitions.length,
        isolationLevel: 0,
        topics: [
          {
            topic,
            partitions: partitions.map((partition) => ({
              partition,
              fetchOffset: String(offsets.get(partition) ?? 0),
              maxBytes: maxBytesPerPartition,
            })),
          },
        ],
      })) as FetchResponse;
    }),
  );
  const out: StoredRecord[][] = [];
  for (const response of responses)
    for (const { partitions } of response.responses)
      for (const { partition, messages } of partitions) {
        const from = offsets.get(partition) ?? 0;
        const records: StoredRecord[] = [];
        // A fetch returns whole batches, so the first one may start before the requested offset.
        for (const m of messages) {
          const offset = Number(m.offset);
          if (offset < from || m.isControlRecord === true) continue;
          const value = new Uint8Array(m.value?.length ?? 0);
          if (m.value !== null) value.set(m.value);
          records.push({
            partition,
            offset,
            key: m.key?.toString("utf8") ?? "",
            value,
            timestampMs: Number(m.timestamp),
          });
        }
        out.push(records);
      }
  return out;
}

/** Takes up to `max` records from per-partition lists, oldest timestamp first, never reordering a partition. */
export function mergeByTime(lists: readonly (readonly StoredRecord[])[], max: number): StoredRecord[] {
  const heads = lists.map(() => 0);
  const out: StoredRecord[] = [];
  while (out.length < max) {
    let pick = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]?.[heads[i] as number];
      if (candidate === undefined) continue;
      const best = pick === -1 ? undefined : lists[pick]?.[heads[pick] as number];
      if (best === undefined || candidate.timestampMs < best.timestampMs) pick = i;
    }
    if (pick === -1) break;
    out.push(lists[pick]?.[heads[pick] as number] as StoredRecord);
    heads[pick] = (heads[pick] as number) + 1;
  }
  return out;
}
