/* An intake without the read models (intake main without READ_MODEL_DATABASE_URL) cannot ask
 * whether the deciding institution has a part in the patient's care, nor what is recognisable:
 * a decision Task is 501 with an OperationOutcome naming what is missing, and nothing is
 * recorded — the same with recognition given but no read models. The 403 for an institution
 * without a part: test/e2e/recognition-decisions.e2e.spec.ts. */
import { hashApiKey, InstitutionDirectory } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { createEventStore, type EventStore } from '@yilian/event-store';
import { PatientKeyer } from '@yilian/patients';
import { RecognitionEligibility } from '@yilian/recognition';
import { createLogger } from '@yilian/runtime';
import { createTestDatabase } from '@yilian/testing';
import { Pool } from 'pg';
import { startIntake, type RunningIntake } from '../start-intake';
import { DECISION_CODE_SYSTEM } from './recognition-decision.task';

const KEY = 'key-c002-decisions-0123456789abcdef';
const keyer = new PatientKeyer('recognition-decision-test-secret-0123456789');
const PATIENT = keyer.forMrn('C002', 'MRN-1');

let store: EventStore;
let pool: Pool;
const intakes: RunningIntake[] = [];

beforeAll(async () => {
  const url = await createTestDatabase('decision_no_read_models');
  store = await createEventStore(url);
  pool = new Pool({ connectionString: url, max: 1 });
});
afterAll(async () => {
  for (const intake of intakes) await intake.stop();
  await store?.close();
  await pool?.end();
});

const start = async (recognition?: RecognitionEligibility) => {
  const intake = await startIntake({
    store,
    institutions: new InstitutionDirectory([
      { code: 'C002', name: '社区卫生服务中心', apiKeySha256: hashApiKey(KEY), mllpPort: 1 },
    ]),
    patientKeyer: keyer,
    mllp: { host: '127.0.0.1', ephemeralPorts: true },
    logger: createLogger('recognition-decision-test', 'silent'),
    ...(recognition ? { recognition } : {}),
    httpPort: 0,
    host: '127.0.0.1',
  });
  intakes.push(intake);
  return intake;
};

const task: fhir4.Task = {
  resourceType: 'Task',
  status: 'completed',
  intent: 'order',
  code: { coding: [{ system: DECISION_CODE_SYSTEM, code: 'recognised' }] },
  focus: { reference: 'DiagnosticReport/lab-1' },
  for: { reference: `Patient/${PATIENT}` },
  encounter: { identifier: { value: 'V-1' } },
};

it.each([
  ['neither recognition nor the read models', false],
  ['recognition but no read models', true],
])('with %s a decision Task is 501 and records nothing', async (_, withRecognition) => {
  const intake = await start(withRecognition ? new RecognitionEligibility(pool) : undefined);
  const res = await fetch(`${intake.httpUrl}/fhir/Task`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(task),
  });
  expect(res.status).toBe(501);
  const outcome = (await res.json()) as fhir4.OperationOutcome;
  expect(outcome).toMatchObject({
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'error',
        code: 'not-supported',
        diagnostics: 'recognition is not wired into this intake (READ_MODEL_DATABASE_URL)',
      },
    ],
  });
  expect(await store.readAll()).toEqual([]);
});
