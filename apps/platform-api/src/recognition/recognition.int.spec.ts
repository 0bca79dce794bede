/**
 * The recognition read side against real PostgreSQL: rule facts and lab reports appended to the
 * PostgreSQL event store, projected by the real ProjectionRunner, asked over HTTP of the real
 * platform-api (Nest, configureHttp) — JSON and FHIR, who may ask, errors in each protocol, the
 * access trail, the conformance resources.
 */
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import {
  type fhir4,
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionScopeStream,
} from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { validateFhirResource } from '@yilian/fhir';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, ProjectionRunner } from '@yilian/projections';
import { addDays, type EligibilityAnswer, NOT_RECOGNISABLE_REASONS, shanghaiDay } from '@yilian/recognition';
import { handleRecordLabReport } from '@yilian/results';
import { configureHttp } from '@yilian/runtime';
import { createTestDatabase, SAMPLE_RESIDENT_ID, ruleEvent } from '@yilian/testing';
import { PlatformApiModule } from '../platform-api.module';
import { checkExtension } from './extension-conformance';
import { RECOGNITION_CONFORMANCE } from './recognition-conformance';
import { RECOGNITION_FHIR } from './recognition-fhir';

const KEY = {
  H1: 'key-int-h1-0123456789abcdef',
  S1: 'key-int-s1-0123456789abcdef',
  S2: 'key-int-s2-0123456789abcdef',
  platform: 'key-int-platform-0123456789abcdef',
} as const;
const keyer = new PatientKeyer('recognition-int-secret-at-least-32-bytes!');
const PATIENT = keyer.forResidentId(SAMPLE_RESIDENT_ID);
const RESIDENT = { system: 'urn:oid:2.16.156.10011.1.3', value: SAMPLE_RESIDENT_ID };
const SD = RECOGNITION_CONFORMANCE.StructureDefinition[0];
const TERMINOLOGY = {
  valueSets: RECOGNITION_CONFORMANCE.ValueSet,
  codeSystems: RECOGNITION_CONFORMANCE.CodeSystem,
};

const rule = ruleEvent;

const obs = (id: string, loinc: string | undefined, local: string, value: number, effective: string) => ({
  resourceType: 'Observation' as const,
  id,
  status: 'final' as const,
  code: {
    coding: [
      ...(loinc ? [{ system: 'http://loinc.org', code: loinc }] : []),
      { system: 'urn:lis:local', code: local, display: local },
    ],
  },
  effectiveDateTime: effective,
  valueQuantity: { value, unit: 'mmol/L' },
});

let store: PostgresEventStore;
let pool: Pool;
let app: NestExpressApplication;
let base: string;
const today = shanghaiDay(new Date());
const resultDay = addDays(today, -3);
// 23:30 in Shanghai is 15:30Z of the same day: the result's day is the Shanghai day
const effective = `${resultDay}T23:30:00+08:00`;
let beforeResults: string;

async function call<T = Record<string, unknown>>(
  method: 'GET' | 'POST',
  path: string,
  key: string | undefined,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': type } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  const url = await createTestDatabase('recognition_read');
  store = new PostgresEventStore({ connectionString: url, poolSize: 4, pollIntervalMs: 20 });
  await store.migrate();
  pool = new Pool({ connectionString: url, max: 4 });
  const runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  await runner.migrate();
  await store.append(
    recognitionScopeStream('province:42'),
    [
      rule('RecognitionScopeDefined', {
        scope: 'province:42',
        kind: 'province',
        name: '湖北省',
        mark: '鄂HR',
        higherAcceptsLower: false,
        tight: false,
        effectiveFrom: '2025-01-01',
        members: [
          { institution: 'H1', level: 'tertiary' },
          { institution: 'S1', level: 'secondary' },
          { institution: 'S2', level: 'secondary' },
        ],
      }),
    ],
    'any',
  );
  await store.append(
    recognitionCatalogueStream('province:42'),
    [
      rule('RecognitionCatalogueItemsPublished', {
        scope: 'province:42',
        effectiveFrom: '2025-01-01',
        source: '鄂卫通〔2023〕56号',
        items: [
          { code: 'HB-K', name: '钾', kind: 'lab', validityDays: 7, group: 'biochem', loinc: ['2823-3'] },
          {
            code: 'HB-GLU',
            name: '葡萄糖',
            kind: 'lab',
            validityDays: 30,
            group: 'biochem',
            loinc: ['2345-7'],
          },
        ],
      }),
    ],
    'any',
  );
  await store.append(
    qualityStatusStream('H1'),
    [
      rule('QualityStatusRecorded', {
        statusId: 'eqa-h1',
        institution: 'H1',
        groups: ['biochem'],
        scheme: 'EQA',
        validFrom: '2025-01-01',
        validUntil: '2030-12-31',
      }),
    ],
    'any',
  );
  beforeResults = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 20));
  const record = (performer: string, accession: string, observations: fhir4.Observation[]) =>
    handleRecordLabReport(store, {
      type: 'RecordLabReport',
      performer,
      accession,
      patientKey: PATIENT,
      correlationId: randomUUID(),
      now: new Date().toISOString(),
      report: {
        resourceType: 'DiagnosticReport',
        id: `dr-${performer}-${accession}`.toLowerCase(),
        status: 'final',
        code: { coding: [{ system: 'urn:lis:local', code: 'BIOCHEM' }] },
        effectiveDateTime: effective,
        conclusion: '血钾正常',
        result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
      },
      observations,
      source: { institution: performer, messageId: `oru-${accession}`, protocol: 'hl7v2' },
      eventId: randomUUID(),
    });
  await record('H1', 'A1', [
    obs('o-h1-a1-k', '2823-3', 'K', 4.1, effective),
    obs('o-h1-a1-glu', '2345-7', 'GLU', 5.4, effective),
  ]);
  await record('S1', 'B1', [obs('o-s1-b1-crp', undefined, 'CRP-LOCAL', 3, effective)]);
  // the global log shows a commit only once no older transaction is in flight (anywhere on the
  // server, other test files included): read until all five events have been applied
  let after;
  let applied = 0;
  for (const deadline = Date.now() + 30_000; applied < 5 && Date.now() < deadline;) {
    const batch = await store.readAll({ ...(after ? { after } : {}), maxCount: 500 });
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    await runner.applyBatch(batch);
    applied += batch.length;
    after = batch[batch.length - 1]!.position;
  }
  expect(applied).toBe(5);

  app = await NestFactory.create<NestExpressApplication>(
    PlatformApiModule.register({
      readModelPool: pool,
      platformClients: `health-commission:${hashApiKey(KEY.platform)}`,
      patientKeyer: keyer,
      institutions: new InstitutionDirectory(
        (['H1', 'S1', 'S2'] as const).map((code) => ({
          code,
          name: code,
          apiKeySha256: hashApiKey(KEY[code]),
        })),
      ),
    }),
    { logger: false, bodyParser: false, abortOnError: false },
  );
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  // fetch reuses idle connections; a test slower than Node's 5 s keep-alive would meet a reset
  app.getHttpServer().keepAliveTimeout = 60_000;
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await store?.close();
});

describe('POST /recognition/eligibility (JSON, the console)', () => {
  it('answers S1 from its own key, by the identifier in the body: H1’s report recognisable per item, its own not', async () => {
    const { status, body } = await call<EligibilityAnswer>('POST', '/recognition/eligibility', KEY.S1, {
      identifier: RESIDENT,
    });
    expect(status).toBe(200);
    expect(body.patientKey).toBe(PATIENT);
    expect(body.requester).toBe('S1');
    const h1 = body.results.find((r) => r.performer === 'H1')!;
    expect(h1).toMatchObject({
      resourceType: 'DiagnosticReport',
      resourceId: 'dr-h1-a1',
      status: 'recognisable',
      scope: { code: 'province:42', mark: '鄂HR' },
      validUntil: addDays(resultDay, 29),
    });
    expect(h1.items.map((i) => [i.item.catalogueItemCode, i.status, i.validUntil])).toEqual([
      ['HB-GLU', 'recognisable', addDays(resultDay, 29)],
      ['HB-K', 'recognisable', addDays(resultDay, 6)],
    ]);
    expect(h1.values?.map((v) => v.value)).toEqual(['4.1', '5.4']);
    const own = body.results.find((r) => r.performer === 'S1')!;
    expect(own).toMatchObject({
      status: 'not-recognisable',
      reasons: ['not-in-shared-catalogue', 'own-result'],
    });
  });

  it('refuses an institution with no part in the patient (403 with a body), records the refusal', async () => {
    const { status, body } = await call('POST', '/recognition/eligibility', KEY.S2, { patientKey: PATIENT });
    expect(status).toBe(403);
    expect(String(body['message'])).toContain('S2');
    const { rows } = await pool.query(
      `SELECT outcome, client_institution FROM pa_access_log
        WHERE interaction = 'recognisable' AND client_institution = 'S2'`,
    );
    expect(rows).toEqual([{ outcome: 'refused', client_institution: 'S2' }]);
  });

  it('never takes the requester from an institution’s body; the platform must name one', async () => {
    expect(
      (await call('POST', '/recognition/eligibility', KEY.S1, { patientKey: PATIENT, requester: 'H1' }))
        .status,
    ).toBe(403);
    const missing = await call('POST', '/recognition/eligibility', KEY.platform, { patientKey: PATIENT });
    expect(missing).toMatchObject({ status: 400, body: { field: 'requester' } });
    const asPlatform = await call<EligibilityAnswer>('POST', '/recognition/eligibility', KEY.platform, {
      patientKey: PATIENT,
      requester: 'H1',
    });
    expect(asPlatform.status).toBe(200);
    expect(asPlatform.body.requester).toBe('H1');
    expect(asPlatform.body.results.find((r) => r.performer === 'H1')?.reasons).toEqual(['own-result']);
    // S1's report names no catalogue item
    expect(asPlatform.body.results.find((r) => r.performer === 'S1')?.reasons).toEqual([
      'not-in-shared-catalogue',
    ]);
  });

  it('names the wrong field: asOf, identifier, unknown fields; 401 without a key', async () => {
    expect(
      await call('POST', '/recognition/eligibility', KEY.S1, { patientKey: PATIENT, asOf: 'yesterday' }),
    ).toMatchObject({
      status: 400,
      body: { field: 'asOf' },
    });
    expect(
      await call('POST', '/recognition/eligibility', KEY.S1, {
        identifier: { ...RESIDENT, value: '110105194912310021' },
      }),
    ).toMatchObject({ status: 400, body: { field: 'identifier.value' } });
    expect(await call('POST', '/recognition/eligibility', KEY.S1, { patient: 'x' })).toMatchObject({
      status: 400,
      body: { field: 'patient' },
    });
    expect((await call('POST', '/recognition/eligibility', undefined, { patientKey: PATIENT })).status).toBe(
      401,
    );
  });

  it('asOf before the results were recorded: the hub knew none', async () => {
    const { body } = await call<EligibilityAnswer>('POST', '/recognition/eligibility', KEY.S1, {
      patientKey: PATIENT,
      asOf: beforeResults,
    });
    expect(body.results).toEqual([]);
  });
});

describe('Patient/$recognisable (FHIR)', () => {
  it('answers a searchset of the served DiagnosticReports, each with the extension, valid R4 and per the StructureDefinition', async () => {
    const { status, body } = await call<fhir4.Bundle>(
      'GET',
      `/fhir/Patient/${PATIENT}/$recognisable`,
      KEY.S1,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 2 });
    expect(validateFhirResource(body).filter((i) => i.severity === 'error')).toEqual([]);
    const resources = body
      .entry!.filter((e) => e.search?.mode === 'match')
      .map((e) => e.resource as fhir4.DiagnosticReport);
    expect(body.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id)).toEqual([
      'o-h1-a1-k',
      'o-h1-a1-glu',
      'o-s1-b1-crp',
    ]);
    for (const r of resources) {
      const ext = r.extension!.filter((e) => e.url === RECOGNITION_FHIR.eligibilityExtension);
      expect(ext).toHaveLength(1);
      expect(checkExtension(ext[0]!, SD, TERMINOLOGY)).toEqual([]);
      expect(r).not.toHaveProperty('conclusion');
    }
    const h1 = resources.find((r) => r.id === 'dr-h1-a1')!;
    const sub = (e: fhir4.Extension, url: string) => e.extension!.filter((x) => x.url === url);
    const ext = h1.extension!.find((e) => e.url === RECOGNITION_FHIR.eligibilityExtension)!;
    expect(sub(ext, 'status')[0]!.valueCode).toBe('recognisable');
    expect(sub(ext, 'mark')[0]!.valueString).toBe('鄂HR');
    expect(sub(ext, 'scope')[0]!.valueCoding).toEqual({
      system: RECOGNITION_FHIR.scopeSystem,
      code: 'province:42',
      display: '鄂HR',
    });
    expect(sub(ext, 'validUntil')[0]!.valueDate).toBe(addDays(resultDay, 29));
    expect(sub(ext, 'item').map((i) => sub(i, 'code')[0]!.valueCode)).toEqual(['HB-GLU', 'HB-K']);
    // the check does fail: an undefined sub-extension, a reason outside the CodeSystem, no asOf
    const broken: fhir4.Extension = {
      ...ext,
      extension: [
        ...ext.extension!.filter((x) => x.url !== 'asOf'),
        { url: 'reason', valueCoding: { system: RECOGNITION_FHIR.reasonSystem, code: 'too-expensive' } },
        { url: 'conclusion', valueString: '未见异常' },
      ],
    };
    expect(checkExtension(broken, SD, TERMINOLOGY)).toEqual([
      'extension.extension: conclusion is not defined',
      expect.stringContaining('too-expensive'),
      'extension.asOf: at least 1 expected',
    ]);
    const own = resources.find((r) => r.id === 'dr-s1-b1')!;
    const ownExt = own.extension!.find((e) => e.url === RECOGNITION_FHIR.eligibilityExtension)!;
    expect(sub(ownExt, 'reason').map((x) => x.valueCoding?.code)).toEqual([
      'not-in-shared-catalogue',
      'own-result',
    ]);
  });

  it('POST with Parameters (the identifier in the body); errors are OperationOutcomes naming the parameter', async () => {
    const parameters = (extra: fhir4.ParametersParameter[] = []): fhir4.Parameters => ({
      resourceType: 'Parameters',
      parameter: [{ name: 'patient', valueString: `${RESIDENT.system}|${RESIDENT.value}` }, ...extra],
    });
    const ok = await call<fhir4.Bundle>(
      'POST',
      '/fhir/Patient/$recognisable',
      KEY.S1,
      parameters(),
      'application/fhir+json',
    );
    expect(ok.status).toBe(200);
    expect(ok.body.total).toBe(2);
    const bad = await call<fhir4.OperationOutcome>(
      'POST',
      '/fhir/Patient/$recognisable',
      KEY.S1,
      parameters([{ name: 'asOf', valueInstant: 'not-an-instant' }]),
      'application/fhir+json',
    );
    expect(bad.status).toBe(400);
    expect(bad.body.issue[0]!.expression).toEqual(['asOf']);
    const badGet = await call<fhir4.OperationOutcome>(
      'GET',
      `/fhir/Patient/${PATIENT}/$recognisable?asOf=2026-13-01`,
      KEY.S1,
    );
    expect(badGet).toMatchObject({
      status: 400,
      body: { resourceType: 'OperationOutcome', issue: [{ expression: ['asOf'] }] },
    });
    const unknown = await call<fhir4.OperationOutcome>(
      'GET',
      '/fhir/Patient/pk_nobody_at_all/$recognisable?requester=S1',
      KEY.platform,
    );
    expect(unknown).toMatchObject({ status: 404, body: { resourceType: 'OperationOutcome' } });
    const denied = await call<fhir4.OperationOutcome>(
      'GET',
      `/fhir/Patient/${PATIENT}/$recognisable`,
      KEY.S2,
    );
    expect(denied).toMatchObject({
      status: 403,
      body: { resourceType: 'OperationOutcome', issue: [{ code: 'forbidden' }] },
    });
  });

  it('records every answered question with what it held', async () => {
    const { rows } = await pool.query<{ resources: string[]; patient_key: string }>(
      `SELECT resources, patient_key FROM pa_access_log
        WHERE interaction = 'recognisable' AND client_institution = 'S1' AND outcome = 'success'
        ORDER BY serial DESC LIMIT 1`,
    );
    expect(rows[0]!.patient_key).toBe(PATIENT);
    expect([...rows[0]!.resources].sort()).toEqual([
      'DiagnosticReport/dr-h1-a1',
      'DiagnosticReport/dr-s1-b1',
    ]);
  });

  it('serves its conformance resources and lists the operation in the CapabilityStatement', async () => {
    const sd = await call<fhir4.StructureDefinition>(
      'GET',
      '/fhir/StructureDefinition/recognition-eligibility',
      undefined,
    );
    expect(sd.body.url).toBe(RECOGNITION_FHIR.eligibilityExtension);
    const cs = await call<fhir4.CodeSystem>(
      'GET',
      '/fhir/CodeSystem/recognition-not-recognisable-reason',
      undefined,
    );
    expect(cs.body.concept!.map((c) => c.code)).toEqual([...NOT_RECOGNISABLE_REASONS]);
    // eld-16 / eld-19 (sliceName and path regexes) fail on the official R4 extension definitions
    // too under @medplum/core's FHIRPath `matches`: a validator limitation, not the definition's
    const errors = (r: fhir4.Resource) =>
      validateFhirResource(r).filter(
        (i) => i.severity === 'error' && !/Constraint eld-(16|19) /.test(i.message),
      );
    for (const r of [
      sd.body,
      cs.body,
      ...RECOGNITION_CONFORMANCE.ValueSet,
      ...RECOGNITION_CONFORMANCE.OperationDefinition,
    ])
      expect(errors(r)).toEqual([]);
    const metadata = await call<fhir4.CapabilityStatement>('GET', '/fhir/metadata', undefined);
    const patient = metadata.body.rest![0]!.resource!.find((r) => r.type === 'Patient')!;
    expect(patient.operation).toContainEqual({
      name: 'recognisable',
      definition: RECOGNITION_FHIR.operationDefinition,
    });
  });
});

describe('GET /recognition/unmatched-codes', () => {
  it('lists the codes no catalogue item names, for operators only', async () => {
    const { status, body } = await call<{ codes: { performer: string; code: string }[] }>(
      'GET',
      '/recognition/unmatched-codes?performer=S1',
      KEY.platform,
    );
    expect(status).toBe(200);
    expect(body.codes.map((c) => c.code)).toContain('CRP-LOCAL');
    expect(body.codes.every((c) => c.performer === 'S1')).toBe(true);
    expect((await call('GET', '/recognition/unmatched-codes', KEY.S1)).status).toBe(403);
  });
});
