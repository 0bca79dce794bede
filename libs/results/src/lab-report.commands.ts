import type { EventSource, fhir4 } from '@yilian/contracts';

/** Record one version of a lab report as the performing institution issued it. */
export interface RecordLabReport {
  readonly type: 'RecordLabReport';
  readonly performer: string;
  readonly accession: string;
  readonly patientKey: string;
  readonly report: fhir4.DiagnosticReport;
  readonly observations: readonly fhir4.Observation[];
  readonly specimens?: readonly fhir4.Specimen[];
  readonly source: EventSource;
  /** Deterministic id of the fact at its source (institution, message id / identifier, content). */
  readonly eventId: string;
  readonly correlationId: string;
  readonly now: string;
}

export type LabReportCommand = RecordLabReport;
