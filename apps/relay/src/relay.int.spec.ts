import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import {
  checkOutpatientVolumeReportedV1,
  fromCloudEvent,
  HEADERS,
  OUTPATIENT_VOLUME_REPORTED,
  TOPICS,
  upcastRecordedEvent,
} from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { createTestDatabase, testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { PgCheckpointStore } from './checkpoint-store';
import { Relay } from './relay';

const report = (day: string, schemaVersion: 1 | 2, visits: unknown) => ({
  id: randomUUID(),
  type: OUTPATIENT_VOLUME_REPORTED,
  schemaVersion,
  data: { institution: 'H001', day, visits, reportedAt: '2026-11-21T01:00:00.000Z' },
  metadata: {
    source: { institution: 'H001', messageId: `volume-${day}`, protocol: 'hub' as const },
    correlationId: randomUUID(),
    occurredAt: '2026-11-20T16:00:00.000Z',
  },
});

describe('relay: schema evolution on the topic (AsyncAPI rule 3)', () => {
  it('publishes an event recorded at v2 downcast to v1, the published version, through real Kafka; the log keeps v2', async () => {
    const url = await createTestDatabase('relay_downcast');
    const store = new PostgresEventStore({ connectionString: url, poolSize: 2 });
    await store.migrate();
    const pool = new Pool({ connectionString: url, max: 2 });
    const prefix = testTopicPrefix('relay_downcast');
    const kafka: KafkaConfig = { brokers: testKafkaBrokers(), clientId: 'relay-test', topicPrefix: prefix };
    const client = new Kafka({
      clientId: 'relay-test-consumer',
      brokers: kafka.brokers,
      logLevel: logLevel.NOTHING,
    });
    await ensureTopics(client, prefix, 1);
    const publisher = new KafkaEventPublisher(kafka);
    await publisher.connect();
    const checkpoints = new PgCheckpointStore(pool);
    await checkpoints.migrate();
    const relay = new Relay(store, publisher, checkpoints, { name: 'relay-downcast', idleWaitMs: 20 });
    const consumer = client.consumer({ groupId: `${prefix}v1-consumer` });
    try {
      const recorded = await store.append(
        'institution-H001',
        [
          report('2026-11-19', 1, 100),
          report('2026-11-20', 2, { total: 130, outpatient: 100, emergency: 30 }),
        ],
        'no_stream',
      );
      relay.start();
      await consumer.connect();
      await consumer.subscribe({ topic: prefix + TOPICS.alliance, fromBeginning: true });
      const received: { headers: Record<string, string>; value: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            eachMessage: async ({ message }) => {
              const headers = Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
              );
              received.push({ headers, value: message.value!.toString() });
              if (received.length === 2) resolve();
            },
          })
          .catch(reject);
      });

      // what a consumer of v1 sees: v1 both times, the second carrying v2's total
      expect(received.map((m) => m.headers[HEADERS.type])).toEqual([
        'cn.yilian.OutpatientVolumeReported.v1',
        'cn.yilian.OutpatientVolumeReported.v1',
      ]);
      const second = received[1]!;
      expect(second.headers[HEADERS.schemaversion]).toBe('1');
      expect(second.headers[HEADERS.dataschema]).toBe('urn:yilian:schema:OutpatientVolumeReported:v1');
      expect(JSON.parse(second.value)).toEqual({
        institution: 'H001',
        day: '2026-11-20',
        visits: 130,
        reportedAt: '2026-11-21T01:00:00.000Z',
      });
      expect(checkOutpatientVolumeReportedV1(JSON.parse(second.value), 'data')).toEqual([]);
      // the envelope is the recorded event's: same id, position and chain hash
      const [, v2] = recorded.events;
      expect(second.headers[HEADERS.id]).toBe(v2!.id);
      expect(second.headers[HEADERS.position]).toBe(`${v2!.position.commit}/${v2!.position.prepare}`);
      const stored = await store.readAll({ maxCount: 10 });
      expect(second.headers[HEADERS.hash]).toBe(stored[1]!.hash);
      // the log keeps v2 as recorded, the split included
      expect([stored[1]!.schemaVersion, (stored[1]!.data as { visits: unknown }).visits]).toEqual([
        2,
        { total: 130, outpatient: 100, emergency: 30 },
      ]);
      // the hub's own projector reads the topic like any consumer, and upcasts to v2
      const upcast = upcastRecordedEvent(fromCloudEvent(second.headers, second.value));
      expect([upcast.schemaVersion, (upcast.data as { visits: unknown }).visits]).toEqual([
        2,
        { total: 130 },
      ]);
    } finally {
      await consumer.disconnect();
      await relay.stop();
      await publisher.disconnect();
      await pool.end();
      await store.close();
    }
  }, 120_000);
});
