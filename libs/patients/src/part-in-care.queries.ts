/**
 * Whether an institution has a part in a patient's care — the rule every reader of patient data
 * follows (platform-api's PatientAccess, the intake's decisions as FHIR Tasks): an institution
 * sees, and decides about, only the patients it has a part in. It has one when, under any key
 * of the same person (`rm_patient_links`, patient-links.queries.ts), it sent a result
 * (`rm_lab_reports`) or an imaging study (`rm_imaging_studies`) for them, placed an order for
 * them (`rm_orders`: an HIS orders tests only for a patient it treats), or a referral of theirs
 * (`rm_referral_fhir`) names it as requester or performer.
 */
import type { NamedStatement, SqlExecutor } from '@yilian/results';
import { SAME_PATIENT_KEYS_SQL } from './identity/patient-links.queries';

/** $1: the institution, $2: a patient key → `part`: whether the institution has a part in that
 * patient's care. The patient's keys and the part in one round trip. */
export const PART_IN_CARE_SQL = /* sql */ `
WITH keys AS (SELECT array_agg(key) AS k FROM (${SAME_PATIENT_KEYS_SQL.replaceAll('$1', () => '$2')}) same)
SELECT EXISTS (SELECT 1 FROM rm_lab_reports WHERE patient_key = ANY((SELECT k FROM keys)::text[]) AND performer = $1)
    OR EXISTS (SELECT 1 FROM rm_imaging_studies WHERE patient_key = ANY((SELECT k FROM keys)::text[]) AND performer = $1)
    OR EXISTS (SELECT 1 FROM rm_orders WHERE patient_key = ANY((SELECT k FROM keys)::text[]) AND placer = $1)
    OR EXISTS (SELECT 1 FROM rm_referral_fhir WHERE patient_key = ANY((SELECT k FROM keys)::text[])
                 AND (requester = $1 OR performer = $1)) AS part`;

/** Sent under a name: parsed and planned once per connection, not on every read. */
const PART_IN_CARE: NamedStatement = { name: 'pa-has-part', text: PART_IN_CARE_SQL };

/** Whether `institution` has a part in the care of the patient `patientKey` (any key of them). */
export async function hasPartInCare(
  sql: SqlExecutor,
  institution: string,
  patientKey: string,
): Promise<boolean> {
  // a fresh config each time, as eligibility.service.ts sends its statements
  const { rows } = await sql.query<{ part: boolean }>({ ...PART_IN_CARE }, [institution, patientKey]);
  return rows[0]?.part === true;
}

/** What a refusal says, and only that: never anything about the patient's results. */
export function noPartInCare(institution: string): string {
  return `institution ${institution} has no part in this patient's care (no result, study, order or referral of theirs names it)`;
}
