import {
  type fhir4,
  IMAGING_REPORT_RECORDED,
  IMAGING_STUDY_RECORDED,
  type ImagingReportRecordedV1,
  type ImagingStudyRecordedV1,
  type NewEvent,
} from '@yilian/contracts';
import type {
  ImagingCommand,
  RecordImagingReport,
  RecordImagingStudy,
  ReportRevision,
} from './imaging.commands';
import {
  imagingContentHash,
  type ImagingPartState,
  type ImagingState,
  TERMINAL_STATUSES,
} from './imaging.state';
import { mergeStudy } from './imaging-study.merge';
import { bodySitesOf, modalitiesOf, studyInstanceUidOf } from './imaging-study.summary';

export type ImagingRejectionCode =
  'patient-mismatch' | 'terminal-state' | 'unknown-study' | 'unknown-report' | 'not-the-owner';

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

const RELEASED: ReadonlySet<string> = new Set(['final', 'corrected', 'amended', 'appended']);

function notTheOwner(command: RecordImagingReport, owner: string) {
  return new ImagingRejection(
    'not-the-owner',
    `the report on ${command.accession} was issued by ${owner}; only it may correct or cancel it`,
  );
}

/** The version a revision records. It needs the report, and the document it names must be
 * the report's latest version (when that has numbers in the same system). An edit or
 * replacement made final after a released version is `corrected` (FHIR: modified after being
 * final); a cancellation is the latest version, void, as of its time. */
function revisedReport(
  command: RecordImagingReport,
  { kind, document }: ReportRevision,
  state: ImagingState,
): fhir4.DiagnosticReport {
  const latest = state.latestReport;
  if (!state.report || !latest) {
    throw new ImagingRejection(
      'unknown-report',
      `no report document ${document.value ?? ''} on ${command.accession} of ${command.performer} is recorded: send the report first`,
    );
  }
  if (state.report.owner !== command.reporter) throw notTheOwner(command, state.report.owner);
  const numbers = (latest.identifier ?? []).filter((i) => i.system === document.system);
  if (numbers.length > 0 && !numbers.some((i) => i.value === document.value)) {
    const current = numbers.map((i) => i.value).join(', ');
    throw new ImagingRejection(
      'unknown-report',
      `document ${document.value ?? ''} is not the report on ${command.accession}: its document is ${current}`,
    );
  }
  const sent = command.report;
  const issued = sent.issued ? { issued: sent.issued } : {};
  if (kind === 'cancel') return { ...latest, status: sent.status, ...issued };
  if (kind === 'status') return { ...latest, status: sent.status, ...issued };
  if (kind === 'addendum') {
    const conclusion = [latest.conclusion, sent.conclusion].filter(Boolean).join('\n');
    const forms = [...(latest.presentedForm ?? []), ...(sent.presentedForm ?? [])];
    return {
      ...latest,
      status: 'appended',
      ...issued,
      ...(conclusion ? { conclusion } : {}),
      ...(forms.length > 0 ? { presentedForm: forms } : {}),
    };
  }
  return sent.status === 'final' && RELEASED.has(state.report.status)
    ? { ...sent, status: 'corrected' }
    : sent;
}

/** Each version of a report is a new event. A report on another institution's study needs
 * that study recorded first, unless the sender named the performer; only the institution that
 * issued the report may correct or cancel it. A revision (edit, replacement, cancellation)
 * needs the report it names (`revisedReport`). */
export function recordImagingReport(
  command: RecordImagingReport,
  state: ImagingState,
): NewEvent<string, ImagingReportRecordedV1>[] {
  const report = command.revises ? revisedReport(command, command.revises, state) : command.report;
  if (state.report?.contentHash === imagingContentHash(report)) return [];
  if (command.performerBasis === 'study' && !state.study) {
    throw new ImagingRejection(
      'unknown-study',
      `no study ${command.accession} of ${command.performer} is recorded: send the study first or name its performer`,
    );
  }
  checkCommon(command, state, state.report, 'report');
  if (state.report && state.report.owner !== command.reporter) throw notTheOwner(command, state.report.owner);
  const data: ImagingReportRecordedV1 = {
    report,
    performer: command.performer,
    reporter: command.reporter,
    accession: command.accession,
    performerBasis: command.performerBasis,
  };
  const occurred = report.issued ?? report.effectiveDateTime;
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
