import {
  canonicalJson,
  type EventMetadata,
  type fhir4,
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type ImagingReportRecordedV1,
  type ImagingStudyRecordedV1,
  sha256Hex,
} from '@yilian/contracts';

/** What the decider knows of the study or of the report in a stream. */
export interface ImagingPartState {
  readonly versions: number;
  readonly status: string;
  readonly patientKey?: string;
  /** Hash of the latest version's clinical content, to recognise a resend under a new id. */
  readonly contentHash: string;
  /** Study: the institution that first recorded it. Report: the reporting institution. */
  readonly owner: string;
}

export interface ImagingState {
  readonly study?: ImagingPartState;
  readonly report?: ImagingPartState;
  /** The study's latest version, onto which a partial update (HL7 v2) is laid. */
  readonly latestStudy?: fhir4.ImagingStudy;
  /** The report's latest version: the document a revision names, what a cancellation voids. */
  readonly latestReport?: fhir4.DiagnosticReport;
}

export const initialImagingState: ImagingState = {};

/** Statuses after which nothing more is recorded (FHIR: the study or report is void). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);

/** The clinical content of a resource version: what a resend under a new message id repeats
 * (the hub's id and the patient reference are derived, not sent). */
export function imagingContentHash(resource: { id?: string; subject?: unknown }): string {
  return sha256Hex(canonicalJson({ ...resource, id: undefined, subject: undefined }));
}

/** An event as the decider sees it: recorded, or decided and not yet appended. */
export interface ImagingFact {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Pick<EventMetadata, 'patientKey' | 'source'>;
}

function next(
  part: ImagingPartState | undefined,
  status: string,
  resource: { id?: string; subject?: unknown },
  fact: ImagingFact,
  owner: string,
): ImagingPartState {
  return {
    versions: (part?.versions ?? 0) + 1,
    status,
    ...(fact.metadata.patientKey ? { patientKey: fact.metadata.patientKey } : {}),
    contentHash: imagingContentHash(resource),
    owner: part?.owner ?? owner,
  };
}

export function evolveImaging(state: ImagingState, fact: ImagingFact): ImagingState {
  if (fact.type === IMAGING_STUDY_RECORDED) {
    const { study } = fact.data as ImagingStudyRecordedV1;
    return {
      ...state,
      study: next(state.study, study.status, study, fact, fact.metadata.source.institution),
      latestStudy: study,
    };
  }
  if (fact.type === IMAGING_REPORT_RECORDED) {
    const { report, reporter } = fact.data as ImagingReportRecordedV1;
    return {
      ...state,
      report: next(state.report, report.status, report, fact, reporter),
      latestReport: report,
    };
  }
  return state;
}
