import type { Pool } from 'pg';

/** The lab-report read model and the per-stream positions, row by row, in a stable order: what
 * tests compare between two ways of projecting the same events. */
export async function labTables(pool: Pool): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, order] of [
    ['rm_lab_reports', 'id'],
    ['rm_lab_report_versions', 'id, version'],
    ['rm_observations', 'id'],
    ['rm_stream_positions', 'projection, stream'],
  ] as const) {
    out[table] = (await pool.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
  }
  return out;
}
