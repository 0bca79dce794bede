/**
 * Reading `rm_patient_links`: the patient a key belongs to (following links and merges up to
 * the key that is nobody's member), and every key of that patient (following them down). Both
 * walk the primary key and the `patient_key` index, one row per step. A chain is cut after
 * MAX_LINK_DEPTH steps, so a cycle (which the decider refuses when it is direct) cannot loop.
 */
import type { SqlExecutor } from '@yilian/results';

export const MAX_LINK_DEPTH = 8;

const UP = /* sql */ `
up(key, depth) AS (
  SELECT $1::text, 0
  UNION ALL
  SELECT l.patient_key, up.depth + 1 FROM up JOIN rm_patient_links l ON l.member_key = up.key
  WHERE up.depth < ${MAX_LINK_DEPTH}
)`;

/** $1: a patient key → `key`: the patient it belongs to (itself when it is nobody's member). */
export const CANONICAL_PATIENT_KEY_SQL = /* sql */ `
WITH RECURSIVE ${UP}
SELECT key FROM up ORDER BY depth DESC LIMIT 1`;

/** $1: a patient key → `key`, `depth`: the patient it belongs to (depth 0) and every key
 * linked or merged into it, directly or through another. */
export const SAME_PATIENT_KEYS_SQL = /* sql */ `
WITH RECURSIVE ${UP},
root AS (SELECT key FROM up ORDER BY depth DESC LIMIT 1),
down(key, depth) AS (
  SELECT key, 0 FROM root
  UNION ALL
  SELECT l.member_key, down.depth + 1 FROM down JOIN rm_patient_links l ON l.patient_key = down.key
  WHERE down.depth < ${MAX_LINK_DEPTH}
)
SELECT key, min(depth) AS depth FROM down GROUP BY key ORDER BY min(depth), key`;

/** The patient `key` belongs to now. */
export async function canonicalPatientKey(sql: SqlExecutor, key: string): Promise<string> {
  const { rows } = await sql.query<{ key: string }>(CANONICAL_PATIENT_KEY_SQL, [key]);
  return rows[0]?.key ?? key;
}

/** The patient `key` belongs to, first, then every other key of the same patient. */
export async function samePatientKeys(sql: SqlExecutor, key: string): Promise<string[]> {
  const { rows } = await sql.query<{ key: string }>(SAME_PATIENT_KEYS_SQL, [key]);
  return rows.length > 0 ? rows.map((r) => r.key) : [key];
}
