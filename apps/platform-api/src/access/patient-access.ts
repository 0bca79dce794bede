import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { SAME_PATIENT_KEYS_SQL } from '@yilian/patients';
import { FhirHttpError, READ_MODEL_POOL } from '@yilian/runtime';
import type { ReadClient } from '../platform-auth';

/** An institution has a part in a patient when, under any key of the same person, it sent a
 * result or an imaging study for them, or a referral of theirs names it as requester or
 * performer. Then it sees all the patient's data in the hub (so a result from elsewhere that it
 * may recognise reaches it). docs/access.md. */
const HAS_PART_SQL = /* sql */ `
WITH keys AS (SELECT array_agg(key) AS k FROM (${SAME_PATIENT_KEYS_SQL.replaceAll('$1', () => '$2')}) same)
SELECT EXISTS (SELECT 1 FROM rm_lab_reports WHERE patient_key = ANY((SELECT k FROM keys)::text[]) AND performer = $1)
    OR EXISTS (SELECT 1 FROM rm_imaging_studies WHERE patient_key = ANY((SELECT k FROM keys)::text[]) AND performer = $1)
    OR EXISTS (SELECT 1 FROM rm_referral_fhir WHERE patient_key = ANY((SELECT k FROM keys)::text[])
                 AND (requester = $1 OR performer = $1)) AS part`;

/** Who may read which patient's data: the platform and auditors every patient, an institution
 * the patients it has a part in. */
@Injectable()
export class PatientAccess {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async mayRead(client: ReadClient, patientKey: string): Promise<boolean> {
    if (client.role !== 'institution') return true;
    // the patient's keys and the part in one round trip
    // a named statement: parsed and planned once per connection, not on every read
    const { rows } = await this.pool.query<{ part: boolean }>({
      name: 'pa-has-part',
      text: HAS_PART_SQL,
      values: [client.institution, patientKey],
    });
    return rows[0]?.part === true;
  }

  /** 403 with an OperationOutcome unless the client may read the patient's data. */
  async require(client: ReadClient, patientKey: string | undefined): Promise<void> {
    if (client.role !== 'institution') return;
    if (patientKey && (await this.mayRead(client, patientKey))) return;
    throw FhirHttpError.of(
      403,
      'forbidden',
      patientKey
        ? `institution ${client.institution} has no part in this patient's care (no result, study or referral of theirs names it)`
        : `institution ${client.institution} must name a patient it has a part in`,
      'patient',
    );
  }
}
