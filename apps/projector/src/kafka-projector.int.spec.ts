/* The projector on the real broker and a real PostgreSQL: what a partition delivers is applied
 * in batches (one transaction each), a batch with an event no projection can apply falls back
 * to one by one (that event to the dead-letter topic, its neighbours applied), a redelivered
 * batch changes nothing, an unreachable database sends nothing to the dead-letter topic, and a
 * stop in the middle of a batch leaves it uncommitted for the next member. */
import { Kafka, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import { HEADERS, type RecordedEvent, TOPICS } from '@yilian/contracts';
import { DLT_HEADERS, ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { ALL_PROJECTIONS, ProjectionRunner } from '@yilian/projections';
import { createTestDatabase, labTables, testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { CuttableProxy, eventually, groupOffsets, labReport, messageCount } from './kafka-projector.fixtures';
import { KafkaProjector, type KafkaProjectorOptions } from './kafka-projector';

const brokers = testKafkaBrokers();
const admin: Admin = new Kafka({ clientId: 'projector-spec-admin', brokers }).admin();
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(() => admin.connect());
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await admin.disconnect();
});

/** Its own topics (3 partitions), read database and consumer group, for one test; with
 * `throughProxy`, the projector reaches the database through a proxy that can be cut. */
async function setup(label: string, options: { throughProxy?: boolean } = {}) {
  const prefix = testTopicPrefix(label);
  const kafka: KafkaConfig = { brokers, clientId: `projector-spec-${label}`, topicPrefix: prefix };
  await ensureTopics(new Kafka({ clientId: 'projector-spec-topics', brokers }), prefix, 3);
  let url = await createTestDatabase(label);
  let proxy: CuttableProxy | undefined;
  if (options.throughProxy) {
    ({ proxy, url } = await CuttableProxy.start(url));
    cleanups.push(() => proxy!.close());
  }
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined); // idle connections cut by the proxy
  const publisher = new KafkaEventPublisher(kafka);
  await publisher.connect();
  cleanups.push(
    () => pool.end(),
    () => publisher.disconnect(),
  );
  const groupId = `${prefix}projector`;
  const topic = prefix + TOPICS.results;
  const projector = (options: Partial<KafkaProjectorOptions> = {}) => {
    const p = new KafkaProjector({
      kafka,
      readModelPool: pool,
      groupId,
      topics: ['results'],
      maxWaitTimeMs: 200,
      consumer: {
        maxAttempts: 2,
        retryDelayMs: 10,
        maxRetryDelayMs: 100,
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        stopGraceMs: 300,
      },
      ...options,
    });
    cleanups.push(() => p.stop());
    return p;
  };
  return { pool, proxy, publisher, groupId, topic, dlt: topic + '.dlt', projector };
}

/** Records every applyBatch call: the events' ids, and whether it threw. */
function watchBatches(projector: KafkaProjector): { ids: string[]; failed: boolean }[] {
  const calls: { ids: string[]; failed: boolean }[] = [];
  const applyBatch = projector.runner.applyBatch.bind(projector.runner);
  jest.spyOn(projector.runner, 'applyBatch').mockImplementation(async (events, checkpoint) => {
    const call = { ids: events.map((e) => e.id), failed: false };
    calls.push(call);
    try {
      return await applyBatch(events, checkpoint);
    } catch (e) {
      call.failed = true;
      throw e;
    }
  });
  return calls;
}

/** The tables `apply`, one event at a time in a fresh database, makes of `events`. */
/** Projection applications an event list makes: each event counts once per read model that reads
 * it (a lab report feeds the lab read model and recognition's). */
const applications = (events: readonly RecordedEvent[]) =>
  events.reduce((n, e) => n + ALL_PROJECTIONS.filter((p) => p.canHandle(e)).length, 0);

async function appliedOneByOne(label: string, events: readonly RecordedEvent[]) {
  const pool = new Pool({ connectionString: await createTestDatabase(label), max: 1 });
  try {
    const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
    await runner.migrate();
    for (const e of events) await runner.apply(e);
    return await labTables(pool);
  } finally {
    await pool.end();
  }
}

/** Reports A0…A(n-1) for one patient (one partition), each corrected once, some in the same
 * batch as their first version. */
function reports(tag: string, n: number, patientKey: string): RecordedEvent[] {
  const firsts = Array.from({ length: n }, (_, i) => labReport(`${tag}${i}`, 0, patientKey));
  const corrections = Array.from({ length: n }, (_, i) => labReport(`${tag}${i}`, 1, patientKey));
  return [
    ...firsts.slice(0, n / 2),
    ...corrections.slice(0, n / 4),
    ...firsts.slice(n / 2),
    ...corrections.slice(n / 4),
  ];
}

test('a batch with a poisoned event in the middle: that one dead-lettered, every other applied, offsets at the end', async () => {
  const t = await setup('projector_poison');
  const before = reports('P', 40, 'pk-poison');
  const poisoned = labReport('PX', 0, 'pk-poison', { broken: true });
  const after = reports('Q', 40, 'pk-poison');
  const others = reports('R', 20, 'pk-other'); // another patient: likely another partition
  await t.publisher.publish([...before, poisoned, ...after, ...others]);

  const projector = t.projector();
  const batches = watchBatches(projector);
  await projector.start();
  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end',
  );
  await projector.stop();

  // The poisoned event reached applyBatch with its neighbours, the batch failed, and the
  // fallback applied them one by one.
  const failed = batches.filter((b) => b.failed);
  expect(failed).toHaveLength(1);
  expect(failed[0]!.ids).toEqual(expect.arrayContaining([before.at(-1)!.id, poisoned.id, after[0]!.id]));
  expect(batches.filter((b) => !b.failed).every((b) => !b.ids.includes(poisoned.id))).toBe(true);

  expect(await messageCount(admin, t.dlt)).toBe(1);
  const [dead] = await readTopic(t.dlt, 1);
  expect(dead!.headers[HEADERS.id]).toBe(poisoned.id);
  expect(dead!.headers[DLT_HEADERS.reason]).toMatch(/map|observations/);
  expect(dead!.headers[DLT_HEADERS.group]).toBe(t.groupId);

  const good = [...before, ...after, ...others];
  expect(projector.applied).toBe(applications(good));
  expect(await labTables(t.pool)).toEqual(await appliedOneByOne('projector_poison_oracle', good));
});

test('an already-applied batch delivered again changes nothing; one mixing applied and new events applies the new', async () => {
  const t = await setup('projector_redelivery');
  const first = reports('D', 40, 'pk-redelivery');
  await t.publisher.publish(first);
  const a = t.projector();
  await a.start();
  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end',
  );
  await a.stop();
  expect(a.applied).toBe(applications(first));
  const applied = await labTables(t.pool);

  // Every offset back to the start: the whole batch comes again.
  await admin.resetOffsets({ groupId: t.groupId, topic: t.topic, earliest: true });
  expect((await groupOffsets(admin, t.groupId, t.topic)).atEnd).toBe(false);
  const b = t.projector();
  const again = watchBatches(b);
  await b.start();
  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end again',
  );
  await b.stop();
  expect(again.some((call) => call.ids.length > 1)).toBe(true);
  expect(again.every((call) => !call.failed)).toBe(true);
  expect(b.applied).toBe(0);
  expect(b.skipped).toBe(applications(first));
  expect(await labTables(t.pool)).toEqual(applied);

  // Again from the start, now with new events behind the applied ones.
  const more = reports('E', 20, 'pk-redelivery');
  await t.publisher.publish(more);
  await admin.resetOffsets({ groupId: t.groupId, topic: t.topic, earliest: true });
  const c = t.projector();
  await c.start();
  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end',
  );
  await c.stop();
  expect(c.applied).toBe(applications(more));
  expect(c.skipped).toBe(applications(first));
  expect(await messageCount(admin, t.dlt)).toBe(0);
  expect(await labTables(t.pool)).toEqual(
    await appliedOneByOne('projector_redelivery_oracle', [...first, ...more]),
  );
});

test('PostgreSQL unreachable while events arrive: none dead-lettered, all applied once it is back', async () => {
  const t = await setup('projector_outage', { throughProxy: true });
  const proxy = t.proxy!;
  const projector = t.projector();
  await projector.start(); // migrated through the proxy

  proxy.down();
  const events = reports('O', 40, 'pk-outage');
  await t.publisher.publish(events);
  // Far more failed attempts than maxAttempts (2) would allow for an event that is bad.
  await eventually(
    async () => proxy.refused,
    (n) => n >= 10,
    'connection attempts during the outage',
  );
  expect(await messageCount(admin, t.dlt)).toBe(0);
  proxy.up();

  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end',
  );
  await projector.stop();
  expect(await messageCount(admin, t.dlt)).toBe(0);
  expect(projector.applied).toBe(applications(events));
  expect(await labTables(t.pool)).toEqual(await appliedOneByOne('projector_outage_oracle', events));
});

test('stopped in the middle of a batch: nothing of it committed, the next member applies it', async () => {
  const t = await setup('projector_stop');
  const events = reports('S', 40, 'pk-stop');
  await t.publisher.publish(events);

  const a = t.projector();
  const applyBatch = a.runner.applyBatch.bind(a.runner);
  let inBatch = (): void => undefined;
  const entered = new Promise<void>((ok) => (inBatch = ok));
  let release = (): void => undefined;
  const released = new Promise<void>((ok) => (release = ok));
  let late: Promise<unknown> | undefined;
  jest.spyOn(a.runner, 'applyBatch').mockImplementation((batch, checkpoint) => {
    inBatch();
    // Held until after the member left; its transaction then commits all the same.
    late = released.then(() => applyBatch(batch, checkpoint));
    return late as ReturnType<typeof applyBatch>;
  });
  await a.start();
  await entered;
  await a.stop(); // gives up on the batch after stopGraceMs
  expect((await groupOffsets(admin, t.groupId, t.topic)).partitions.map((p) => p.committed)).toEqual([
    '-1',
    '-1',
    '-1',
  ]);
  release();
  await late;

  const b = t.projector();
  await b.start();
  await eventually(
    () => groupOffsets(admin, t.groupId, t.topic),
    (o) => o.atEnd,
    'offsets at the end',
  );
  await b.stop();
  expect(b.applied).toBe(0); // the abandoned transaction had applied them: redelivery is a no-op
  expect(b.skipped).toBe(applications(events));
  expect(await labTables(t.pool)).toEqual(await appliedOneByOne('projector_stop_oracle', events));
});

/** The first `count` messages of a topic, headers as text. */
async function readTopic(topic: string, count: number): Promise<{ headers: Record<string, string> }[]> {
  const consumer = new Kafka({ clientId: 'projector-spec-reader', brokers }).consumer({
    groupId: `reader-${topic}-${Date.now()}`,
    maxWaitTimeInMs: 100,
  });
  const seen: { headers: Record<string, string> }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        seen.push({ headers });
      },
    });
    await eventually(
      async () => seen.length,
      (n) => n >= count,
      `${count} messages on ${topic}`,
    );
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
