import { createTestDatabase } from '@yilian/testing';
import { Pool } from 'pg';
import { LAB_REPORT_HISTORY, LAB_REPORT_READ_MODEL_DDL } from './lab-report.projection';

/** The lab-report read model as it was before 2026-12-08: every version, the current one too,
 * in rm_lab_report_versions; no event id on the current row, no observation order. */
const DDL_BEFORE = /* sql */ `
CREATE TABLE rm_lab_reports (
  id text PRIMARY KEY, stream text NOT NULL UNIQUE, patient_key text NOT NULL, performer text NOT NULL,
  status text NOT NULL, code_tokens text[] NOT NULL, issued timestamptz, version int NOT NULL,
  resource jsonb NOT NULL, last_updated timestamptz NOT NULL);
CREATE TABLE rm_lab_report_versions (
  id text NOT NULL, version int NOT NULL, event_id uuid NOT NULL, resource jsonb NOT NULL,
  observations jsonb NOT NULL, recorded_at timestamptz NOT NULL, PRIMARY KEY (id, version));
CREATE TABLE rm_observations (
  id text PRIMARY KEY, report_id text NOT NULL, patient_key text NOT NULL, status text NOT NULL,
  code_tokens text[] NOT NULL, effective timestamptz, resource jsonb NOT NULL, last_updated timestamptz NOT NULL);
`;

const E1 = '00000000-0000-4000-8000-000000000001';
const E2 = '00000000-0000-4000-8000-000000000002';
const E3 = '00000000-0000-4000-8000-000000000003';
const obs = (id: string, v: string) => ({ resourceType: 'Observation', id, status: 'final', valueString: v });
const report = (id: string, version: number) => ({
  resourceType: 'DiagnosticReport',
  id,
  meta: { versionId: String(version) },
});

describe('lab-report read model: upgrade of a read model kept before 2026-12-08', () => {
  let pool: Pool;
  beforeAll(async () => {
    pool = new Pool({ connectionString: await createTestDatabase('lab_report_upgrade'), max: 1 });
  });
  afterAll(() => pool.end());

  it('moves the current versions out of rm_lab_report_versions and reads the same history', async () => {
    await pool.query(DDL_BEFORE);
    const at = '2026-12-01T00:00:00.000Z';
    // A: v1 (two observations) corrected by v2 (one); B: v1 only, observations listed b2 before b1
    const versions: [string, number, string, object[]][] = [
      ['A', 1, E1, [obs('a1', 'x'), obs('a2', 'y')]],
      ['A', 2, E2, [obs('a1', 'x2')]],
      ['B', 1, E3, [obs('b2', 'p'), obs('b1', 'q')]],
    ];
    for (const [id, v, e, o] of versions)
      await pool.query(`INSERT INTO rm_lab_report_versions VALUES ($1, $2, $3, $4, $5, $6)`, [
        id,
        v,
        e,
        report(id, v),
        JSON.stringify(o),
        at,
      ]);
    for (const [id, v, , o] of versions.filter(([id, v]) => (id === 'A' ? v === 2 : true))) {
      await pool.query(
        `INSERT INTO rm_lab_reports VALUES ($1, $1, 'pk', 'H001', 'final', '{}', NULL, $2, $3, $4)`,
        [id, v, report(id, v), at],
      );
      for (const ob of o as { id: string }[])
        await pool.query(`INSERT INTO rm_observations VALUES ($1, $2, 'pk', 'final', '{}', NULL, $3, $4)`, [
          ob.id,
          id,
          ob,
          at,
        ]);
    }
    const before = await pool.query(
      'SELECT id, version, event_id, resource, observations FROM rm_lab_report_versions ORDER BY id, version',
    );

    await pool.query(LAB_REPORT_READ_MODEL_DDL);
    await pool.query(LAB_REPORT_READ_MODEL_DDL); // idempotent: the second run changes nothing

    const kept = await pool.query('SELECT id, version FROM rm_lab_report_versions ORDER BY id, version');
    expect(kept.rows).toEqual([{ id: 'A', version: 1 }]);
    const current = await pool.query('SELECT id, event_id FROM rm_lab_reports ORDER BY id');
    expect(current.rows).toEqual([
      { id: 'A', event_id: E2 },
      { id: 'B', event_id: E3 },
    ]);
    const ord = await pool.query('SELECT id, ord FROM rm_observations ORDER BY report_id, ord');
    expect(ord.rows).toEqual([
      { id: 'a1', ord: 0 },
      { id: 'b2', ord: 0 },
      { id: 'b1', ord: 1 },
    ]);
    const history = await pool.query(
      `SELECT id, version, event_id, resource, observations FROM ${LAB_REPORT_HISTORY} ORDER BY id, version`,
    );
    expect(history.rows).toEqual(before.rows);
  });
});
