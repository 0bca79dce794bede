import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import type { EligibilityAnswer } from '@yilian/recognition';
import { READ_MODEL_POOL } from '@yilian/runtime';

/** $1: ids, $2: the moment → each resource's latest version recorded by then. */
const AS_OF_SQL = (table: string) => /* sql */ `
SELECT DISTINCT ON (id) id, resource FROM ${table}
WHERE id = ANY($1::text[]) AND recorded_at <= $2::timestamptz
ORDER BY id, version DESC`;

/** The DiagnosticReports and ImagingStudies an eligibility answer names, each as the hub served
 * it at the answer's moment (the version tables platform-api's `_history` reads). */
@Injectable()
export class RecognitionResourcesRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async asOf(answer: EligibilityAnswer): Promise<Map<string, fhir4.DiagnosticReport | fhir4.ImagingStudy>> {
    const ids = (type: string) =>
      answer.results.filter((r) => r.resourceType === type).map((r) => r.resourceId);
    const [reports, studies] = await Promise.all([
      this.read<fhir4.DiagnosticReport>('rm_lab_report_versions', ids('DiagnosticReport'), answer.asOf),
      this.read<fhir4.ImagingStudy>('rm_imaging_study_versions', ids('ImagingStudy'), answer.asOf),
    ]);
    return new Map<string, fhir4.DiagnosticReport | fhir4.ImagingStudy>([
      ...reports.map((r) => [`DiagnosticReport/${r.id}`, r] as const),
      ...studies.map((s) => [`ImagingStudy/${s.id}`, s] as const),
    ]);
  }

  private async read<T extends { id?: string }>(table: string, ids: string[], asOf: string): Promise<T[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ resource: T }>(AS_OF_SQL(table), [ids, asOf]);
    return rows.map((r) => r.resource);
  }
}
