/* Results over the distributed topology on real parts: intake (MLLP and FHIR) → PostgreSQL
 * event store → relay → Kafka → projector → its own read database → platform-api, read with
 * fhir-kit-client. A report, its correction, a cancellation, a patient seen at two institutions,
 * and an imaging study done at one institution and reported by another. */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Client from 'fhir-kit-client';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { hashApiKey } from '@yilian/config';
import { MllpClient } from '@yilian/hl7v2';
import { ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { PatientKeyer } from '@yilian/patients';
import { PlatformApiModule } from '@yilian/platform-api';
import { configureHttp } from '@yilian/runtime';
import { createTestDatabase, oruR01, testKafkaBrokers, testTopicPrefix } from '@yilian/testing';
import { KafkaProjector, projectorMetrics } from '../../apps/projector/src';
import { PgCheckpointStore, Relay, relayMetrics } from '../../apps/relay/src';
import { eventually, KEYS, PATIENT_KEY_SECRET, postFhir, startTestHub } from './hub-harness';

const RID = '11010519491231002X';
const STUDY = 'imaging.C002.CT20240312001';

describe('results through Kafka: correction, cancellation, two institutions, imaging', () => {
  const prefix = testTopicPrefix('results');
  const kafka: KafkaConfig = { brokers: testKafkaBrokers(), clientId: 'results-test', topicPrefix: prefix };
  const keyer = new PatientKeyer(PATIENT_KEY_SECRET);
  let intake: Awaited<ReturnType<typeof startTestHub>>;
  let readPool: Pool;
  let checkpointPool: Pool;
  let relay: Relay;
  let publisher: KafkaEventPublisher;
  let projector: KafkaProjector;
  let platform: NestExpressApplication;
  let fhir: Client;

  beforeAll(async () => {
    intake = await startTestHub('results_store');
    readPool = new Pool({ connectionString: await createTestDatabase('results_read'), max: 4 });
    await ensureTopics(new Kafka({ clientId: 'results-admin', brokers: kafka.brokers }), prefix, 3);
    publisher = new KafkaEventPublisher(kafka);
    await publisher.connect();
    checkpointPool = new Pool({ connectionString: intake.databaseUrl, max: 2 });
    const checkpoints = new PgCheckpointStore(checkpointPool);
    await checkpoints.migrate();
    relay = new Relay(intake.store, publisher, checkpoints, { name: 'results-relay' });
    relay.start();
    projector = new KafkaProjector({
      kafka,
      readModelPool: readPool,
      groupId: `${prefix}projector`,
      maxWaitTimeMs: 200,
    });
    await projector.start();
    platform = await NestFactory.create<NestExpressApplication>(
      PlatformApiModule.register({
        readModelPool: readPool,
        platformClients: `regional-platform:${hashApiKey(KEYS.platform)}`,
        patientKeyer: keyer,
      }),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    configureHttp(platform);
    await platform.listen(0, '127.0.0.1');
    const { port } = platform.getHttpServer().address() as { port: number };
    fhir = new Client({
      baseUrl: `http://127.0.0.1:${port}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEYS.platform}` },
    });
  });
  afterAll(async () => {
    await platform?.close();
    await relay?.stop();
    await publisher?.disconnect();
    await projector?.stop();
    await intake?.stop();
    await readPool?.end();
    await checkpointPool?.end();
  });

  const reports = async () =>
    (
      (await fhir.search({
        resourceType: 'DiagnosticReport',
        searchParams: { patient: `Patient/${keyer.forResidentId(RID)}` },
      })) as fhir4.Bundle
    ).entry?.map((e) => e.resource as fhir4.DiagnosticReport) ?? [];

  it('serves every version and both institutions from the Kafka-fed read model', async () => {
    const h001 = await MllpClient.connect(intake.mllpPorts.get('H001')!);
    const c002 = await MllpClient.connect(intake.mllpPorts.get('C002')!);
    const aa = (ack: string) => expect(ack).toMatch(/\rMSA\|AA\|/);
    aa(await h001.send(oruR01({ controlId: 'K-1', accession: 'KL-1', residentId: RID, mrn: 'H-77' })));
    aa(
      await h001.send(
        oruR01({
          controlId: 'K-1C',
          accession: 'KL-1',
          residentId: RID,
          mrn: 'H-77',
          status: 'C',
          potassium: 3.0,
        }),
      ),
    );
    aa(await h001.send(oruR01({ controlId: 'K-2', accession: 'KL-2', residentId: RID, mrn: 'H-77' })));
    aa(
      await h001.send(
        oruR01({ controlId: 'K-2X', accession: 'KL-2', residentId: RID, mrn: 'H-77', status: 'X' }),
      ),
    );
    aa(await c002.send(oruR01({ controlId: 'C-1', accession: 'KC-1', residentId: RID, mrn: 'C-12' })));
    // the study as C002's PACS reports it (an OMI^O23 is an order, not a study)
    const study: fhir4.ImagingStudy = {
      resourceType: 'ImagingStudy',
      identifier: [
        { system: 'urn:dicom:uid', value: 'urn:oid:1.2.156.112605.14038005400501.20240312093000.1' },
        {
          type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
          system: 'urn:yilian:institution:C002:accession',
          value: 'CT20240312001',
        },
      ],
      status: 'available',
      subject: { identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: RID } },
      modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
    };
    expect((await postFhir(intake, '/ImagingStudy', study, KEYS.C002)).status).toBe(201);
    const report: fhir4.DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      identifier: [{ system: 'urn:yilian:institution:H001:report', value: 'K-RPT-1' }],
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'RAD' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '24627-2' }], text: '胸部CT平扫' },
      subject: { identifier: { system: 'urn:oid:2.16.156.10011.1.3', value: RID } },
      issued: '2024-03-12T11:18:00+08:00',
      imagingStudy: [{ reference: `ImagingStudy/${STUDY}` }],
      conclusion: '右肺上叶磨玻璃结节。',
    };
    expect((await postFhir(intake, '/DiagnosticReport', report, KEYS.H001)).status).toBe(201);
    await Promise.all([h001.close(), c002.close()]);

    const all = await eventually(reports, (r) => r.length >= 4, 60_000);
    const byId = new Map(all.map((r) => [r.id, r]));
    expect(byId.get('H001.KL-1')?.status).toBe('corrected');
    expect(byId.get('H001.KL-2')?.status).toBe('cancelled');
    expect(byId.get('C002.KC-1')?.performer?.[0]?.reference).toBe('Organization/C002');
    expect(byId.get(STUDY)).toMatchObject({
      performer: [{ reference: 'Organization/C002' }],
      resultsInterpreter: [{ reference: 'Organization/H001' }],
    });
    const history = (await fhir.history({
      resourceType: 'DiagnosticReport',
      id: 'H001.KL-1',
    })) as fhir4.Bundle;
    expect(history.entry?.map((e) => (e.resource as fhir4.DiagnosticReport).status)).toEqual([
      'corrected',
      'final',
    ]);
    const studies = (await fhir.search({
      resourceType: 'ImagingStudy',
      searchParams: { patient: `Patient/${keyer.forResidentId(RID)}` },
    })) as fhir4.Bundle;
    expect(studies.entry?.[0]?.resource?.id).toBe(STUDY);
    // Either institution's MRN finds the same person.
    const byMrn = (await fhir.search({
      resourceType: 'DiagnosticReport',
      searchParams: { patient: `Patient/${keyer.forMrn('C002', 'C-12')}` },
    })) as fhir4.Bundle;
    expect(byMrn.total).toBe(all.length);
  });

  it("tells the operator, in each role's metrics, what went through and how recent it is", async () => {
    const events = await intake.store.readAll({ maxCount: 1000 });
    const newest = Math.max(...events.map((e) => Date.parse(e.recordedAt))) / 1000;
    const relayText = await eventually(
      () => relayMetrics(relay).metrics(),
      (t) => t.includes('yilian_relay_caught_up 1'),
    );
    const value = (text: string, name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name} `))
          ?.split(' ')[1],
      );
    expect(value(relayText, 'yilian_relay_published_events_total')).toBe(events.length);
    expect(value(relayText, 'yilian_relay_publish_failures_total')).toBe(0);
    expect(value(relayText, 'yilian_relay_last_published_recorded_seconds')).toBeCloseTo(newest, 3);
    const projectorText = await eventually(
      () => projectorMetrics(projector).metrics(),
      (t) => value(t, 'yilian_projector_last_applied_recorded_seconds') >= newest - 0.001,
    );
    expect(value(projectorText, 'yilian_projector_last_applied_recorded_seconds')).toBeCloseTo(newest, 3);
    expect(value(projectorText, 'yilian_projector_applied_total')).toBe(projector.applied);
    expect(projector.applied).toBeGreaterThanOrEqual(events.length);
    expect(value(projectorText, 'yilian_projector_dead_lettered_total')).toBe(0);
    expect(projectorText).not.toContain(RID);
  });
});
