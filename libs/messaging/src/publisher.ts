import {
  KafkaJSError,
  Partitioners,
  type Admin,
  type Kafka,
  type Message,
  type Producer,
  type RetryOptions,
} from 'kafkajs';
import {
  DEAD_LETTER_SUFFIX,
  kafkaKey,
  toCloudEventHeaders,
  topicForStream,
  TOPICS,
  type RecordedEvent,
} from '@yilian/contracts';
import { createKafka, type KafkaConfig } from './kafka-config';
import type { MessagingLogger } from './logger';

export interface PublisherOptions {
  readonly logger?: MessagingLogger;
  /** A client to share; by default one is made from the configuration. */
  readonly kafka?: Kafka;
  /** kafkajs retry settings; the idempotent producer's default is to retry without end
   * (backing off up to 30 s), which keeps the no-duplicate guarantee across broker hiccups. */
  readonly retry?: RetryOptions;
  /** Bytes (values and headers) per produce request, 512 KiB by default: a request's record
   * batch for one partition must stay under the broker's `message.max.bytes` (1 MiB by
   * default), and 500 lab reports of 14 KB each are 7 MB. */
  readonly maxRequestBytes?: number;
}

/**
 * Publishes recorded events to their domain topics (`topicForStream`), in CloudEvents binary
 * mode: key = patient key (else stream), `ce_*` headers, value = the event's data as JSON.
 * Idempotent producer, acks from all in-sync replicas, one request in flight: events with the
 * same key keep their order. Calls are serialised, so they reach Kafka in the order made.
 */
export class KafkaEventPublisher {
  private readonly producer: Producer;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxRequestBytes: number;

  constructor(
    private readonly config: KafkaConfig,
    options: PublisherOptions = {},
  ) {
    this.maxRequestBytes = options.maxRequestBytes ?? 512 * 1024;
    const kafka = options.kafka ?? createKafka(config, options.logger);
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // murmur2 of the key, as Java clients do (kafkajs' default, named to silence its notice).
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(options.retry ? { retry: options.retry } : {}),
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** Resolves once Kafka acknowledged every event; rejects (having sent none or some) if not:
   * the caller publishes again from its checkpoint, and consumers are idempotent. */
  publish(events: readonly RecordedEvent[]): Promise<void> {
    const sent = this.queue.then(() => this.send(events));
    this.queue = sent.catch(() => undefined);
    return sent;
  }

  private async send(events: readonly RecordedEvent[]): Promise<void> {
    // In order, in requests of at most maxRequestBytes (an event bigger than that alone).
    let request: { topic: string; message: Message }[] = [];
    let bytes = 0;
    for (const event of events) {
      const headers = toCloudEventHeaders(event);
      const message: Message = { key: kafkaKey(event), value: JSON.stringify(event.data) ?? 'null', headers };
      const size = Buffer.byteLength(message.value as string) + JSON.stringify(headers).length;
      if (request.length > 0 && bytes + size > this.maxRequestBytes) {
        await this.sendRequest(request);
        request = [];
        bytes = 0;
      }
      request.push({ topic: topicForStream(event.stream, this.config.topicPrefix), message });
      bytes += size;
    }
    if (request.length > 0) await this.sendRequest(request);
  }

  private async sendRequest(request: readonly { topic: string; message: Message }[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const { topic, message } of request) {
      const messages = byTopic.get(topic);
      if (messages) messages.push(message);
      else byTopic.set(topic, [message]);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}

/** How the hub's topics are made when missing: partitions (the most consumers of a group that
 * get work) and replicas (broker copies; -1 = the broker's `default.replication.factor`). */
export interface TopicSettings {
  readonly partitions: number;
  readonly replication?: number;
}

/**
 * Creates every domain topic (TOPICS) and its dead-letter topic under `prefix`, with the given
 * partitions and replication, unless it exists already, and waits until every partition has a
 * leader. Safe to call from several processes at once (the relay and each projector do, at
 * start). Returns the names it created; an existing topic is left as it is.
 */
export async function ensureTopics(
  kafka: Kafka,
  prefix: string,
  settings: number | TopicSettings,
): Promise<string[]> {
  const { partitions, replication = -1 } = typeof settings === 'number' ? { partitions: settings } : settings;
  const wanted = Object.values(TOPICS).flatMap((t) => [prefix + t, prefix + t + DEAD_LETTER_SUFFIX]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      // kafkajs' own waitForLeaders gives up when a fresh topic is not yet in the broker's
      // metadata (UNKNOWN_TOPIC_OR_PARTITION), which KRaft brokers answer for a moment. A
      // topic another process created meanwhile is no error (kafkajs answers false).
      await admin.createTopics({
        topics: missing.map((topic) => ({
          topic,
          numPartitions: partitions,
          replicationFactor: replication,
        })),
        waitForLeaders: false,
      });
    }
    await awaitLeaders(admin, wanted);
    return missing;
  } finally {
    await admin.disconnect();
  }
}

async function awaitLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let problem: string;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const leaderless = found.filter(
        (t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0),
      );
      if (leaderless.length === 0) return;
      problem = `no leader yet for ${leaderless.map((t) => t.name).join(', ')}`;
    } catch (e) {
      if (!(e instanceof KafkaJSError) || !e.retriable) throw e;
      problem = e.message;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready after ${timeoutMs} ms: ${problem}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
