import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { LAB_REPORT_HISTORY } from '@yilian/results';
import { READ_MODEL_POOL } from '@yilian/runtime';

const TABLES = {
  DiagnosticReport: { table: 'rm_lab_reports' },
  Observation: { table: 'rm_observations' },
} as const;
export type ResultResourceType = keyof typeof TABLES;

@Injectable()
export class ResultsReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async read(type: ResultResourceType, id: string): Promise<fhir4.Resource | undefined> {
    const { rows } = await this.pool.query<{ resource: fhir4.Resource }>(
      `SELECT resource FROM ${TABLES[type].table} WHERE id = $1`,
      [id],
    );
    return rows[0]?.resource;
  }

  /** Every recorded version of a report, newest first. */
  async reportHistory(id: string): Promise<fhir4.DiagnosticReport[]> {
    const { rows } = await this.pool.query<{ resource: fhir4.DiagnosticReport }>(
      `SELECT resource FROM ${LAB_REPORT_HISTORY} WHERE id = $1 ORDER BY version DESC`,
      [id],
    );
    return rows.map((r) => r.resource);
  }

  async patientKeyOf(type: ResultResourceType, id: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ patient_key: string }>(
      `SELECT patient_key FROM ${TABLES[type].table} WHERE id = $1`,
      [id],
    );
    return rows[0]?.patient_key;
  }
}
