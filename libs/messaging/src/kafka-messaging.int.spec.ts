/* Publisher and consumer against the real single-node Kafka broker that test/global-setup.ts
 * starts; every topic lives under this file's own prefix. */
import { HEADERS, toCloudEventHeaders, TOPICS, type RecordedEvent, type TopicName } from '@yilian/contracts';
import { testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { DLT_HEADERS } from './dead-letter';
import { createKafka, type KafkaConfig } from './kafka-config';
import { readRaw, recordedEvent, testConsumers, waitFor } from './kafka-messaging.fixtures';
import { ensureTopics, KafkaEventPublisher } from './publisher';

const prefix = testTopicPrefix('messaging');
const config: KafkaConfig = { brokers: testKafkaBrokers(), clientId: 'messaging-spec', topicPrefix: prefix };
const kafka = createKafka(config);
const publisher = new KafkaEventPublisher(config);
const topic = (name: TopicName) => prefix + TOPICS[name];
const { consumer, stopAll } = testConsumers(config);

beforeAll(async () => {
  const created = await ensureTopics(kafka, prefix, 3);
  expect(created).toHaveLength(Object.keys(TOPICS).length * 2);
  await publisher.connect();
});

afterAll(async () => {
  await stopAll();
  await publisher.disconnect();
});

test('round trip: CloudEvents headers, key and JSON value on the topic; the same event back', async () => {
  const first = recordedEvent('labreport-ORG1-ACC1', 0, { patientKey: 'pk-1', type: 'LabReportFinalised' });
  const second = recordedEvent('labreport-ORG1-ACC1', 1, { patientKey: 'pk-1', type: 'LabReportCorrected' });
  await publisher.publish([first, second]);

  const raw = await readRaw(kafka, topic('results'), 2);
  expect(raw.map((m) => m.key)).toEqual(['pk-1', 'pk-1']);
  expect(raw[0]!.value).toBe(JSON.stringify(first.data));
  expect(raw[0]!.headers).toEqual(toCloudEventHeaders(first));
  expect(raw[1]!.headers).toMatchObject({
    [HEADERS.id]: second.id,
    [HEADERS.specversion]: '1.0',
    [HEADERS.type]: 'cn.yilian.LabReportCorrected.v1',
    [HEADERS.source]: 'urn:yilian:institution:ORG1',
    'content-type': 'application/json',
  });

  const received: RecordedEvent[] = [];
  await consumer('roundtrip', ['results']).run(async (e) => void received.push(e));
  await waitFor(() => received.length >= 2, 'two events');
  expect(received).toEqual([first, second]);
});

test('per-key order holds across partitions and concurrent publish calls', async () => {
  const keys = ['pk-a', 'pk-b', 'pk-c', 'pk-d'];
  const events = Array.from({ length: 25 }, (_, n) =>
    keys.map((k) => recordedEvent(`patient-${k}`, n, { patientKey: k })),
  ).flat();
  const chunks = Array.from({ length: 10 }, (_, i) => events.slice(i * 10, i * 10 + 10));
  await Promise.all(chunks.map((chunk) => publisher.publish(chunk)));

  const byKey = new Map<string, number[]>(keys.map((k) => [k, []]));
  let count = 0;
  await consumer('order', ['patients']).run(async (e) => {
    byKey.get(e.metadata.patientKey!)!.push(Number(e.streamPosition));
    count++;
  });
  await waitFor(() => count >= events.length, `${events.length} events`);
  for (const k of keys) expect(byKey.get(k)).toEqual(Array.from({ length: 25 }, (_, n) => n));
});

test('a handler that always fails: retried, dead-lettered with the reason, then the next message', async () => {
  const poison = recordedEvent('referral-R1', 0);
  const next = recordedEvent('referral-R1', 1);
  await publisher.publish([poison, next]);

  let attempts = 0;
  const handled: string[] = [];
  await consumer('dlt', ['referrals'], { maxAttempts: 3 }).run(async (e) => {
    if (e.id === poison.id) {
      attempts++;
      throw new Error('cannot handle this referral');
    }
    handled.push(e.id);
  });
  await waitFor(() => handled.length >= 1, 'the message after the poison one');
  expect(handled).toEqual([next.id]);
  expect(attempts).toBe(3);

  const [dead] = await readRaw(kafka, topic('referrals') + '.dlt', 1);
  expect(dead!.key).toBe('referral-R1');
  expect(dead!.value).toBe(JSON.stringify(poison.data));
  expect(dead!.headers).toMatchObject({
    ...toCloudEventHeaders(poison),
    [DLT_HEADERS.reason]: 'cannot handle this referral',
    [DLT_HEADERS.group]: `${prefix}dlt`,
    [DLT_HEADERS.topic]: topic('referrals'),
    [DLT_HEADERS.offset]: '0',
  });
  expect(dead!.headers[DLT_HEADERS.partition]).toMatch(/^[0-2]$/);
});

test('a message that is not a recorded event (no ce_id) is dead-lettered, the next one handled', async () => {
  const broken = recordedEvent('institution-ORG9', 0);
  const { [HEADERS.id]: _dropped, ...headers } = toCloudEventHeaders(broken);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: topic('alliance'),
    messages: [{ key: broken.stream, value: JSON.stringify(broken.data), headers }],
  });
  await producer.disconnect();
  const good = recordedEvent('institution-ORG9', 1);
  await publisher.publish([good]);

  const handled: string[] = [];
  await consumer('malformed', ['alliance']).run(async (e) => void handled.push(e.id));
  await waitFor(() => handled.length >= 1, 'the well-formed message');
  expect(handled).toEqual([good.id]);

  const [dead] = await readRaw(kafka, topic('alliance') + '.dlt', 1);
  expect(dead!.key).toBe(broken.stream);
  expect(dead!.headers[DLT_HEADERS.reason]).toBe('missing header ce_id');
  expect(dead!.headers[HEADERS.id]).toBeUndefined();
  expect(dead!.headers[HEADERS.hash]).toBe(broken.hash);
});

test('a group member stopped mid-handler: its successor gets that message again, and nothing is lost', async () => {
  const events = Array.from({ length: 30 }, (_, n) =>
    recordedEvent(`recognition-R${n % 5}`, Math.floor(n / 5)),
  );
  await publisher.publish(events);

  const first = new Set<string>();
  let inFlight: string | undefined;
  let release = (): void => undefined;
  const a = consumer('restart', ['recognition']);
  await a.run(async (e) => {
    if (first.size < 12) return void first.add(e.id);
    inFlight = e.id; // "crashes" here: never finishes while its member is alive
    await new Promise<void>((ok) => (release = ok));
  });
  await waitFor(() => inFlight !== undefined, 'the 13th event in flight');
  await a.stop(); // abandons the handler after the grace period: no commit for it
  release();

  const second = new Set<string>();
  await consumer('restart', ['recognition']).run(async (e) => void second.add(e.id));
  await waitFor(() => first.size + second.size >= events.length, 'every event handled');
  expect(second.has(inFlight!)).toBe(true);
  expect([...first].filter((id) => second.has(id))).toEqual([]); // committed ones are not redone
  expect(new Set([...first, ...second])).toEqual(new Set(events.map((e) => e.id)));
});

test('publishes more than a broker request may carry (500 events of 14 KB) in order, in several requests', async () => {
  const big = Array.from({ length: 500 }, (_, i) =>
    recordedEvent('labreport-ORG1-BIG', i, {
      patientKey: 'pk-big',
      data: { n: i, text: '检验'.repeat(2_400) },
    }),
  );
  await publisher.publish(big);
  const raw = await readRaw(kafka, topic('results'), 500, (m) => m.key === 'pk-big');
  expect(raw.map((m) => (JSON.parse(m.value!) as { n: number }).n)).toEqual(big.map((_, i) => i));
});
