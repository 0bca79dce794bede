/* The distributed topology on real parts: intake → PostgreSQL event store → relay → Kafka →
 * projector → read model → platform-api, with relay and projector stopped mid-stream and
 * started again. */
import { Kafka, type IHeaders } from 'kafkajs';
import { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { HEADERS, LAB_REPORT_RECORDED, type RecordedEvent, TOPICS } from '@yilian/contracts';
import { ALL_PROJECTIONS } from '@yilian/projections';
import { LAB_REPORT_HISTORY } from '@yilian/results';
import { ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { PatientKeyer } from '@yilian/patients';
import { createTestDatabase, labReportBundle, testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { PgCheckpointStore, Relay } from '../../apps/relay/src';
import { KafkaProjector } from '../../apps/projector/src';
import { eventually, PATIENT_KEY_SECRET, platformClient, postFhir, startTestHub } from './hub-harness';

const RESIDENT_IDS = ['11010519491231002X', '110105194912310038'];

describe('Kafka pipeline: relay and projector survive a restart, every event lands once', () => {
  const prefix = testTopicPrefix('pipeline');
  const kafkaConfig: KafkaConfig = {
    brokers: testKafkaBrokers(),
    clientId: 'pipeline-test',
    topicPrefix: prefix,
  };
  let intake: Awaited<ReturnType<typeof startTestHub>>;
  let readPool: Pool;
  let checkpointPool: Pool;

  beforeAll(async () => {
    // The hub's own in-process projector writes to the store database; the Kafka projector
    // under test writes to a separate read database, as in production.
    intake = await startTestHub('pipeline_store');
    readPool = new Pool({ connectionString: await createTestDatabase('pipeline_read'), max: 4 });
    checkpointPool = new Pool({ connectionString: intake.databaseUrl, max: 2 });
    const admin = new Kafka({ clientId: 'pipeline-admin', brokers: kafkaConfig.brokers });
    await ensureTopics(admin, prefix, 3);
  });
  afterAll(async () => {
    await intake?.stop();
    await readPool?.end();
    await checkpointPool?.end();
  });

  async function startRelay(): Promise<{ relay: Relay; publisher: KafkaEventPublisher }> {
    const publisher = new KafkaEventPublisher(kafkaConfig);
    await publisher.connect();
    const checkpoints = new PgCheckpointStore(checkpointPool);
    await checkpoints.migrate();
    const relay = new Relay(intake.store, publisher, checkpoints, { name: 'relay-test', batchSize: 7 });
    relay.start();
    return { relay, publisher };
  }

  function newProjector(): KafkaProjector {
    return new KafkaProjector({
      kafka: kafkaConfig,
      readModelPool: readPool,
      groupId: `${prefix}projector`,
      maxWaitTimeMs: 200,
    });
  }

  const count = async (sql: string) => Number((await readPool.query<{ n: string }>(sql)).rows[0]!.n);

  it('projects 40 reports exactly once across a relay and projector restart, with CloudEvents on the topic', async () => {
    const send = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, (_, i) =>
          postFhir(
            intake,
            '',
            labReportBundle({ accession: `K-${from + i}`, residentId: RESIDENT_IDS[(from + i) % 2] }),
          ),
        ),
      );
    expect((await send(0, 15)).every((r) => r.status === 201)).toBe(true);

    let relay = await startRelay();
    let projector = newProjector();
    await projector.start();
    expect((await send(15, 25)).every((r) => r.status === 201)).toBe(true);
    await eventually(
      () => count('SELECT count(*) AS n FROM rm_lab_reports'),
      (n) => n >= 10,
    );

    // Stop both mid-stream; more reports arrive while they are down.
    await relay.relay.stop();
    await relay.publisher.disconnect();
    await projector.stop();
    const appliedBefore = projector.applied;
    expect((await send(25, 40)).every((r) => r.status === 201)).toBe(true);

    relay = await startRelay();
    projector = newProjector();
    await projector.start();
    const total = await eventually(
      () => count('SELECT count(*) AS n FROM rm_lab_reports'),
      (n) => n >= 40,
      60_000,
    );
    await relay.relay.stop();
    await relay.publisher.disconnect();
    await projector.stop();

    expect(total).toBe(40);
    expect(await count(`SELECT count(*) AS n FROM ${LAB_REPORT_HISTORY}`)).toBe(40);
    expect(await count('SELECT count(*) AS n FROM rm_lab_report_versions')).toBe(0); // none superseded
    expect(await count('SELECT count(*) AS n FROM rm_observations')).toBe(120);
    // each report applied once by every read model that reads lab reports (lab, recognition)
    const readers = ALL_PROJECTIONS.filter((p) =>
      p.canHandle({ type: LAB_REPORT_RECORDED } as RecordedEvent),
    ).length;
    expect(readers).toBeGreaterThanOrEqual(2);
    expect(appliedBefore + projector.applied).toBe(40 * readers);
  });

  it('shows a topic consumer the CloudEvents headers, the patient key as key, and the FHIR payload', async () => {
    const kafka = new Kafka({ clientId: 'ce-reader', brokers: kafkaConfig.brokers });
    const consumer = kafka.consumer({ groupId: `${prefix}ce-reader` });
    const seen: { key: string; headers: IHeaders; value: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: prefix + TOPICS.results, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key!.toString(),
          headers: message.headers!,
          value: message.value!.toString(),
        });
      },
    });
    await eventually(
      async () => seen.length,
      (n) => n >= 40,
      30_000,
    );
    await consumer.disconnect();

    const header = (h: IHeaders, name: string) => h[name]?.toString();
    const first = seen[0]!;
    expect(header(first.headers, HEADERS.specversion)).toBe('1.0');
    expect(header(first.headers, HEADERS.type)).toBe('cn.yilian.LabReportRecorded.v1');
    expect(header(first.headers, HEADERS.source)).toBe('urn:yilian:institution:H001');
    expect(header(first.headers, HEADERS.contentType)).toBe('application/json');
    expect(header(first.headers, HEADERS.id)).toMatch(/^[0-9a-f-]{36}$/);
    const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
    expect([keyer.forResidentId(RESIDENT_IDS[0]!), keyer.forResidentId(RESIDENT_IDS[1]!)]).toContain(
      first.key,
    );
    for (const m of seen) {
      expect(m.key).not.toMatch(/\d{17}[\dX]/);
      expect(header(m.headers, HEADERS.patientkey)).toBe(m.key);
    }
    const data = JSON.parse(first.value) as {
      report: fhir4.DiagnosticReport;
      observations: fhir4.Observation[];
    };
    expect(data.report.resourceType).toBe('DiagnosticReport');
    expect(data.observations).toHaveLength(3);
    // recorded at v2 (what the observations share said once), published at v1: each whole
    expect(data).not.toHaveProperty('shared');
    for (const o of data.observations) {
      expect(o.subject?.reference).toBe(`Patient/${first.key}`);
      expect(o.performer).toEqual([{ reference: 'Organization/H001' }]);
    }
    expect(first.value).not.toContain(RESIDENT_IDS[0]);
    // The platform reads the same through FHIR (the hub's in-process read model here).
    const bundle = (await platformClient(intake).search({
      resourceType: 'DiagnosticReport',
      searchParams: { patient: `Patient/${first.key}` },
    })) as fhir4.Bundle;
    expect(bundle.total).toBe(20);
  });
});
