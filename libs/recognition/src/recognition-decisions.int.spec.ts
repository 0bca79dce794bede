/**
 * Decisions, retrieval serials and indicators over the real parts (PostgreSQL event store, the
 * real projections): S1 recognises one of H1's reports and declines another with a national
 * reason; a decision on an expired report is refused; the indicators count 1 recognised,
 * 1 declined, the items not re-tested and the money saved; a rebuild gives the same figures.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  qualityStatusStream,
  recognitionCatalogueStream,
  recognitionScopeStream,
  type fhir4,
} from '@yilian/contracts';
import { PostgresEventStore } from '@yilian/event-store';
import { ALL_PROJECTIONS, ProjectionRunner, rebuildAndCompare } from '@yilian/projections';
import { handleRecordLabReport } from '@yilian/results';
import { createTestDatabase, ruleEvent } from '@yilian/testing';
import { addDays, shanghaiDay } from './days';
import { DecisionRejection, handleRecognitionDecision } from './decisions';
import { RecognitionEligibility } from './eligibility.service';
import { recognitionIndicators } from './indicators';
import { RetrievalSerials } from './retrievals';

const REASONS = 'http://yilian.example/fhir/CodeSystem/recognition-decline-reason';
const allowedReasons = new Set([`${REASONS}|illness-changed`]);
const ITEMS = [
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
];
const rule = ruleEvent;

let store: PostgresEventStore;
let url: string;
let pool: Pool;
let runner: ProjectionRunner;
beforeAll(async () => {
  url = await createTestDatabase('recognition_decisions');
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

/** Replays the whole log into `into` (idempotent: what it applied before is skipped), until it
 * has read every committed event — readAll stops at the oldest transaction still open anywhere
 * on the server (another test file's), so one drain may stop short. */
async function projectAll(into: ProjectionRunner): Promise<void> {
  const total = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM yl_events')).rows[0]!.n;
  let after;
  for (let read = 0, tries = 0; read < total && tries < 500; tries++) {
    const batch = await store.readAll({ ...(after ? { after } : {}), maxCount: 500 });
    if (batch.length === 0) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    await into.applyBatch(batch);
    read += batch.length;
    after = batch[batch.length - 1]!.position;
  }
}

async function labAtH1(accession: string, daysAgo: number, loinc: string[]): Promise<string> {
  const effective = `${addDays(shanghaiDay(new Date()), -daysAgo)}T09:00:00+08:00`;
  const observations: fhir4.Observation[] = loinc.map((code, i) => ({
    resourceType: 'Observation',
    id: `obs-${accession}-${i}`,
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    effectiveDateTime: effective,
    valueQuantity: { value: 5 + i, unit: 'mmol/L' },
  }));
  const report: fhir4.DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id: `dr-${accession}`,
    status: 'final',
    code: { text: 'biochem' },
    effectiveDateTime: effective,
    result: observations.map((o) => ({ reference: `Observation/${o.id}` })),
  };
  const outcome = await handleRecordLabReport(store, {
    type: 'RecordLabReport',
    performer: 'H1',
    accession,
    patientKey: 'pk_decisions',
    report,
    observations,
    source: { institution: 'H1', messageId: accession, protocol: 'hl7v2' },
    eventId: randomUUID(),
    correlationId: accession,
    now: new Date().toISOString(),
  });
  return outcome.stream;
}

it('recognise one, decline one, refuse one on an expired report; indicators and their rebuild agree', async () => {
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
        source: 'sample',
        items: ITEMS,
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
        groups: ['biochem', 'glyco'],
        scheme: 'EQA',
        validFrom: '2025-01-01',
        validUntil: '2030-12-31',
      }),
    ],
    'any',
  );
  const fresh = await labAtH1('D1', 2, ['2823-3', '2345-7']);
  const hba1c = await labAtH1('D2', 10, ['4548-4']);
  const expired = await labAtH1('D3', 45, ['2345-7']);
  await projectAll(runner);

  const eligibility = new RecognitionEligibility(pool);
  const deps = { store, eligibility, allowedReasons };
  const base = {
    institution: 'S1',
    encounter: 'V1',
    patientKey: 'pk_decisions',
    source: { institution: 'S1', messageId: 'x', protocol: 'fhir' as const },
    correlationId: 'c',
  };
  const now = () => new Date().toISOString();
  const recognised = await handleRecognitionDecision(deps, {
    ...base,
    resultStream: fresh,
    resource: 'DiagnosticReport/dr-D1',
    decision: 'recognised',
    now: now(),
  });
  expect(recognised).toMatchObject({
    duplicate: false,
    event: { data: { decision: 'recognised', version: 1, items: [{ code: 'HB-GLU' }, { code: 'HB-K' }] } },
  });
  const declined = await handleRecognitionDecision(deps, {
    ...base,
    resultStream: hba1c,
    resource: 'DiagnosticReport/dr-D2',
    decision: 'declined',
    reason: { system: REASONS, code: 'illness-changed' },
    text: '病情变化，需复查',
    now: now(),
  });
  expect(declined.event.data).toMatchObject({
    decision: 'declined',
    reason: { code: 'illness-changed' },
    scope: { mark: '鄂HR' },
  });
  await expect(
    handleRecognitionDecision(deps, {
      ...base,
      resultStream: expired,
      resource: 'DiagnosticReport/dr-D3',
      decision: 'recognised',
      now: now(),
    }),
  ).rejects.toMatchObject({
    code: 'not-recognisable',
  });
  await expect(
    handleRecognitionDecision(deps, {
      ...base,
      resultStream: expired,
      resource: 'DiagnosticReport/dr-D3',
      decision: 'recognised',
      now: now(),
    }),
  ).rejects.toBeInstanceOf(DecisionRejection);
  // the very same decision again: nothing new
  expect(
    (
      await handleRecognitionDecision(deps, {
        ...base,
        resultStream: fresh,
        resource: 'DiagnosticReport/dr-D1',
        decision: 'recognised',
        now: now(),
      })
    ).duplicate,
  ).toBe(true);

  const serials = await new RetrievalSerials(store).issue({
    institution: 'S1',
    actor: 'his-s1',
    channel: 'eligibility',
    now: new Date(),
    correlationId: 'c',
    retrievals: [
      { resource: 'DiagnosticReport/dr-D1', performer: 'H1' },
      { resource: 'DiagnosticReport/dr-D2', performer: 'H1' },
    ],
  });
  expect([...serials.values()]).toEqual(
    [1, 2].map((n) => `S1-${shanghaiDay(new Date()).replaceAll('-', '')}-00000${n}`),
  );
  await projectAll(runner);

  const today = shanghaiDay(new Date());
  const query = { from: addDays(today, -1), to: today, period: 'day' as const };
  const figures = await recognitionIndicators(pool, query);
  expect(figures).toMatchObject({
    qualifying: 2,
    recognised: 1,
    declined: 1,
    recognitionRate: 0.5,
    declinesByReason: { 'illness-changed': 1 },
    retrievals: 2,
    retestsAvoided: 2,
    moneySavedYuan: 11,
    rows: [{ period: today, institution: 'S1', recognised: 1, declined: 1, retrievals: 2 }],
  });
  expect(figures.byItem).toEqual([
    { item: 'HB-GLU', name: '葡萄糖', recognised: 1, declined: 0, moneySavedYuan: 6 },
    { item: 'HB-HBA1C', name: '糖化血红蛋白', recognised: 0, declined: 1, moneySavedYuan: 0 },
    { item: 'HB-K', name: '钾', recognised: 1, declined: 0, moneySavedYuan: 5 },
  ]);
  expect((await recognitionIndicators(pool, { ...query, item: 'HB-HBA1C' })).declined).toBe(1);
  expect((await recognitionIndicators(pool, { ...query, item: 'HB-HBA1C' })).recognised).toBe(0);

  // a rebuild from the log: identical tables, the same figures
  const comparison = await rebuildAndCompare({ store, readModelUrl: url, projections: ALL_PROJECTIONS });
  expect(comparison.identical).toBe(true);
  const replayPool = new Pool({
    connectionString: await createTestDatabase('recognition_decisions_replay'),
    max: 2,
  });
  try {
    const replay = new ProjectionRunner(replayPool, ALL_PROJECTIONS);
    await replay.migrate();
    await projectAll(replay);
    expect(await recognitionIndicators(replayPool, query)).toEqual(figures);
  } finally {
    await replayPool.end();
  }
});
