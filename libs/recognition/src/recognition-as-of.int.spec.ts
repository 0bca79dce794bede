/**
 * As of any moment, over the real parts: rule facts and lab reports appended to the PostgreSQL
 * event store (recorded times are the store's), projected by the real ProjectionRunner, asked
 * through RecognitionEligibility. A catalogue amendment (a shortened window) recorded after a
 * result changes the answer from then on, not before; a corrected report likewise; and a replay
 * of the log from zero into an empty database gives both answers again.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { recognitionCatalogueStream, recognitionScopeStream, qualityStatusStream } from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, ProjectionRunner, rebuildAndCompare } from '@yilian/projections';
import { handleRecordLabReport } from '@yilian/results';
import { createTestDatabase, ruleEvent } from '@yilian/testing';
import { addDays, shanghaiDay } from './days';
import { RecognitionEligibility } from './eligibility.service';

const GLU = {
  code: 'HB-GLU',
  name: '葡萄糖',
  kind: 'lab',
  validityDays: 30,
  group: 'biochem',
  loinc: ['2345-7'],
  priceYuan: 6,
};

const rule = ruleEvent;

function report(
  status: 'final' | 'corrected',
  effective: string,
  value: number,
): { report: fhir4.DiagnosticReport; observations: fhir4.Observation[] } {
  return {
    report: {
      resourceType: 'DiagnosticReport',
      id: 'dr-h1-a100',
      status,
      code: { coding: [{ system: 'urn:h1:lis', code: 'GLU-PANEL', display: '血糖' }] },
      effectiveDateTime: effective,
      result: [{ reference: 'Observation/obs-h1-a100-1' }],
    },
    observations: [
      {
        resourceType: 'Observation',
        id: 'obs-h1-a100-1',
        status,
        code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] },
        effectiveDateTime: effective,
        valueQuantity: { value, unit: 'mmol/L' },
      },
    ],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let store: PostgresEventStore;
let url: string;
let pool: Pool;
let runner: ProjectionRunner;
let after: Awaited<ReturnType<PostgresEventStore['readAll']>>[number]['position'] | undefined;

let seen = 0;
/** Events committed in the store (readAll stops at the oldest transaction still open anywhere
 * on the server — another test file's — so draining it once may stop short). */
const committed = async () =>
  (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM yl_events')).rows[0]!.n;

async function project(): Promise<void> {
  const total = await committed();
  for (let tries = 0; seen < total && tries < 500; tries++) {
    const batch = await store.readAll({ ...(after ? { after } : {}), maxCount: 500 });
    if (batch.length === 0) {
      await sleep(20);
      continue;
    }
    await runner.applyBatch(batch);
    seen += batch.length;
    after = batch[batch.length - 1]!.position;
  }
}

beforeAll(async () => {
  url = await createTestDatabase('recognition_as_of');
  store = new PostgresEventStore({ connectionString: url, poolSize: 4, pollIntervalMs: 20 });
  await store.migrate();
  pool = new Pool({ connectionString: url, max: 4 });
  runner = new ProjectionRunner(pool, ALL_PROJECTIONS);
  await runner.migrate();
});
afterAll(async () => {
  await pool?.end();
  await store?.close();
});

it('answers as the hub knew then: a later amendment (window shortened) and a later correction change only later answers; a replay gives both', async () => {
  const today = shanghaiDay(new Date());
  const resultDay = addDays(today, -5);
  const effective = `${resultDay}T10:00:00+08:00`;
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
        items: [GLU],
      }),
    ],
    'any',
  );
  await store.append(
    qualityStatusStream('H1'),
    [
      rule('QualityStatusRecorded', {
        statusId: 'eqa-2026-h1',
        institution: 'H1',
        groups: ['biochem'],
        scheme: '湖北省临检中心室间质评',
        validFrom: '2025-01-01',
        validUntil: '2030-12-31',
      }),
    ],
    'any',
  );
  const beforeResult = new Date();
  await sleep(20);
  const command = {
    type: 'RecordLabReport' as const,
    performer: 'H1',
    accession: 'A100',
    patientKey: 'pk_as_of_patient',
    correlationId: 'c1',
    now: new Date().toISOString(),
  };
  await handleRecordLabReport(store, {
    ...command,
    ...report('final', effective, 5.4),
    source: { institution: 'H1', messageId: 'oru-1', protocol: 'hl7v2' },
    eventId: randomUUID(),
  });
  await project();
  await sleep(20);
  const t1 = new Date();
  await sleep(20);

  // the catalogue is amended after the result: glucose recognisable 3 days only, from today
  await store.append(
    recognitionCatalogueStream('province:42'),
    [
      rule('RecognitionCatalogueItemsPublished', {
        scope: 'province:42',
        effectiveFrom: today,
        source: '鄂卫通〔2026〕9号',
        items: [{ ...GLU, validityDays: 3 }],
      }),
    ],
    'any',
  );
  await project();
  await sleep(20);
  const t2 = new Date();
  await sleep(20);
  // and the lab corrects the report
  await handleRecordLabReport(store, {
    ...command,
    ...report('corrected', effective, 5.9),
    source: { institution: 'H1', messageId: 'oru-2', protocol: 'hl7v2' },
    eventId: randomUUID(),
  });
  await project();
  const t3 = new Date();

  const answers = async (service: RecognitionEligibility) => {
    const ask = (asOf: Date) =>
      service.eligibility({ patientKey: 'pk_as_of_patient', requester: 'S1', asOf });
    const [a0, a1, a2, a3] = await Promise.all([ask(beforeResult), ask(t1), ask(t2), ask(t3)]);
    return {
      beforeResult: a0.results.length,
      t1: a1.results.map((r) => [r.version, r.status, r.validUntil, r.reasons, r.values?.[0]?.value]),
      t2: a2.results.map((r) => [r.version, r.status, r.validUntil, r.reasons, r.values?.[0]?.value]),
      t3: a3.results.map((r) => [r.version, r.status, r.validUntil, r.reasons, r.values?.[0]?.value]),
    };
  };
  const live = await answers(new RecognitionEligibility(pool));
  expect(live).toEqual({
    beforeResult: 0,
    t1: [[1, 'recognisable', addDays(resultDay, 29), [], '5.4']],
    t2: [[1, 'not-recognisable', undefined, ['window-passed'], '5.4']],
    t3: [[2, 'not-recognisable', undefined, ['window-passed', 'result-amended'], '5.9']],
  });

  // replay the whole log from zero into an empty database: the same answers at the same moments
  const replayUrl = await createTestDatabase('recognition_replay');
  const replayPool = new Pool({ connectionString: replayUrl, max: 4 });
  try {
    const replayRunner = new ProjectionRunner(replayPool, ALL_PROJECTIONS);
    await replayRunner.migrate();
    let from;
    const total = await committed();
    for (let replayed = 0, tries = 0; replayed < total && tries < 2000; tries++) {
      const batch = await store.readAll({ ...(from ? { after: from } : {}), maxCount: 3 }); // small batches: versions split across them
      if (batch.length === 0) {
        await sleep(20);
        continue;
      }
      await replayRunner.applyBatch(batch);
      replayed += batch.length;
      from = batch[batch.length - 1]!.position;
    }
    expect(await answers(new RecognitionEligibility(replayPool))).toEqual(live);
  } finally {
    await replayPool.end();
  }
  // and the rebuild's tables equal the live ones row for row
  const comparison = await rebuildAndCompare({ store, readModelUrl: url, projections: ALL_PROJECTIONS });
  expect(
    comparison.tables
      .filter((t) => t.table.startsWith('rm_recognition'))
      .map(({ table, rows, same }) => ({ table, rows, same })),
  ).toEqual([
    { table: 'rm_recognition_codes', rows: 2, same: true },
    { table: 'rm_recognition_decisions', rows: 0, same: true },
    { table: 'rm_recognition_results', rows: 2, same: true },
    { table: 'rm_recognition_retrievals', rows: 0, same: true },
    { table: 'rm_recognition_rules', rows: 4, same: true },
  ]);
  expect(comparison.identical).toBe(true);
});

it('one service asked again after a rule is recorded answers under it (the count comes with the results); with rulesRecheckMs only once the interval has passed', async () => {
  // the store of the test above: H1's corrected report, window passed
  const fresh = new RecognitionEligibility(pool);
  const recheck = new RecognitionEligibility(pool, { rulesRecheckMs: 60_000 });
  const reasons = async (service: RecognitionEligibility, asOf: Date) =>
    (await service.eligibility({ patientKey: 'pk_as_of_patient', requester: 'S1', asOf })).results.map(
      (r) => r.reasons,
    );
  const before = new Date();
  expect(await reasons(fresh, before)).toEqual([['window-passed', 'result-amended']]);
  expect(await reasons(recheck, before)).toEqual([['window-passed', 'result-amended']]);
  // a patient with no result: nothing judged, whatever the rules
  expect(
    (await fresh.eligibility({ patientKey: 'pk_nobody', requester: 'S1', asOf: before })).results,
  ).toEqual([]);

  await store.append(
    qualityStatusStream('H1'),
    [
      rule('QualityStatusRevoked', {
        statusId: 'eqa-2026-h1',
        institution: 'H1',
        revokedFrom: '2025-01-01',
        reason: '室间质评不合格',
      }),
    ],
    'any',
  );
  await project();
  await sleep(20);
  const now = new Date();
  const revoked = [['quality-not-valid', 'window-passed', 'result-amended']];
  expect(await reasons(fresh, now)).toEqual(revoked);
  // trusted for a minute after `before` on the same day: the rules it last looked at
  if (shanghaiDay(now) === shanghaiDay(before))
    expect(await reasons(recheck, new Date(before.getTime() + 59_000))).toEqual([
      ['window-passed', 'result-amended'],
    ]);
  expect(await reasons(recheck, new Date(before.getTime() + 60_000))).toEqual(revoked);
});
