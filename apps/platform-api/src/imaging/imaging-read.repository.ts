import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import { READ_MODEL_POOL } from '@yilian/runtime';

/** The imaging studies read model (libs/results imaging projection). */
@Injectable()
export class ImagingReadRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

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
