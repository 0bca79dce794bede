import { Pool } from 'pg';
import { REFERRAL_FHIR_DDL } from '@yilian/referrals';
import { IMAGING_READ_MODEL_DDL, ORDER_READ_MODEL_DDL } from '@yilian/results';
import { createTestDatabase } from '@yilian/testing';
import { PATIENT_LINKS_DDL } from './identity/patient-links.projection';
import { hasPartInCare, noPartInCare } from './part-in-care.queries';

// The part in care on a real PostgreSQL, with the read models' own tables: a patient known
// under a resident ID number's key (R) and H001's MRN key (M, linked to R); H001 reported a lab
// result under M, C002 an imaging study under R, a referral from X003 to Y004 under R, W006
// placed an order under M. Another
// patient (O) has only a report of Z005's. Asked through a pool of one connection, so the named
// statement is planned once and bound with each question's values.
let pool: Pool;
const key = (c: string) => `pk_${c.repeat(26)}`;
const [R, M, O, NOBODY] = ['r', 'm', 'o', 'n'].map(key) as [string, string, string, string];
const T = '2026-11-23T08:00:00Z';

beforeAll(async () => {
  pool = new Pool({ connectionString: await createTestDatabase('part_in_care'), max: 1 });
  await pool.query(IMAGING_READ_MODEL_DDL);
  await pool.query(REFERRAL_FHIR_DDL);
  await pool.query(PATIENT_LINKS_DDL);
  await pool.query(ORDER_READ_MODEL_DDL);
  await pool.query(
    `INSERT INTO rm_patient_links (member_key, linked_to, linked_via, since) VALUES ($1, $2, 'resident-id', $3)`,
    [M, R, T],
  );
  const report = `INSERT INTO rm_lab_reports (id, stream, patient_key, performer, status, code_tokens, version, event_id, resource, last_updated)
    VALUES ($1, $1, $2, $3, 'final', '{}', 1, gen_random_uuid(), '{}', $4)`;
  await pool.query(report, ['lab-h001-1', M, 'H001', T]);
  await pool.query(report, ['lab-z005-1', O, 'Z005', T]);
  await pool.query(
    `INSERT INTO rm_imaging_studies (id, stream, patient_key, performer, status, modalities, version, resource, last_updated)
     VALUES ('img-c002-1', 'img-c002-1', $1, 'C002', 'available', '{CT}', 1, '{}', $2)`,
    [R, T],
  );
  await pool.query(
    `INSERT INTO rm_referral_fhir (referral_id, patient_key, requester, performer, sr_status, task_status,
       business_status, authored_on, state, sr_version, task_version, service_request, task, last_updated)
     VALUES ('ref-1', $1, 'X003', 'Y004', 'active', 'requested', 'requested', $2, '{}', 1, 1, '{}', '{}', $2)`,
    [R, T],
  );
  await pool.query(
    `INSERT INTO rm_orders (id, stream, patient_key, placer, placer_order_number, order_control, message_type,
       status, authored_on, version, resource, last_updated)
     VALUES ('ord-w006-1', 'ord-w006-1', $1, 'W006', 'PO-1', 'NW', 'OML^O21', 'active', $2, 1, '{}', $2)`,
    [M, T],
  );
});
afterAll(() => pool?.end());

it('an institution has a part under any key of the same person: its result, its study, its order, a referral naming it', async () => {
  for (const patient of [R, M])
    for (const institution of ['H001', 'C002', 'W006', 'X003', 'Y004'])
      expect([institution, patient, await hasPartInCare(pool, institution, patient)]).toEqual([
        institution,
        patient,
        true,
      ]);
});

it('none for an institution nothing of the patient names, for another patient, for an unknown key', async () => {
  expect(await hasPartInCare(pool, 'Z005', R)).toBe(false);
  expect(await hasPartInCare(pool, 'Z005', M)).toBe(false);
  expect(await hasPartInCare(pool, 'Z005', O)).toBe(true);
  expect(await hasPartInCare(pool, 'H001', O)).toBe(false);
  expect(await hasPartInCare(pool, 'H001', NOBODY)).toBe(false);
  // questions at once on the one connection: each bound with its own values
  const answers = await Promise.all(
    ['H001', 'Z005', 'C002', 'Q999'].map((institution) => hasPartInCare(pool, institution, R)),
  );
  expect(answers).toEqual([true, false, true, false]);
});

it('the refusal names the institution and nothing about the patient', () => {
  expect(noPartInCare('X003')).toBe(
    "institution X003 has no part in this patient's care (no result, study, order or referral of theirs names it)",
  );
});
