/**
 * Mutual recognition end to end, over the real hub (intake → event store → projector →
 * platform-api, real PostgreSQL, real sockets): an alliance of A (tertiary), B (tertiary) and C
 * (secondary) registered at the intake, a Hubei province scope (鄂HR) listing them with its
 * catalogue and quality statuses appended as rule events; A's lab result over MLLP (HL7 v2
 * ORU^R01), C's chest CT as a FHIR ImagingStudy and C's upward referral to B over FHIR
 * (fhir-kit-client). B asks through fhir-kit-client which results it may recognise: A's report
 * is (same level; glucose in its window), its K is past its window and its HbA1c lacks a quality
 * status; C's CT is not (a higher level does not accept a lower one's in this scope), though the
 * same CT is recognisable for D (secondary, same level as C). D, treating no part of this
 * patient, is refused; every question is in the access trail. The same log, relayed through
 * real Kafka to a projector and a platform-api of their own (the distributed topology), gives
 * the same answer.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Client from 'fhir-kit-client';
import { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import {
  type fhir4,
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionScopeStream,
  fhirPatientId,
} from '@yilian/contracts';
import { validateFhirResource } from '@yilian/fhir';
import { MllpClient } from '@yilian/hl7v2';
import { ensureTopics, type KafkaConfig, KafkaEventPublisher } from '@yilian/messaging';
import { PatientKeyer } from '@yilian/patients';
import { addDays, type EligibilityAnswer, shanghaiDay } from '@yilian/recognition';
import { configureHttp, createLogger } from '@yilian/runtime';
import { createTestDatabase, testKafkaBrokers, testTopicPrefix, ruleEvent } from '@yilian/testing';
import { type RunningHub, startHub } from '../../apps/hub/src/hub';
import { PlatformApiModule } from '@yilian/platform-api';
import { KafkaProjector } from '../../apps/projector/src';
import { PgCheckpointStore, Relay } from '../../apps/relay/src';
import { checkExtension } from '../../apps/platform-api/src/recognition/extension-conformance';
import { RECOGNITION_CONFORMANCE } from '../../apps/platform-api/src/recognition/recognition-conformance';
import { RECOGNITION_FHIR } from '../../apps/platform-api/src/recognition/recognition-fhir';
import { eventually } from './hub-harness';
import { referralBundle, serviceRequest } from './referrals-harness';

const KEY = {
  A: 'key-rec-a-0123456789abcdef',
  B: 'key-rec-b-0123456789abcdef',
  C: 'key-rec-c-0123456789abcdef',
  D: 'key-rec-d-0123456789abcdef',
  commission: 'key-rec-commission-0123456789abcdef',
  auditor: 'key-rec-auditor-0123456789abcdef',
  operator: 'key-rec-operator-0123456789abcdef',
} as const;
const A = 'WHA01';
const B = 'WHB02';
const C = 'WHC03';
const D = 'WHD04';
const RESIDENT_ID = '420102195506202048';
const RID = { system: 'urn:oid:2.16.156.10011.1.3', value: RESIDENT_ID };
const keyer = new PatientKeyer('recognition-e2e-secret-at-least-32-bytes!');
const PATIENT = keyer.forResidentId(RESIDENT_ID);
const ALLIANCE = 'WH-EAST-1';
const CT_UID = '1.2.156.112605.42.20261201.7';

const today = shanghaiDay(new Date());
const labDay = addDays(today, -10);
const ctDay = addDays(today, -2);
const hl7Time = (day: string, time: string) => `${day.replace(/-/g, '')}${time}+0800`;

const rule = ruleEvent;

/** A's LIS: K, glucose and HbA1c taken at 23:30 Shanghai time ten days ago. */
function oru(): string {
  const at = hl7Time(labDay, '233000');
  const obx = [
    ['K', '2823-3', '钾', 'mmol/L', '4.1', '3.5-5.3'],
    ['GLU', '2345-7', '葡萄糖', 'mmol/L', '5.4', '3.9-6.1'],
    ['HBA1C', '4548-4', '糖化血红蛋白', '%', '5.9', '4.0-6.0'],
  ].map(
    ([code, loinc, name, unit, value, range], i) =>
      `OBX|${i + 1}|NM|${code}^${name}^L^${loinc}^${name}^LN||${value}|${unit}|${range}|N|||F|||${at}||检验科^张三`,
  );
  return [
    `MSH|^~\\&|LIS|${A}|YILIAN|HUB|${hl7Time(labDay, '235500')}||ORU^R01^ORU_R01|REC-MSG-1|P|2.5.1|||||CHN|UNICODE UTF-8`,
    `PID|1||${RESIDENT_ID}^^^NNCHN^NNCHN||王^建国||19550620|M`,
    'PV1|1|O|内分泌科门诊',
    'ORC|RE|LAB-7001|LAB-7001',
    `OBR|1|LAB-7001|LAB-7001|BIOCHEM^生化^L|||${at}|||||||||^李医生||||||${hl7Time(labDay, '235000')}|||F`,
    ...obx,
  ].join('\r');
}

/** C's PACS: a chest CT two days ago. */
const chestCt: fhir4.ImagingStudy = {
  resourceType: 'ImagingStudy',
  identifier: [
    { system: 'urn:dicom:uid', value: `urn:oid:${CT_UID}` },
    {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] },
      system: `urn:yilian:institution:${C}:accession`,
      value: 'CT-2026-0042',
    },
  ],
  status: 'available',
  subject: { identifier: RID },
  started: `${ctDay}T10:15:00+08:00`,
  modality: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' }],
  description: '胸部CT平扫',
  numberOfSeries: 1,
  numberOfInstances: 120,
  series: [
    {
      uid: `${CT_UID}.1`,
      modality: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: 'CT' },
      bodySite: { system: 'http://snomed.info/sct', code: '51185008', display: 'Thorax' },
      numberOfInstances: 120,
    },
  ],
};

type Item = [code: string, status: string, validUntil: string | undefined, reasons: string[]];
const sub = (e: fhir4.Extension, url: string) => (e.extension ?? []).filter((x) => x.url === url);
function eligibilityOf(resource: fhir4.DomainResource) {
  const ext = resource.extension!.find((e) => e.url === RECOGNITION_FHIR.eligibilityExtension)!;
  return {
    ext,
    status: sub(ext, 'status')[0]?.valueCode,
    mark: sub(ext, 'mark')[0]?.valueString,
    scope: sub(ext, 'scope')[0]?.valueCoding?.code,
    validUntil: sub(ext, 'validUntil')[0]?.valueDate,
    reasons: sub(ext, 'reason').map((r) => r.valueCoding?.code),
    asOf: sub(ext, 'asOf')[0]?.valueInstant,
    items: sub(ext, 'item').map((i): Item => [
      sub(i, 'code')[0]!.valueCode!,
      sub(i, 'status')[0]!.valueCode!,
      sub(i, 'validUntil')[0]?.valueDate,
      sub(i, 'reason').map((r) => r.valueCoding!.code!),
    ]),
  };
}

describe('mutual recognition over the real hub: results at A and C, the question at B', () => {
  let hub: RunningHub;
  let url: string;
  // the distributed read side: relay → Kafka → projector → its own read database → platform-api
  const kafka: KafkaConfig = {
    brokers: testKafkaBrokers(),
    clientId: 'recognition-e2e',
    topicPrefix: testTopicPrefix('recognition'),
  };
  let readPool: Pool;
  let checkpointPool: Pool;
  let publisher: KafkaEventPublisher;
  let relay: Relay;
  let projector: KafkaProjector;
  let platform: NestExpressApplication;
  let platformUrl: string;
  const fhir = (key: string) =>
    new Client({ baseUrl: `${hub.httpUrl}/fhir`, customHeaders: { Authorization: `Bearer ${key}` } });
  const json = async <T>(path: string, key: string, body?: unknown) => {
    const res = await fetch(`${hub.httpUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };

  beforeAll(async () => {
    process.env['YILIAN_ALLIANCE_OPERATORS'] = `health-commission:${hashApiKey(KEY.operator)}`;
    url = await createTestDatabase('recognition_e2e');
    hub = await startHub({
      databaseUrl: url,
      institutions: new InstitutionDirectory([
        { code: A, name: '武汉市第一医院', apiKeySha256: hashApiKey(KEY.A), mllpPort: 1 },
        { code: B, name: '武汉市第三医院', apiKeySha256: hashApiKey(KEY.B) },
        { code: C, name: '武汉市区人民医院', apiKeySha256: hashApiKey(KEY.C) },
        { code: D, name: '外区人民医院', apiKeySha256: hashApiKey(KEY.D) },
      ]),
      patientKeyer: keyer,
      platformClients: `health-commission:${hashApiKey(KEY.commission)},audit-office:${hashApiKey(KEY.auditor)}:auditor`,
      httpPort: 0,
      host: '127.0.0.1',
      logger: createLogger('recognition-e2e', 'silent'),
      mllp: { ephemeralPorts: true, idleTimeoutMs: 5_000 },
    });

    // the alliance, at the intake's operator endpoints
    const operator = (path: string, body: unknown) => json<unknown>(path, KEY.operator, body);
    const made = [
      await operator('/alliances', {
        allianceId: ALLIANCE,
        name: '武汉东部城市医疗集团',
        form: 'urban-group',
        referralResponseHours: 48,
      }),
      await operator(`/alliances/${ALLIANCE}/members`, {
        institution: A,
        name: '武汉市第一医院',
        level: 'tertiary',
        role: 'lead',
      }),
      await operator(`/alliances/${ALLIANCE}/members`, {
        institution: B,
        name: '武汉市第三医院',
        level: 'tertiary',
        role: 'member',
      }),
      await operator(`/alliances/${ALLIANCE}/members`, {
        institution: C,
        name: '武汉市区人民医院',
        level: 'secondary',
        role: 'member',
      }),
    ];
    expect(made.map((m) => m.status)).toEqual([201, 201, 201, 201]);

    // the rules, as rule events in the log (the loader is another slice)
    await hub.store.append(
      recognitionScopeStream('province:42'),
      [
        rule('RecognitionScopeDefined', {
          scope: 'province:42',
          kind: 'province',
          name: '湖北省',
          mark: '鄂HR',
          higherAcceptsLower: false,
          tight: false,
          effectiveFrom: '2024-01-01',
          members: [
            { institution: A, level: 'tertiary' },
            { institution: B, level: 'tertiary' },
            { institution: C, level: 'secondary' },
            { institution: D, level: 'secondary' },
          ],
          sample: true,
        }),
      ],
      'any',
    );
    await hub.store.append(
      recognitionCatalogueStream('province:42'),
      [
        rule('RecognitionCatalogueItemsPublished', {
          scope: 'province:42',
          effectiveFrom: '2024-01-01',
          source: '鄂卫通〔2023〕56号 (sample)',
          sample: true,
          items: [
            {
              code: 'HB-K',
              name: '钾',
              kind: 'lab',
              validityDays: 7,
              group: 'biochem',
              loinc: ['2823-3'],
              priceYuan: 5,
            },
            {
              code: 'HB-GLU',
              name: '葡萄糖',
              kind: 'lab',
              validityDays: 30,
              group: 'biochem',
              loinc: ['2345-7'],
              priceYuan: 6,
            },
            {
              code: 'HB-HBA1C',
              name: '糖化血红蛋白',
              kind: 'lab',
              validityDays: 60,
              group: 'glyco',
              loinc: ['4548-4'],
              priceYuan: 60,
            },
            {
              code: 'HB-CT-CHEST',
              name: '胸部CT平扫',
              kind: 'imaging',
              validityDays: 30,
              group: 'CT',
              modalities: ['CT'],
              bodySites: ['51185008', '胸部'],
              priceYuan: 260,
            },
          ],
        }),
      ],
      'any',
    );
    const quality = (institution: string, statusId: string, groups: string[], scheme: string) =>
      hub.store.append(
        qualityStatusStream(institution),
        [
          rule('QualityStatusRecorded', {
            statusId,
            institution,
            groups,
            scheme,
            issuer: '湖北省临床检验中心',
            validFrom: '2024-01-01',
            validUntil: addDays(today, 365),
          }),
        ],
        'any',
      );
    await quality(A, 'eqa-a-biochem', ['biochem'], 'EQA'); // no status for HbA1c (group glyco)
    await quality(C, 'qc-c-ct', ['CT'], 'imaging-qc');

    readPool = new Pool({ connectionString: await createTestDatabase('recognition_e2e_read'), max: 4 });
    await ensureTopics(
      new Kafka({ clientId: 'recognition-admin', brokers: kafka.brokers }),
      kafka.topicPrefix,
      3,
    );
    publisher = new KafkaEventPublisher(kafka);
    await publisher.connect();
    checkpointPool = new Pool({ connectionString: url, max: 2 });
    const checkpoints = new PgCheckpointStore(checkpointPool);
    await checkpoints.migrate();
    relay = new Relay(hub.store, publisher, checkpoints, { name: 'recognition-relay' });
    relay.start();
    projector = new KafkaProjector({
      kafka,
      readModelPool: readPool,
      groupId: `${kafka.topicPrefix}projector`,
      maxWaitTimeMs: 200,
    });
    await projector.start();
    platform = await NestFactory.create<NestExpressApplication>(
      PlatformApiModule.register({
        readModelPool: readPool,
        platformClients: `health-commission:${hashApiKey(KEY.commission)}`,
        patientKeyer: keyer,
        institutions: new InstitutionDirectory([
          { code: B, name: '武汉市第三医院', apiKeySha256: hashApiKey(KEY.B) },
        ]),
      }),
      { logger: false, bodyParser: false, abortOnError: false },
    );
    configureHttp(platform);
    await platform.listen(0, '127.0.0.1');
    platformUrl = `http://127.0.0.1:${(platform.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await platform?.close();
    await relay?.stop();
    await publisher?.disconnect();
    await projector?.stop();
    await hub?.stop();
    await readPool?.end();
    await checkpointPool?.end();
  });

  it('takes A’s ORU^R01 over MLLP, C’s CT and C’s referral to B over FHIR; B gets the answer item by item', async () => {
    const mllp = await MllpClient.connect(hub.mllpPorts.get(A)!);
    try {
      const ack = await mllp.send(oru());
      expect(
        ack
          .split('\r')
          .find((s) => s.startsWith('MSA'))
          ?.split('|')[1],
      ).toBe('AA');
    } finally {
      await mllp.close();
    }
    const c = fhir(KEY.C);
    const study = (await c.create({ resourceType: 'ImagingStudy', body: chestCt })) as fhir4.Bundle;
    expect(study.entry?.[0]?.response?.status).toBe('201 Created');
    const referral = serviceRequest({
      number: 'REF-UP-1',
      sender: C,
      receiver: B,
      subject: { reference: 'Patient/x' },
    });
    const posted = (await c.transaction({
      body: referralBundle(referral, { resourceType: 'Patient', identifier: [RID] }) as fhir4.Bundle & {
        type: 'transaction';
      },
    })) as fhir4.Bundle;
    expect(posted.type).toBe('transaction-response');

    // B finds the patient key (the identifier in a form body, never a URL), once it has a part
    const patientKey = await eventually(
      async () => {
        const res = await fetch(`${hub.httpUrl}/fhir/Patient/_search`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY.B}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: `identifier=${encodeURIComponent(`${RID.system}|${RID.value}`)}`,
        });
        return res.ok ? ((await res.json()) as fhir4.Bundle).entry?.[0]?.resource?.id : undefined;
      },
      (id) => id !== undefined,
    );
    expect(patientKey).toBe(fhirPatientId(PATIENT)); // the key's FHIR form (pk-…)

    const b = fhir(KEY.B);
    const ask = (asOf?: string) =>
      b.operation({
        name: 'recognisable',
        resourceType: 'Patient',
        id: patientKey!,
        method: 'GET',
        ...(asOf ? { input: { asOf } } : {}),
      }) as Promise<fhir4.Bundle>;
    const bundle = await eventually(
      ask,
      (x) => x.total === 2 && !(x.entry ?? []).some((e) => e.search?.mode === 'outcome'),
    );
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(validateFhirResource(bundle).filter((i) => i.severity === 'error')).toEqual([]);
    const resources = bundle
      .entry!.filter((e) => e.search?.mode === 'match')
      .map((e) => e.resource as fhir4.DiagnosticReport | fhir4.ImagingStudy);
    // A's measured values come along (include entries), as the hub has them
    const values = bundle
      .entry!.filter((e) => e.search?.mode === 'include')
      .map((e) => e.resource as fhir4.Observation);
    expect(
      values.map((o) => [
        o.resourceType,
        o.code.coding?.find((c) => c.system === 'http://loinc.org')?.code,
        o.valueQuantity?.value,
      ]),
    ).toEqual([
      ['Observation', '2823-3', 4.1],
      ['Observation', '2345-7', 5.4],
      ['Observation', '4548-4', 5.9],
    ]);
    for (const r of resources) {
      const { ext } = eligibilityOf(r);
      expect(
        checkExtension(ext, RECOGNITION_CONFORMANCE.StructureDefinition[0], {
          valueSets: RECOGNITION_CONFORMANCE.ValueSet,
          codeSystems: RECOGNITION_CONFORMANCE.CodeSystem,
        }),
      ).toEqual([]);
    }
    // never a diagnostic conclusion, never the imaging report
    expect(JSON.stringify(bundle)).not.toContain('conclusion');

    // newest first: C's CT (two days ago), then A's report (ten days ago, 23:30 Shanghai)
    const [ct, lab] = resources;
    expect(ct).toMatchObject({ resourceType: 'ImagingStudy', numberOfInstances: 120 });
    expect(lab).toMatchObject({ resourceType: 'DiagnosticReport', status: 'final' });
    const labAnswer = eligibilityOf(lab!);
    expect(labAnswer).toMatchObject({
      status: 'recognisable',
      mark: '鄂HR',
      scope: 'province:42',
      validUntil: addDays(labDay, 29),
      reasons: [],
    });
    expect(labAnswer.items).toEqual([
      ['HB-GLU', 'recognisable', addDays(labDay, 29), []],
      ['HB-HBA1C', 'not-recognisable', undefined, ['quality-not-valid']],
      ['HB-K', 'not-recognisable', undefined, ['window-passed']],
    ]);
    const ctAnswer = eligibilityOf(ct!);
    expect(ctAnswer).toMatchObject({ status: 'not-recognisable', reasons: ['direction-not-allowed'] });
    expect(ctAnswer.mark).toBeUndefined();
    expect(ctAnswer.items).toEqual([
      ['HB-CT-CHEST', 'not-recognisable', undefined, ['direction-not-allowed']],
    ]);

    // as of before A's result reached the hub: nothing at all
    const before = await ask(new Date(Date.parse(ctAnswer.asOf!) - 3_600_000).toISOString());
    expect(before.total).toBe(0);
  });

  it('the console’s JSON: the same answer for B by the identifier in the body', async () => {
    const { status, body } = await json<EligibilityAnswer>('/recognition/eligibility', KEY.B, {
      identifier: RID,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ patientKey: PATIENT, requester: B });
    expect(
      body.results.map((r) => [r.performer, r.kind, r.status, r.scope?.mark, r.validUntil, r.reasons]),
    ).toEqual([
      [C, 'imaging', 'not-recognisable', undefined, undefined, ['direction-not-allowed']],
      [A, 'lab', 'recognisable', '鄂HR', addDays(labDay, 29), []],
    ]);
    expect(body.results[1]!.values?.map((v) => [v.name, v.value, v.unit])).toEqual([
      ['钾', '4.1', 'mmol/L'],
      ['葡萄糖', '5.4', 'mmol/L'],
      ['糖化血红蛋白', '5.9', '%'],
    ]);
    expect(body.results[0]!.imaging).toMatchObject({ modalities: ['CT'], studyInstanceUid: CT_UID });
  });

  it('the same CT is recognisable for D (same level as C), asked by the commission for audit; D itself is refused', async () => {
    const commission = fhir(KEY.commission);
    const forD = (await commission.operation({
      name: 'recognisable',
      resourceType: 'Patient',
      id: PATIENT,
      method: 'GET',
      input: { requester: D },
    })) as fhir4.Bundle;
    const ct = forD
      .entry!.map((e) => e.resource as fhir4.ImagingStudy)
      .find((r) => r.resourceType === 'ImagingStudy')!;
    expect(eligibilityOf(ct)).toMatchObject({
      status: 'recognisable',
      mark: '鄂HR',
      validUntil: addDays(ctDay, 29),
      items: [['HB-CT-CHEST', 'recognisable', addDays(ctDay, 29), []]],
    });

    const refused = await fhir(KEY.D)
      .operation({ name: 'recognisable', resourceType: 'Patient', id: PATIENT, method: 'GET' })
      .then(
        () => undefined,
        (e: { response?: { status: number; data: fhir4.OperationOutcome } }) => e.response,
      );
    expect(refused?.status).toBe(403);
    expect(refused?.data).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] });
    const refusedJson = await json<{ message: string }>('/recognition/eligibility', KEY.D, {
      identifier: RID,
    });
    expect(refusedJson.status).toBe(403);
    expect(refusedJson.body.message).toContain(D);
  });

  it('the distributed topology (relay → Kafka → projector → platform-api) gives B the same answer', async () => {
    const b = new Client({
      baseUrl: `${platformUrl}/fhir`,
      customHeaders: { Authorization: `Bearer ${KEY.B}` },
    });
    const hubAnswer = (await fhir(KEY.B).operation({
      name: 'recognisable',
      resourceType: 'Patient',
      id: PATIENT,
      method: 'GET',
    })) as fhir4.Bundle;
    const distributed = await eventually(
      () =>
        b.operation({
          name: 'recognisable',
          resourceType: 'Patient',
          id: PATIENT,
          method: 'GET',
        }) as Promise<fhir4.Bundle>,
      (x) => x.total === 2 && !(x.entry ?? []).some((e) => e.search?.mode === 'outcome'),
      30_000,
    );
    const judged = (x: fhir4.Bundle) =>
      x
        .entry!.filter((e) => e.search?.mode === 'match')
        .map((e) => {
          const r = e.resource as fhir4.DomainResource;
          const { asOf: _asOf, ext: _ext, ...rest } = eligibilityOf(r);
          return [r.resourceType, r.id, rest];
        });
    expect(judged(distributed)).toEqual(judged(hubAnswer));
    expect(projector.deadLettered).toBe(0);
  });

  it('records every question: B’s answers with what they held, D’s refusals, served to the auditor as AuditEvents', async () => {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      const { rows } = await pool.query<{ who: string; outcome: string; resources: string[] }>(
        `SELECT coalesce(client_institution, actor) AS who, outcome, resources FROM pa_access_log
          WHERE interaction = 'recognisable' AND patient_key = $1 ORDER BY serial`,
        [PATIENT],
      );
      const byB = rows.filter((r) => r.who === B && r.outcome === 'success' && r.resources.length === 2);
      expect(byB.length).toBeGreaterThanOrEqual(2); // FHIR and JSON
      expect(rows.filter((r) => r.who === D).map((r) => r.outcome)).toEqual(['refused', 'refused']);
      expect(rows.some((r) => r.who === 'health-commission' && r.outcome === 'success')).toBe(true);
      // the identifier is nowhere in the trail
      const trail = await pool.query<{ t: string }>(
        "SELECT string_agg(pa_access_log::text, ' ') AS t FROM pa_access_log",
      );
      expect(trail.rows[0]!.t).not.toContain(RESIDENT_ID);
    } finally {
      await pool.end();
    }
    const audit = (await fhir(KEY.auditor).search({
      resourceType: 'AuditEvent',
      searchParams: { patient: `Patient/${PATIENT}`, agent: `Organization/${D}` },
    })) as fhir4.Bundle;
    const events = (audit.entry ?? []).map((e) => e.resource as fhir4.AuditEvent);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e) => e.outcome === '4' && e.subtype?.[0]?.code === 'operation')).toBe(true);
  });
});
