import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { samePatientKeys } from '@yilian/patients';
import { READ_MODEL_POOL } from '@yilian/runtime';
import type { SearchQuery } from './search-params';

const TABLES = {
  DiagnosticReport: { table: 'rm_lab_reports', order: 'issued DESC NULLS LAST, id' },
  Observation: { table: 'rm_observations', order: 'effective DESC NULLS LAST, id' },
} as const;
export type ResultResourceType = keyof typeof TABLES;

@Injectable()
export class ResultsReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async search(
    type: ResultResourceType,
    q: SearchQuery,
  ): Promise<{ total: number; resources: fhir4.Resource[] }> {
    const { table, order } = TABLES[type];
    // The patient's results under every key of the same person (links and merges).
    const patientKeys = q.patientKey ? await samePatientKeys(this.pool, q.patientKey) : [];
    const where = ['patient_key = ANY($1::text[])'];
    const params: unknown[] = [patientKeys];
    if (q.codes.length > 0) {
      params.push(q.codes);
      where.push(`code_tokens && $${params.length}::text[]`);
    }
    const { rows } = await this.pool.query<{ resource: fhir4.Resource; total: string }>(
      `SELECT resource, count(*) OVER () AS total FROM ${table} WHERE ${where.join(' AND ')}
       ORDER BY ${order} LIMIT ${q.count} OFFSET ${q.offset}`,
      params,
    );
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (rows.length === 0 && q.offset > 0) {
      const c = await this.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${table} WHERE ${where.join(' AND ')}`,
        params,
      );
      total = Number(c.rows[0]?.n ?? 0);
    }
    return { total, resources: rows.map((r) => r.resource) };
  }

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
      'SELECT resource FROM rm_lab_report_versions WHERE id = $1 ORDER BY version DESC',
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
