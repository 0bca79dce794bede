import {
  canonicalJson,
  type LabReportRecordedV1,
  LAB_REPORT_RECORDED,
  labReportOf,
  type RecordedEvent,
  sha256Hex,
} from '@yilian/contracts';

export interface LabReportState {
  readonly versions: number;
  readonly status?: string;
  readonly patientKey?: string;
  /** Hash of the clinical content of the latest version, to recognise a resend under a new id. */
  readonly contentHash?: string;
}

export const initialLabReportState: LabReportState = { versions: 0 };

/** The clinical content of a report version: what a resend under a new message id repeats. */
export function clinicalContentHash(
  data: Pick<LabReportRecordedV1, 'report' | 'observations' | 'specimens'>,
): string {
  const strip = <T extends { id?: string; subject?: unknown }>(r: T) => ({
    ...r,
    id: undefined,
    subject: undefined,
  });
  return sha256Hex(
    canonicalJson({
      report: { ...strip(data.report), result: undefined },
      observations: data.observations.map(strip),
      specimens: (data.specimens ?? []).map(strip),
    }),
  );
}

export function evolveLabReport(state: LabReportState, event: RecordedEvent): LabReportState {
  if (event.type !== LAB_REPORT_RECORDED) return state;
  const data = labReportOf(event);
  return {
    versions: state.versions + 1,
    status: data.report.status,
    patientKey: event.metadata.patientKey,
    contentHash: clinicalContentHash(data),
  };
}
