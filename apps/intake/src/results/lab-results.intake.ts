import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deterministicEventId, type fhir4 } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import { handleRecordLabReport, normalizeLabReport, type RecordOutcome } from '@yilian/results';
import { PATIENT_KEYER } from '@yilian/runtime';
import type { PatientKeyer } from '@yilian/patients';

/** Who the report is about, as the sender identified them. Used only to derive the patient
 * key; never stored or logged in clear by the intake. */
export interface SubmittedPatient {
  readonly residentId?: string;
  readonly mrn?: string;
}

export interface LabReportSubmission {
  readonly institution: string;
  readonly accession: string;
  readonly patient: SubmittedPatient;
  readonly report: fhir4.DiagnosticReport;
  readonly observations: readonly fhir4.Observation[];
  readonly specimens?: readonly fhir4.Specimen[];
  readonly protocol: 'hl7v2' | 'fhir';
  /** MSH-10 (plus OBR index) or the FHIR business identifier: what makes a resend a resend. */
  readonly messageId: string;
  readonly correlationId?: string;
}

export class MissingPatientIdentifierError extends Error {}

/** One path for every lab report, whatever protocol it came in: key the patient, normalise,
 * decide, append. Resolves once the event is durable (or known to be recorded already). */
@Injectable()
export class LabResultsIntake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
  ) {}

  patientKey(institution: string, patient: SubmittedPatient): string {
    if (patient.residentId) return this.keyer.forResidentId(patient.residentId);
    if (patient.mrn) return this.keyer.forMrn(institution, patient.mrn);
    throw new MissingPatientIdentifierError('the patient has neither a resident ID number nor an MRN');
  }

  async record(s: LabReportSubmission, now = new Date().toISOString()): Promise<RecordOutcome & { id: string }> {
    const patientKey = this.patientKey(s.institution, s.patient);
    const normalized = normalizeLabReport({
      performer: s.institution,
      accession: s.accession,
      patientKey,
      report: s.report,
      observations: s.observations,
      ...(s.specimens ? { specimens: s.specimens } : {}),
    });
    const outcome = await handleRecordLabReport(this.store, {
      type: 'RecordLabReport',
      performer: s.institution,
      accession: s.accession,
      patientKey,
      ...normalized,
      source: { institution: s.institution, messageId: s.messageId, protocol: s.protocol },
      eventId: deterministicEventId(s.institution, s.protocol, s.messageId),
      correlationId: s.correlationId ?? randomUUID(),
      now,
    });
    return { ...outcome, id: normalized.report.id! };
  }
}
