import {
  LAB_REPORT_RECORDED,
  LAB_REPORT_RECORDED_V2,
  type LabReportRecordedV1,
  type LabReportRecordedV2,
  type NewEvent,
  upcastLabReportRecordedV1,
} from '@yilian/contracts';
import type { LabReportCommand, RecordLabReport } from './lab-report.commands';
import { clinicalContentHash, type LabReportState } from './lab-report.state';

export class LabReportRejection extends Error {
  constructor(
    readonly code: 'patient-mismatch' | 'terminal-state',
    message: string,
    /** The report's accession, when the rule broken is one report's (a message may carry several). */
    readonly accession?: string,
  ) {
    super(message);
    this.name = 'LabReportRejection';
  }
}

/** Each version of a report is a new event; the same clinical content sent again (under a new
 * message id) is recognised and yields nothing new. */
export function recordLabReport(
  command: RecordLabReport,
  state: LabReportState,
): NewEvent<string, LabReportRecordedV2>[] {
  const data: LabReportRecordedV1 = {
    report: command.report,
    observations: command.observations,
    ...(command.specimens && command.specimens.length > 0 ? { specimens: command.specimens } : {}),
    performer: command.performer,
    accession: command.accession,
  };
  if (state.versions > 0 && state.contentHash === clinicalContentHash(data)) return [];
  if (state.patientKey && state.patientKey !== command.patientKey) {
    throw new LabReportRejection(
      'patient-mismatch',
      `report ${command.accession} is recorded for another patient; correct the patient with a patient merge or cancel the report first`,
      command.accession,
    );
  }
  return [
    {
      id: command.eventId,
      type: LAB_REPORT_RECORDED,
      // recorded at v2: each shared element of the observations once (contracts/src/results)
      schemaVersion: LAB_REPORT_RECORDED_V2,
      data: upcastLabReportRecordedV1(data),
      metadata: {
        source: command.source,
        patientKey: command.patientKey,
        correlationId: command.correlationId,
        occurredAt: command.report.issued ?? command.report.effectiveDateTime ?? command.now,
      },
    },
  ];
}

export function decideLabReport(command: LabReportCommand, state: LabReportState): NewEvent[] {
  switch (command.type) {
    case 'RecordLabReport':
      return recordLabReport(command, state);
    default: {
      const never: never = command.type;
      throw new Error(`unknown command ${String(never)}`);
    }
  }
}
