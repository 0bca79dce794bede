import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { fhir4 } from '@yilian/contracts';
import type { EligibilityAnswer } from '@yilian/recognition';
import { LAB_REPORT_HISTORY } from '@yilian/results';
import { READ_MODEL_POOL } from '@yilian/runtime';

/** $1: ids, $2: the moment → each resource's latest version recorded by then (a lab report's
 * with the observations of that version). */
const AS_OF_SQL = (table: string, observations: boolean) => /* sql */ `
SELECT DISTINCT ON (id) id, resource${observations ? ', observations' : ''} FROM ${table}
WHERE id = ANY($1::text[]) AND recorded_at <= $2::timestamptz
ORDER BY id, version DESC`;

export interface ResourcesAsOf {
  /** `Type/id` → the resource. */
  readonly resources: Map<string, fhir4.DiagnosticReport | fhir4.ImagingStudy>;
  /** The lab reports' observations (the measured values), in report order. */
  readonly observations: fhir4.Observation[];
}

/** The DiagnosticReports and ImagingStudies an eligibility answer names, each as the hub served
 * it at the answer's moment (the version tables platform-api's `_history` reads). */
@Injectable()
export class RecognitionResourcesRepository {
  constructor(@Inject(READ_MODEL_POOL) private readonly pool: Pool) {}

  async asOf(answer: EligibilityAnswer): Promise<ResourcesAsOf> {
    const ids = (type: string) =>
      answer.results.filter((r) => r.resourceType === type).map((r) => r.resourceId);
    const [reports, studies] = await Promise.all([
      this.read<fhir4.DiagnosticReport>(LAB_REPORT_HISTORY, ids('DiagnosticReport'), answer.asOf, true),
      this.read<fhir4.ImagingStudy>('rm_imaging_study_versions', ids('ImagingStudy'), answer.asOf, false),
    ]);
    const resources = new Map<string, fhir4.DiagnosticReport | fhir4.ImagingStudy>([
      ...reports.map((r) => [`DiagnosticReport/${r.resource.id}`, r.resource] as const),
      ...studies.map((s) => [`ImagingStudy/${s.resource.id}`, s.resource] as const),
    ]);
    const byReport = new Map(reports.map((r) => [r.resource.id, r.observations ?? []]));
    const observations = ids('DiagnosticReport').flatMap((id) => byReport.get(id) ?? []);
    return { resources, observations };
  }

  private async read<T extends { id?: string }>(
    table: string,
    ids: string[],
    asOf: string,
    observations: boolean,
  ): Promise<{ resource: T; observations?: fhir4.Observation[] }[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<{ resource: T; observations?: fhir4.Observation[] }>(
      AS_OF_SQL(table, observations),
      [ids, asOf],
    );
    return rows;
  }
}
