/* The consumer with a batch handler, against the real broker, on this file's own topics: runs
 * of a partition's messages to the batch handler, a failed run handled one by one (the message
 * that cannot be handled dead-lettered, the malformed one too), transient failures waited out. */
import { HEADERS, TOPICS, type TopicName } from '@yilian/contracts';
import { testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { DLT_HEADERS } from './dead-letter';
import { createKafka, type KafkaConfig } from './kafka-config';
import { readRaw, recordedEvent, testConsumers, waitFor } from './kafka-messaging.fixtures';
import { ensureTopics, KafkaEventPublisher } from './publisher';

const prefix = testTopicPrefix('batches');
const config: KafkaConfig = { brokers: testKafkaBrokers(), clientId: 'batches-spec', topicPrefix: prefix };
const kafka = createKafka(config);
const publisher = new KafkaEventPublisher(config);
const topic = (name: TopicName) => prefix + TOPICS[name];
const { consumer, stopAll } = testConsumers(config, { maxRetryDelayMs: 50 });

async function messageCount(name: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(name);
    return ends.reduce((n, p) => n + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  await ensureTopics(kafka, prefix, 3);
  await publisher.connect();
});

afterAll(async () => {
  await stopAll();
  await publisher.disconnect();
});

test('a batch handler gets runs of at most maxBatchSize in partition order; a run it fails on goes one by one', async () => {
  const events = Array.from({ length: 25 }, (_, n) =>
    recordedEvent('labreport-ORG2-B1', n, { patientKey: 'pk-b' }),
  );
  const poison = events[12]!;
  await publisher.publish(events.slice(0, 20));
  // A message that is not a recorded event, between two runs.
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topic('results'),
    messages: [{ key: 'pk-b', value: 'not an event', headers: {} }],
  });
  await producer.disconnect();
  await publisher.publish(events.slice(20));

  const ours = new Set(events.map((e) => e.id));
  const runs: string[][] = [];
  const applied: string[] = [];
  await consumer('batches', ['results'], { maxBatchSize: 10, maxAttempts: 2 }).run(
    async (e) => {
      if (e.id === poison.id) throw new Error('cannot apply this one');
      if (ours.has(e.id)) applied.push(e.id);
    },
    async (batch) => {
      const mine = batch.filter((e) => ours.has(e.id)).map((e) => e.id);
      runs.push(mine);
      if (mine.includes(poison.id)) throw new Error('the batch fails as a whole');
      applied.push(...mine);
    },
  );
  await waitFor(() => applied.length >= events.length - 1, 'every event but the poisoned one');

  expect(applied).toEqual(events.filter((e) => e !== poison).map((e) => e.id));
  expect(runs.every((r) => r.length <= 10)).toBe(true);
  const failed = runs.filter((r) => r.includes(poison.id));
  expect(failed).toHaveLength(1);
  expect(failed[0]!.length).toBeGreaterThan(1);
  expect(await messageCount(topic('results') + '.dlt')).toBe(2);
  const dead = await readRaw(kafka, topic('results') + '.dlt', 2);
  expect(dead.map((m) => m.headers[HEADERS.id])).toEqual([poison.id, undefined]);
  expect(dead.map((m) => m.headers[DLT_HEADERS.reason])).toEqual([
    'cannot apply this one',
    expect.stringMatching(/^missing header/),
  ]);
});

test('a transient failure is retried for as long as it lasts, past maxAttempts, and never dead-lettered', async () => {
  class Unreachable extends Error {}
  const events = Array.from({ length: 6 }, (_, n) => recordedEvent('institution-T1', n));
  await publisher.publish(events);
  const ours = new Set(events.map((e) => e.id));
  let failures = 0;
  const applied: string[] = [];
  const outage = () => {
    if (failures < 8) {
      failures++;
      throw new Unreachable('database unreachable');
    }
  };
  await consumer('transient', ['alliance'], {
    maxAttempts: 2,
    isTransient: (e) => e instanceof Unreachable,
  }).run(
    async (e) => {
      if (!ours.has(e.id)) return;
      outage();
      applied.push(e.id);
    },
    async (batch) => {
      if (!batch.some((e) => ours.has(e.id))) return;
      outage();
      applied.push(...batch.filter((e) => ours.has(e.id)).map((e) => e.id));
    },
  );
  await waitFor(() => applied.length >= events.length, 'every event');
  expect(applied).toEqual(events.map((e) => e.id));
  expect(failures).toBe(8);
  expect(await messageCount(topic('alliance') + '.dlt')).toBe(0);
});
