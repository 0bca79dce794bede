import type { fhir4 } from '../fhir';
import { guard, institutionCode, object, oneOf, resource, text, type DataCheck } from '../referrals/schema';

export const IMAGING_REPORT_RECORDED = 'ImagingReportRecorded';

/** How the hub knows which institution performed the study a report is about. */
export const PERFORMER_BASES = ['sender', 'study', 'explicit'] as const;
export type PerformerBasis = (typeof PERFORMER_BASES)[number];

/**
 * One version of an imaging report (检查报告): a FHIR R4 DiagnosticReport, category RAD, with
 * `imagingStudy` naming the hub's ImagingStudy, `conclusion` and `conclusionCode`. Performer
 * and reporter are kept apart: `performer` is the institution where the study was done,
 * `resultsInterpreter` the reporting institution (often the alliance's imaging consultation
 * centre, 医学影像会诊中心) and its radiologist. A correction or a cancellation
 * (cancelled / entered-in-error) is another event in the study's stream.
 */
export interface ImagingReportRecordedV1 {
  readonly report: fhir4.DiagnosticReport;
  /** Institution code where the study was done; the stream is the study's. */
  readonly performer: string;
  /** Institution code of the reporting institution: always the authenticated sender. */
  readonly reporter: string;
  /** The study's accession number at the performer. */
  readonly accession: string;
  /** 'sender': the reporter did the study; 'study': the study was recorded before by its
   * performer; 'explicit': the sender named the performer (an institution the hub knows). */
  readonly performerBasis: PerformerBasis;
}

export const checkImagingReportRecordedV1: DataCheck = object<ImagingReportRecordedV1>({
  report: resource('DiagnosticReport'),
  performer: institutionCode,
  reporter: institutionCode,
  accession: text({ max: 200 }),
  performerBasis: oneOf(PERFORMER_BASES),
});

export const isImagingReportRecordedV1 = guard<ImagingReportRecordedV1>(checkImagingReportRecordedV1);
