import type { EventSource, fhir4, PerformerBasis } from '@yilian/contracts';

interface ImagingCommandBase {
  /** Institution where the study was done: the stream is `imaging-{performer}-{accession}`. */
  readonly performer: string;
  readonly accession: string;
  readonly patientKey: string;
  readonly source: EventSource;
  /** Deterministic id of the fact at its source (institution, message id / identifier, content). */
  readonly eventId: string;
  readonly correlationId: string;
  readonly now: string;
}

/** Record one version of a study (normalised: hub ids, subject, accession identifier). */
export interface RecordImagingStudy extends ImagingCommandBase {
  readonly type: 'RecordImagingStudy';
  readonly study: fhir4.ImagingStudy;
  /** The study holds only what the message said (HL7 v2): what it leaves out is kept from the
   * latest version. Otherwise (FHIR) it replaces the latest version whole. */
  readonly partial?: boolean;
}

/** Record one version of the report on a study. The reporter is the authenticated sender. */
export interface RecordImagingReport extends ImagingCommandBase {
  readonly type: 'RecordImagingReport';
  readonly report: fhir4.DiagnosticReport;
  readonly reporter: string;
  readonly performerBasis: PerformerBasis;
  /** The version revises a report the hub must already have (HL7 v2 MDM^T08 / T10 / T11). */
  readonly revises?: ReportRevision;
}

/** An edit or a replacement (a new version with its content), a status change (the latest
 * version, its new status), an addendum (the latest version, appended, with the addendum's
 * content after its own), or a cancellation (the latest version, void), of the report document
 * the sender names by one of its identifiers. */
export interface ReportRevision {
  readonly kind: 'edit' | 'replace' | 'cancel' | 'status' | 'addendum';
  readonly document: fhir4.Identifier;
}

export type ImagingCommand = RecordImagingStudy | RecordImagingReport;
