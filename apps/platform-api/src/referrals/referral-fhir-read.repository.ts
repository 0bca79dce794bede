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

/** An order's ServiceRequest (rm_orders, @yilian/results): ids never a referral's. */
const ORDER_READ = 'UNION ALL SELECT resource, patient_key FROM rm_orders WHERE id = $1';
const ORDER_HISTORY = `UNION ALL SELECT resource, version FROM rm_order_versions WHERE id = $2
         AND ($3::int IS NULL OR version = $3)`;

/** ServiceRequest and Task of referrals from rm_referral_fhir (current) and its versions table;
 * ServiceRequests of orders (HL7 v2 ORM / OML / OMG / OMI) from rm_orders and its versions. */
@Injectable()
export class ReferralFhirReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async read(type: ReferralResourceType, id: string): Promise<Found | undefined> {
    const { rows } = await this.pool.query<{ resource: fhir4.Resource; patient_key: string }>(
      `SELECT ${COLUMN[type]} AS resource, patient_key FROM rm_referral_fhir WHERE referral_id = $1
       ${type === 'ServiceRequest' ? ORDER_READ : ''}`,
      [id],
    );
    return rows[0] ? { resource: rows[0].resource, patientKey: rows[0].patient_key } : undefined;
  }

  /** Every version, newest first; or the one asked for. */
  async history(type: ReferralResourceType, id: string, version?: number): Promise<fhir4.Resource[]> {
    const { rows } = await this.pool.query<{ resource: fhir4.Resource }>(
      `SELECT resource, version FROM rm_referral_fhir_versions WHERE resource_type = $1 AND id = $2
         AND ($3::int IS NULL OR version = $3)
       ${type === 'ServiceRequest' ? ORDER_HISTORY : ''} ORDER BY version DESC`,
      [type, id, version ?? null],
    );
    return rows.map((r) => r.resource);
  }
}
