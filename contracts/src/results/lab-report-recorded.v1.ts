import type { fhir4 } from '../fhir';

export const LAB_REPORT_RECORDED = 'LabReportRecorded';

/** A lab report (检验报告) as the performing institution issued it: the DiagnosticReport and
 * its Observations, FHIR R4, codes kept as sent. A later version of the same report (a
 * correction, preliminary → final) is another LabReportRecorded in the same stream. */
export interface LabReportRecordedV1 {
  readonly report: fhir4.DiagnosticReport;
  readonly observations: readonly fhir4.Observation[];
  readonly specimens?: readonly fhir4.Specimen[];
  /** Institution code of the performer (who ran the test). */
  readonly performer: string;
  /** Accession / filler order number, unique within the performer. */
  readonly accession: string;
}

/** `labreport-{institution}-{accession}` */
export function labReportStream(institution: string, accession: string): string {
  return `labreport-${institution}-${accession}`;
}
