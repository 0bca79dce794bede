import {
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type ImagingReportRecordedV1,
  type ImagingStudyRecordedV1,
  type NewEvent,
} from '@yilian/contracts';
import type { ImagingCommand, RecordImagingReport, RecordImagingStudy } from './imaging.commands';
import {
  imagingContentHash,
  type ImagingPartState,
  type ImagingState,
  TERMINAL_STATUSES,
} from './imaging.state';
import { mergeStudy } from './imaging-study.merge';
import { bodySitesOf, modalitiesOf, studyInstanceUidOf } from './imaging-study.summary';

export type ImagingRejectionCode = 'patient-mismatch' | 'terminal-state' | 'unknown-study' | 'not-the-owner';

export class ImagingRejection extends Error {
  constructor(
    readonly code: ImagingRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImagingRejection';
  }
}

function checkCommon(
  command: ImagingCommand,
  state: ImagingState,
  part: ImagingPartState | undefined,
  what: string,
) {
  if (part && TERMINAL_STATUSES.has(part.status)) {
    throw new ImagingRejection(
      'terminal-state',
      `the ${what} of ${command.accession} is ${part.status}; nothing more can be recorded on it`,
    );
  }
  const known = state.study?.patientKey ?? state.report?.patientKey;
  if (known && known !== command.patientKey) {
    throw new ImagingRejection(
      'patient-mismatch',
      `study ${command.accession} of ${command.performer} is recorded for another patient`,
    );
  }
}

/** Each version of a study is a new event; the same content sent again yields nothing. A
 * partial update (HL7 v2) is laid onto the latest version first. Only the performer, or the
 * institution that first recorded the study, may change it. */
export function recordImagingStudy(
  command: RecordImagingStudy,
  state: ImagingState,
): NewEvent<string, ImagingStudyRecordedV1>[] {
  const study =
    command.partial && state.latestStudy ? mergeStudy(state.latestStudy, command.study) : command.study;
  if (state.study?.contentHash === imagingContentHash(study)) return [];
  checkCommon(command, state, state.study, 'study');
  const sender = command.source.institution;
  if (state.study && sender !== command.performer && sender !== state.study.owner) {
    throw new ImagingRejection(
      'not-the-owner',
      `study ${command.accession} was recorded by ${state.study.owner}; only it or ${command.performer} may change it`,
    );
  }
  const uid = studyInstanceUidOf(study);
  const bodySite = bodySitesOf(study);
  const data: ImagingStudyRecordedV1 = {
    study,
    performer: command.performer,
    accession: command.accession,
    ...(uid ? { studyInstanceUid: uid } : {}),
    modalities: modalitiesOf(study),
    ...(bodySite.length > 0 ? { bodySite } : {}),
  };
  return [event(command, IMAGING_STUDY_RECORDED, data, study.started)];
}

/** Each version of a report is a new event. A report on another institution's study needs
 * that study recorded first, unless the sender named the performer; only the institution that
 * issued the report may correct or cancel it. */
export function recordImagingReport(
  command: RecordImagingReport,
  state: ImagingState,
): NewEvent<string, ImagingReportRecordedV1>[] {
  if (state.report?.contentHash === imagingContentHash(command.report)) return [];
  if (command.performerBasis === 'study' && !state.study) {
    throw new ImagingRejection(
      'unknown-study',
      `no study ${command.accession} of ${command.performer} is recorded: send the study first or name its performer`,
    );
  }
  checkCommon(command, state, state.report, 'report');
  if (state.report && state.report.owner !== command.reporter) {
    throw new ImagingRejection(
      'not-the-owner',
      `the report on ${command.accession} was issued by ${state.report.owner}; only it may correct or cancel it`,
    );
  }
  const data: ImagingReportRecordedV1 = {
    report: command.report,
    performer: command.performer,
    reporter: command.reporter,
    accession: command.accession,
    performerBasis: command.performerBasis,
  };
  const occurred = command.report.issued ?? command.report.effectiveDateTime;
  return [event(command, IMAGING_REPORT_RECORDED, data, occurred)];
}

function event<T extends string, D>(
  command: ImagingCommand,
  type: T,
  data: D,
  occurredAt: string | undefined,
): NewEvent<T, D> {
  return {
    id: command.eventId,
    type,
    schemaVersion: 1,
    data,
    metadata: {
      source: command.source,
      patientKey: command.patientKey,
      correlationId: command.correlationId,
      occurredAt: occurredAt ?? command.now,
    },
  };
}

export function decideImaging(command: ImagingCommand, state: ImagingState): NewEvent[] {
  switch (command.type) {
    case 'RecordImagingStudy':
      return recordImagingStudy(command, state);
    case 'RecordImagingReport':
      return recordImagingReport(command, state);
    default: {
      const never: never = command;
      throw new Error(`unknown command ${String((never as { type?: unknown }).type)}`);
    }
  }
}
