/**
 * A platform-api started without an event store cannot answer from the log: every as-of read
 * and `_history` from the log answers 501 with an OperationOutcome naming what needed it — and
 * the auditors' refusal rules still come first (real PostgreSQL, real socket).
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import { hashApiKey } from '@yilian/config';
import type { fhir4 } from '@yilian/contracts';
import { PatientKeyer } from '@yilian/patients';
import { ALL_PROJECTIONS, ProjectionRunner } from '@yilian/projections';
import { configureHttp } from '@yilian/runtime';
import { createTestDatabase } from '@yilian/testing';
import { PlatformApiModule } from '../platform-api.module';

const KEY = { platform: 'key-platform-0123456789abcdef', auditor: 'key-auditor-0123456789abcdef' };
const keyer = new PatientKeyer('test-secret-that-is-at-least-32-bytes-long!');
const PATIENT = keyer.forMrn('H001', 'M-1');

let app: NestExpressApplication;
let pool: Pool;
let base: string;

beforeAll(async () => {
  pool = new Pool({ connectionString: await createTestDatabase('as_of_no_store'), max: 4 });
  await new ProjectionRunner(pool, ALL_PROJECTIONS).migrate();
  app = await NestFactory.create<NestExpressApplication>(
    PlatformApiModule.register({
      readModelPool: pool,
      platformClients: `regional:${hashApiKey(KEY.platform)},audit-office:${hashApiKey(KEY.auditor)}:auditor`,
      patientKeyer: keyer,
    }),
    { logger: false, bodyParser: false, abortOnError: false },
  );
  configureHttp(app);
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

afterAll(async () => {
  await app?.close();
  await pool?.end();
});

const get = async (path: string, key: string) => {
  const res = await fetch(`${base}/fhir/${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as fhir4.OperationOutcome };
};

it.each([
  [`DiagnosticReport?patient=Patient/${PATIENT}&_at=2026-01-01T00:00:00Z`, '_at'],
  [`Patient/${PATIENT}/$everything?_at=2026-01-01T00:00:00Z`, '_at'],
  ['Observation/H001.A-1.o1/_history', undefined],
  [`Patient/${PATIENT}/_history`, undefined],
])('%s → 501 (expression %s)', async (path, expression) => {
  const { status, body } = await get(path, KEY.auditor);
  expect([status, body.resourceType, body.issue[0]!.code, body.issue[0]!.expression]).toEqual([
    501,
    'OperationOutcome',
    'not-supported',
    expression && [expression],
  ]);
});

it('checks who asks and the instant before it needs the store', async () => {
  expect((await get(`Task?patient=Patient/${PATIENT}&_at=2026-01-01T00:00:00Z`, KEY.platform)).status).toBe(
    403,
  );
  const bad = await get(`Task?patient=Patient/${PATIENT}&_at=soon`, KEY.auditor);
  expect([bad.status, bad.body.issue[0]!.expression]).toEqual([400, ['_at']]);
});
