import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { READ_MODEL_POOL } from '@yilian/runtime';
export type ReferralResourceType = 'ServiceRequest' | 'Task';

const COLUMN: Readonly<Record<ReferralResourceType, string>> = {
  ServiceRequest: 'service_request',
  Task: 'task',
};

export interface Found {
  readonly resource: fhir4.Resource;
  readonly patientKey: string;
}

/** ServiceRequest and Task of referrals from rm_referral_fhir (current) and its versions table. */
@Injectable()
export class ReferralFhirReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async read(type: ReferralResourceType, id: string): Promise<Found | undefined> {
    const { rows } = await this.pool.query<{ resource: fhir4.Resource; patient_key: string }>(
      `SELECT ${COLUMN[type]} AS resource, patient_key FROM rm_referral_fhir WHERE referral_id = $1`,
      [id],
    );
    return rows[0] ? { resource: rows[0].resource, patientKey: rows[0].patient_key } : undefined;
  }

  /** Every version, newest first; or the one asked for. */
  async history(type: ReferralResourceType, id: string, version?: number): Promise<fhir4.Resource[]> {
    const { rows } = await this.pool.query<{ resource: fhir4.Resource }>(
      `SELECT resource FROM rm_referral_fhir_versions WHERE resource_type = $1 AND id = $2
         AND ($3::int IS NULL OR version = $3) ORDER BY version DESC`,
      [type, id, version ?? null],
    );
    return rows.map((r) => r.resource);
  }
}
