/* Helpers for the integration spec: recorded events to publish, and a plain kafkajs reader to
 * see exactly what is on a topic (key, value, headers). */
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { RecordedEvent, TopicName } from '@yilian/contracts';
import { type ConsumerOptions, KafkaEventConsumer } from './consumer';
import type { KafkaConfig } from './kafka-config';

let commit = 1000n;

export function recordedEvent(
  stream: string,
  streamPosition: number,
  options: { patientKey?: string; data?: unknown; type?: string } = {},
): RecordedEvent {
  commit += 1n;
  return {
    id: randomUUID(),
    type: options.type ?? 'SomethingHappened',
    schemaVersion: 1,
    data: options.data ?? { n: streamPosition, note: '患者 test data' },
    metadata: {
      source: { institution: 'ORG1', messageId: `MSG-${stream}-${streamPosition}`, protocol: 'hl7v2' },
      ...(options.patientKey ? { patientKey: options.patientKey } : {}),
      correlationId: randomUUID(),
      ...(streamPosition > 0 ? { causationId: randomUUID() } : {}),
      occurredAt: '2025-01-02T03:04:05.000Z',
    },
    stream,
    streamPosition: BigInt(streamPosition),
    position: { commit, prepare: BigInt(streamPosition) },
    recordedAt: new Date().toISOString(),
    hash: 'a'.repeat(64),
    previousHash: streamPosition > 0 ? 'b'.repeat(64) : null,
  };
}

export interface RawMessage {
  readonly partition: number;
  readonly key: string | undefined;
  readonly value: string | undefined;
  readonly headers: Record<string, string>;
}

/** Reads `count` messages (those `keep` keeps) from the start of `topic` with a throw-away
 * consumer group. */
export async function readRaw(
  kafka: Kafka,
  topic: string,
  count: number,
  keep: (m: RawMessage) => boolean = () => true,
): Promise<RawMessage[]> {
  const consumer = kafka.consumer({ groupId: `raw-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const seen: RawMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const raw = {
          partition,
          key: message.key?.toString(),
          value: message.value?.toString(),
          headers: text(message),
        };
        if (keep(raw)) seen.push(raw);
      },
    });
    await waitFor(() => seen.length >= count, `${count} messages on ${topic}`);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}

function text(message: KafkaMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) out[name] = String(value);
  return out;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 40_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Consumers for one spec file: groups under its topic prefix, timeouts short enough for tests
 * (`defaults` and each call's options on top); `stopAll` stops every one made. */
export function testConsumers(config: KafkaConfig, defaults: Partial<ConsumerOptions> = {}) {
  const made: KafkaEventConsumer[] = [];
  return {
    consumer(group: string, topics: TopicName[], options: Partial<ConsumerOptions> = {}): KafkaEventConsumer {
      const c = new KafkaEventConsumer(config, {
        groupId: `${config.topicPrefix}${group}`,
        topics,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        maxWaitTimeMs: 250,
        retryDelayMs: 10,
        stopGraceMs: 300,
        ...defaults,
        ...options,
      });
      made.push(c);
      return c;
    },
    stopAll: () => Promise.all(made.map((c) => c.stop())),
  };
}
