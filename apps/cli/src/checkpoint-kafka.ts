import type { Producer } from 'kafkajs';
import { type Checkpoint, writeCheckpointFile } from '@yilian/event-store';
import { createKafka } from '@yilian/messaging';

/** `kafka:host:port,host:port` → the brokers; anything else is a directory. */
export function kafkaSource(text: string): string[] | undefined {
  if (!text.startsWith('kafka:')) return undefined;
  return text
    .slice('kafka:'.length)
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
}

function kafka(brokers: string[]) {
  return createKafka({ brokers, clientId: 'yilian-cli', topicPrefix: '' });
}

/** A producer of the checkpoints topic (created with one partition when missing: checkpoints
 * are one sequence, and one partition keeps their order). Key: the sequence number. */
export async function checkpointProducer(
  brokers: string[],
  topic: string,
): Promise<{ publish(c: Checkpoint): Promise<void>; close(): Promise<void> }> {
  const client = kafka(brokers);
  const admin = client.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return {
    publish: async (c) => {
      await producer.send({
        topic,
        acks: -1,
        messages: [{ key: String(c.sequence), value: JSON.stringify(c) }],
      });
    },
    close: () => producer.disconnect(),
  };
}

/** Copies every checkpoint on the topic, from its start to its end now, into `dir` (one file
 * each, a resent sequence overwriting the earlier copy): verify then reads them as files,
 * one at a time. */
export async function copyCheckpointsFromKafka(
  brokers: string[],
  topic: string,
  dir: string,
): Promise<number> {
  const client = kafka(brokers);
  const admin = client.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic))
      throw new Error(`the checkpoints topic ${topic} does not exist on ${brokers.join(',')}`);
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const pending = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  if (pending.size === 0) return 0;
  const consumer = client.consumer({ groupId: `yilian-cli-verify-${process.pid}-${Date.now()}` });
  let copied = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            if (message.value) {
              await writeCheckpointFile(dir, JSON.parse(message.value.toString('utf8')) as Checkpoint);
              copied += 1;
            }
            if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) pending.delete(partition);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return copied;
}
