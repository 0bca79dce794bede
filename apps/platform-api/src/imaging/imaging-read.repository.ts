import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { samePatientKeys } from '@yilian/patients';
import { READ_MODEL_POOL } from '@yilian/runtime';

export interface ImagingStudySearch {
  readonly patientKey: string;
  /** DICOM modality codes (CT, MR …); any of them matches. */
  readonly modalities: readonly string[];
  readonly count: number;
  readonly offset: number;
}

/** The imaging studies read model (libs/results imaging projection). */
@Injectable()
export class ImagingReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  /** The patient's studies under every key of the same person, newest first. */
  async search(q: ImagingStudySearch): Promise<{ total: number; resources: fhir4.ImagingStudy[] }> {
    const params: unknown[] = [await samePatientKeys(this.pool, q.patientKey)];
    const where = ['patient_key = ANY($1::text[])'];
    if (q.modalities.length > 0) {
      params.push(q.modalities);
      where.push(`modalities && $${params.length}::text[]`);
    }
    const { rows } = await this.pool.query<{ resource: fhir4.ImagingStudy; total: string }>(
      `SELECT resource, count(*) OVER () AS total FROM rm_imaging_studies WHERE ${where.join(' AND ')}
       ORDER BY started DESC NULLS LAST, id LIMIT ${q.count} OFFSET ${q.offset}`,
      params,
    );
    let total = rows[0] ? Number(rows[0].total) : 0;
    if (rows.length === 0 && q.offset > 0) {
      const c = await this.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM rm_imaging_studies WHERE ${where.join(' AND ')}`,
        params,
      );
      total = Number(c.rows[0]?.n ?? 0);
    }
    return { total, resources: rows.map((r) => r.resource) };
  }

  async read(id: string): Promise<{ resource: fhir4.ImagingStudy; patientKey: string } | undefined> {
    const { rows } = await this.pool.query<{ resource: fhir4.ImagingStudy; patient_key: string }>(
      'SELECT resource, patient_key FROM rm_imaging_studies WHERE id = $1',
      [id],
    );
    return rows[0] && { resource: rows[0].resource, patientKey: rows[0].patient_key };
  }

  /** Every recorded version, newest first. */
  async history(id: string): Promise<fhir4.ImagingStudy[]> {
    const { rows } = await this.pool.query<{ resource: fhir4.ImagingStudy }>(
      'SELECT resource FROM rm_imaging_study_versions WHERE id = $1 ORDER BY version DESC',
      [id],
    );
    return rows.map((r) => r.resource);
  }
}
