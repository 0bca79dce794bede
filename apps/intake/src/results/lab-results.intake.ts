import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deterministicEventId, type fhir4 } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import type { PatientKeyer } from '@yilian/patients';
import {
  appendDecidedLabReport,
  clinicalContentHash,
  decideRecordLabReport,
  normalizeLabReport,
  type RecordOutcome,
  resolverByIds,
  type SubmissionResolver,
} from '@yilian/results';
import { PATIENT_KEYER } from '@yilian/runtime';

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
  /** HL7 v2: MSH-10 (with the OBR group's index). FHIR: the report's business identifier. */
  readonly messageId: string;
  readonly correlationId?: string;
  /** Resolves the sender's references between the parts (default: by the parts' own ids). */
  readonly resolve?: SubmissionResolver;
}

export type LabReportRecorded = RecordOutcome & { readonly id: string };

export class MissingPatientIdentifierError extends Error {}

/** One path for every lab report, whatever protocol it came in: key the patient, normalise,
 * decide every report of the message, then append. A rule broken by any report rejects the
 * whole message before anything is appended. Resolves once every event is durable. */
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

  async record(s: LabReportSubmission): Promise<LabReportRecorded> {
    const [one] = await this.recordAll([s]);
    return one!;
  }

  async recordAll(
    submissions: readonly LabReportSubmission[],
    now = new Date().toISOString(),
  ): Promise<LabReportRecorded[]> {
    const decided = await Promise.all(
      submissions.map(async (s) => {
        const patientKey = this.patientKey(s.institution, s.patient);
        const normalized = normalizeLabReport({
          performer: s.institution,
          accession: s.accession,
          patientKey,
          report: s.report,
          observations: s.observations,
          ...(s.specimens ? { specimens: s.specimens } : {}),
          resolve: s.resolve ?? resolverByIds([s.report, ...s.observations, ...(s.specimens ?? [])]),
        });
        // HL7 v2: the control id (MSH-10) names the message. FHIR: the business identifier and
        // the content do — the same report resent is one event, a changed one a new version.
        const eventId =
          s.protocol === 'hl7v2'
            ? deterministicEventId(s.institution, s.protocol, s.messageId)
            : deterministicEventId(s.institution, s.protocol, s.messageId, clinicalContentHash(normalized));
        const decision = await decideRecordLabReport(this.store, {
          type: 'RecordLabReport',
          performer: s.institution,
          accession: s.accession,
          patientKey,
          ...normalized,
          source: { institution: s.institution, messageId: s.messageId, protocol: s.protocol },
          eventId,
          correlationId: s.correlationId ?? randomUUID(),
          now,
        });
        return { decision, id: normalized.report.id! };
      }),
    );
    const recorded: LabReportRecorded[] = [];
    for (const d of decided)
      recorded.push({ ...(await appendDecidedLabReport(this.store, d.decision)), id: d.id });
    return recorded;
  }
}
