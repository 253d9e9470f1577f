import type { Admin, Cluster, Producer } from "kafkajs";
import { BluegreenError, isBluegreenError } from "../../errors/index.ts";
import { GroupCommit } from "../group-commit.ts";
import type { CaptureLog, LogPosition, LogRecord, StoredRecord } from "../types.ts";
import { ensureTopic, kafkaClients, whileSettling } from "./client.ts";
import { fetchRecords, mergeByTime } from "./fetch.ts";
import { type KafkaLogOptions, type NormalizedKafkaOptions, normalizeKafkaOptions } from "./options.ts";

interface Pending {
  readonly records: readonly LogRecord[];
  readonly bytes: number;
}

const POLL_SLICE_MS = 1_000;
const FETCH_PARTITION_BYTES = 1024 * 1024;

/** Record overhead in a Kafka batch, roughly; only used to size group commits under max.message.bytes. */
const RECORD_OVERHEAD = 64;

/**
 * Opens the Kafka capture log: connects, creates the topic if asked (and missing), and learns its
 * partitions. Errors name the brokers and topic; nothing is retried forever.
 */
export async function openKafkaLog(options: KafkaLogOptions): Promise<KafkaCaptureLog> {
  const o = normalizeKafkaOptions(options);
  const { admin, producer, cluster } = kafkaClients({
    clientId: o.clientId,
    brokers: o.brokers,
    connectionTimeoutMs: o.connectionTimeoutMs,
    requestTimeoutMs: o.requestTimeoutMs,
    retries: 5,
    maxRetryTimeMs: 5_000,
  });
  try {
    await admin.connect();
    const partitions = await ensureTopic(
      admin,
      o.createTopic
        ? {
            topic: o.topic,
            numPartitions: o.partitions,
            replicationFactor: o.replicationFactor,
            configEntries: [{ name: "max.message.bytes", value: String(o.maxRecordBytes + 1024) }],
          }
        : undefined,
      o.topic,
      o.requestTimeoutMs,
    );
    await producer.connect();
    await cluster.connect();
    await whileSettling(() => cluster.addTargetTopic(o.topic), Date.now() + o.requestTimeoutMs);
    return new KafkaCaptureLog(o, admin, producer, cluster, partitions);
  } catch (error) {
    await Promise.allSettled([admin.disconnect(), producer.disconnect(), cluster.disconnect()]);
    throw kafkaError(o, "open the log", error);
  }
}

/**
 * The capture log on a Kafka topic. Appends go through an idempotent producer with acks=all, keyed by
 * the record key (murmur2, like the Java client), and are group-committed: while one produce request is
 * in flight, the next appends queue and go out together. Reads are plain Fetch requests from the
 * caller's position: no consumer group, nothing committed to Kafka.
 */
export class KafkaCaptureLog implements CaptureLog {
  readonly kind = "kafka" as const;
  readonly topic: string;
  private readonly commits = new GroupCommit<Pending>(
    (group) => this.produce(group),
    // One produce request per group, kept under the topic's max.message.bytes.
    (queued) => {
      let bytes = 0;
      let take = 0;
      while (take < queued.length && bytes + (queued[take] as Pending).bytes <= this.o.maxRecordBytes) {
        bytes += (queued[take] as Pending).bytes;
        take++;
      }
      return take;
    },
  );
  private closed = false;
  private readonly closing: Promise<readonly StoredRecord[]>;
  private signalClosed: () => void = () => undefined;
  private readonly o: NormalizedKafkaOptions;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly cluster: Cluster;
  private readonly partitions: readonly number[];
  /** Each partition's first offset, for positions that do not name it; refreshed when found stale. */
  private lows: Map<number, number> | undefined;

  constructor(
    options: NormalizedKafkaOptions,
    admin: Admin,
    producer: Producer,
    cluster: Cluster,
    partitions: readonly number[],
  ) {
    this.o = options;
    this.admin = admin;
    this.producer = producer;
    this.cluster = cluster;
    this.partitions = partitions;
    this.topic = options.topic;
    this.closing = new Promise((resolve) => {
      this.signalClosed = () => resolve([]);
    });
  }

  append(records: readonly LogRecord[]): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.topic));
    let bytes = 0;
    for (const record of records) {
      const size = Buffer.byteLength(record.key, "utf8") + record.value.length + RECORD_OVERHEAD;
      if (size > this.o.maxRecordBytes)
        return Promise.reject(
          new BluegreenError(
            "BG_CAPTURE_RECORD",
            `A capture log record for key ${record.key} is ${size} bytes, over the ${this.o.maxRecordBytes}-byte limit of topic ${this.topic}.`,
            {
              fix: "Raise maxRecordBytes (and the topic's max.message.bytes), or limit request bodies at the gateway.",
            },
          ),
        );
      bytes += size;
    }
    if (records.length === 0) return Promise.resolve();
    return this.commits.submit({ records, bytes });
  }

  async read(from: LogPosition, max: number, waitMs = 0): Promise<readonly StoredRecord[]> {
    if (this.closed) throw closedError(this.topic);
    if (!Number.isSafeInteger(max) || max < 1)
      throw new BluegreenError("BG_CAPTURE_OPTIONS", `read(max) must be a positive integer, got ${max}.`);
    return this.readFrom(from, max, waitMs, true);
  }

  private async readFrom(
    from: LogPosition,
    max: number,
    waitMs: number,
    mayRetry: boolean,
  ): Promise<readonly StoredRecord[]> {
    const offsets = await this.startOffsets(from);
    const deadline = Date.now() + Math.max(0, waitMs);
    try {
      for (;;) {
        // Long polls in slices, so close() (which waits for in-flight requests) never waits long.
        const slice = Math.min(Math.max(0, deadline - Date.now()), POLL_SLICE_MS);
        const fetching = fetchRecords(this.cluster, this.topic, offsets, slice, FETCH_PARTITION_BYTES);
        // close() ends a pending read at once; the abandoned fetch settles into the void.
        fetching.catch(() => undefined);
        const lists = await Promise.race([fetching, this.closing.then(() => undefined)]);
        if (lists === undefined || this.closed) return [];
        const records = mergeByTime(lists, max);
        if (records.length > 0 || Date.now() >= deadline) return records;
      }
    } catch (error) {
      if (this.closed) return [];
      if ((error as { name?: string }).name === "KafkaJSOffsetOutOfRange") {
        const partition = (error as { partition?: number }).partition;
        // A start this log filled in from its cache may have been deleted by broker retention since.
        if (mayRetry && from[String(partition)] === undefined) {
          this.lows = undefined;
          return this.readFrom(from, max, waitMs, false);
        }
        throw new BluegreenError(
          "BG_CAPTURE_POSITION",
          `Kafka topic ${this.topic} partition ${partition} does not hold offset ${offsets.get(partition ?? -1)}: it was deleted (retention or release) or never written.`,
          {
            fix: "The stored position does not belong to this topic (or was released early). Backfill again and start replay from the log's end.",
            cause: error,
          },
        );
      }
      throw kafkaError(this.o, "read", error);
    }
  }

  async end(): Promise<LogPosition> {
    if (this.closed) throw closedError(this.topic);
    const end: Record<string, number> = {};
    for (const { partition, high } of await this.offsets()) end[String(partition)] = high;
    return end;
  }

  async release(position: LogPosition): Promise<void> {
    if (this.closed) throw closedError(this.topic);
    if (!this.o.deleteOnRelease) return;
    const partitions: { partition: number; offset: string }[] = [];
    for (const { partition, low, high } of await this.offsets()) {
      const upTo = Math.min(position[String(partition)] ?? 0, high);
      if (upTo > low) partitions.push({ partition, offset: String(upTo) });
    }
    if (partitions.length === 0) return;
    try {
      await this.admin.deleteTopicRecords({ topic: this.topic, partitions });
      for (const { partition, offset } of partitions) this.lows?.set(partition, Number(offset));
    } catch (error) {
      throw kafkaError(this.o, "delete released records", error);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.commits.idle();
    this.signalClosed();
    await Promise.allSettled([
      this.producer.disconnect(),
      this.admin.disconnect(),
      this.cluster.disconnect(),
    ]);
  }

  private async produce(group: readonly Pending[]): Promise<void> {
    const started = process.hrtime.bigint();
    let records = 0;
    let bytes = 0;
    for (const p of group) {
      records += p.records.length;
      bytes += p.bytes;
    }
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        timeout: this.o.requestTimeoutMs,
        messages: group.flatMap((p) =>
          p.records.map((r) => ({
            key: r.key,
            value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
            timestamp: String(r.timestampMs),
          })),
        ),
      });
    } catch (error) {
      throw kafkaError(this.o, "append", error);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.o.onCommit?.({ records, appends: group.length, bytes, seconds, fsyncSeconds: 0 });
  }

  private async startOffsets(from: LogPosition): Promise<Map<number, number>> {
    const offsets = new Map<number, number>();
    for (const partition of this.partitions) {
      const stored = from[String(partition)];
      if (stored !== undefined && (!Number.isSafeInteger(stored) || stored < 0))
        throw new BluegreenError(
          "BG_CAPTURE_POSITION",
          `Kafka topic ${this.topic}: ${stored} is not a valid offset.`,
          {
            fix: "Positions map a partition to a non-negative integer offset, as end() and advance() produce them.",
          },
        );
      if (stored === undefined && this.lows === undefined)
        this.lows = new Map((await this.offsets()).map(({ partition, low }) => [partition, low] as const));
      offsets.set(partition, stored ?? this.lows?.get(partition) ?? 0);
    }
    return offsets;
  }

  private async offsets(): Promise<{ partition: number; low: number; high: number }[]> {
    try {
      return (await this.admin.fetchTopicOffsets(this.topic)).map((p) => ({
        partition: p.partition,
        low: Number(p.low),
        high: Number(p.high),
      }));
    } catch (error) {
      throw kafkaError(this.o, "fetch topic offsets", error);
    }
  }
}

function kafkaError(o: NormalizedKafkaOptions, what: string, error: unknown): BluegreenError {
  if (isBluegreenError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const retriable = isTransient(error);
  return new BluegreenError(
    "BG_CAPTURE_KAFKA",
    `Kafka capture log could not ${what} on topic ${o.topic} (brokers ${o.brokers.join(", ")}): ${message}.`,
    {
      cause: error,
      fix: "Check that the brokers are reachable and healthy and that the topic exists (or createTopic is on).",
      details: { topic: o.topic, brokers: o.brokers },
      retryable: retriable,
    },
  );
}

/**
 * kafkajs wraps whatever it gave up on in a NonRetriableError once its own retries are spent; a broker
 * that was unreachable or slow can still answer later, so those count as retryable for our callers.
 */
function isTransient(error: unknown): boolean {
  let retriable: boolean | undefined;
  for (
    let e = error as { name?: string; retriable?: boolean; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (e.name === "KafkaJSConnectionError" || e.name === "KafkaJSRequestTimeoutError") return true;
    retriable = e.retriable ?? retriable;
  }
  return retriable ?? true;
}

function closedError(topic: string): BluegreenError {
  return new BluegreenError("BG_CAPTURE_CLOSED", `Kafka capture log on topic ${topic} is closed.`, {
    fix: "This is a bug in the caller: open the log again before using it.",
  });
}
