import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { deterministicEventId, type fhir4, labReportStream } from '@yilian/contracts';
import { EVENT_STORE, type EventStore, WrongExpectedRevisionError } from '@yilian/event-store';
import { type DecidedIdentity, type PatientKeyer, PatientIdentityRejection } from '@yilian/patients';
import {
  appendDecidedLabReport,
  clinicalContentHash,
  type DecidedLabReport,
  decideFirstLabReport,
  decideRecordLabReport,
  LabReportRejection,
  normalizeLabReport,
  type RecordLabReport,
  type RecordOutcome,
  resolverByIds,
  type SubmissionResolver,
} from '@yilian/results';
import { PATIENT_KEYER } from '@yilian/runtime';
import { PatientIdentityService } from '../patients/patient-identity.service';

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
  readonly protocol: 'hl7v2' | 'fhir' | 'cda';
  /** HL7 v2: MSH-10 (with the OBR group's index). FHIR: the report's business identifier. CDA:
   * `cda:` + the document id. */
  readonly messageId: string;
  /** A digest of what the sender sent (HL7 v2: the message's text), for the event id: the same
   * message resent gives the same id. Without it, the report's clinical content is hashed. */
  readonly contentDigest?: string;
  readonly correlationId?: string;
  /** Resolves the sender's references between the parts (default: by the parts' own ids). */
  readonly resolve?: SubmissionResolver;
}

export type LabReportRecorded = RecordOutcome & { readonly id: string };

export class MissingPatientIdentifierError extends Error {}

/** One path for every lab report, whatever protocol it came in: key the patient, normalise,
 * decide every report of the message (and the link of an MRN that came with a resident ID
 * number), then append — the link first. A rule broken by any report or by the link rejects
 * the whole message before anything is appended. Resolves once every event is durable.
 * A message whose only write is one report tries it as the report's first version before
 * reading its stream (see `recordFirstVersion`). */
@Injectable()
export class LabResultsIntake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PATIENT_KEYER) private readonly keyer: PatientKeyer,
    private readonly identity: PatientIdentityService,
  ) {}

  patientKey(institution: string, patient: SubmittedPatient): string {
    if (patient.residentId) return this.keyer.forResidentId(patient.residentId);
    if (patient.mrn) return this.keyer.forMrn(institution, patient.mrn);
    throw new MissingPatientIdentifierError('the patient has neither a resident ID number nor an MRN');
  }

  /** The accession a change of one panel goes under: `panel` (`{number}.{OBR-4}`) when the
   * order's panels were recorded that way and nothing is recorded under the number alone. */
  async changedPanelAccession(institution: string, accession: string, panel: string): Promise<string> {
    if ((await this.store.readStream(labReportStream(institution, accession), { maxCount: 1 })).length > 0)
      return accession;
    const underPanel = await this.store.readStream(labReportStream(institution, panel), { maxCount: 1 });
    return underPanel.length > 0 ? panel : accession;
  }

  async record(s: LabReportSubmission): Promise<LabReportRecorded> {
    const [one] = await this.recordAll([s]);
    return one!;
  }

  async recordAll(
    submissions: readonly LabReportSubmission[],
    now = new Date().toISOString(),
  ): Promise<LabReportRecorded[]> {
    const links = await this.decideLinks(submissions, now);
    const only = submissions.length === 1 && links.length === 0 ? submissions[0] : undefined;
    const first = only && (await this.recordFirstVersion(only, now));
    if (first) return [first];
    const decided = await Promise.all(submissions.map((s) => this.decideReport(s, now)));
    for (const link of links) await this.identity.append(link);
    const recorded: LabReportRecorded[] = [];
    for (const d of decided)
      recorded.push({ ...(await appendDecidedLabReport(this.store, d.decision)), id: d.id });
    return recorded;
  }

  /** The links the reports' patients imply (an MRN to its resident ID number's key), once per
   * patient. A refused link (the MRN is linked to another patient) rejects the message. */
  private async decideLinks(submissions: readonly LabReportSubmission[], now: string) {
    const links = new Map<string, DecidedIdentity>();
    for (const s of submissions) {
      const source = {
        institution: s.institution,
        protocol: s.protocol,
        messageId: s.messageId,
        correlationId: s.correlationId ?? randomUUID(),
      };
      try {
        const link = await this.identity.decideReportLink(s.institution, s.patient, source, now);
        if (link && !links.has(link.stream)) links.set(link.stream, link);
      } catch (e) {
        if (e instanceof PatientIdentityRejection)
          throw new LabReportRejection('patient-mismatch', e.message);
        throw e;
      }
    }
    return [...links.values()];
  }

  /** Decides one report under the patient's key. A report first filed under the patient's
   * other key (its MRN's, before the resident ID number came with it) stays filed there: the
   * link makes them one patient. */
  private async decideReport(
    s: LabReportSubmission,
    now: string,
  ): Promise<{ decision: DecidedLabReport; id: string }> {
    try {
      return await this.decideReportFor(s, this.patientKey(s.institution, s.patient), now);
    } catch (e) {
      if (!(e instanceof LabReportRejection) || e.code !== 'patient-mismatch') throw e;
      const earlier = await this.identity.earlierReportKey(s.institution, s.patient);
      if (!earlier) throw e;
      return this.decideReportFor(s, earlier, now);
    }
  }

  private async decideReportFor(s: LabReportSubmission, patientKey: string, now: string) {
    const { command, id } = this.recordCommand(s, patientKey, now);
    return { decision: await decideRecordLabReport(this.store, command), id };
  }

  /** Appends the report as the first version of its stream, without reading the stream (most
   * reports are new). Undefined when the stream exists: a resend of the same message is
   * answered by the store (same event id); a correction, a duplicate under another message id
   * or a concurrent writer is decided again on the stream's history. Nothing else is written
   * by then, so nothing is half-applied. */
  private async recordFirstVersion(
    s: LabReportSubmission,
    now: string,
  ): Promise<LabReportRecorded | undefined> {
    const { command, id } = this.recordCommand(s, this.patientKey(s.institution, s.patient), now);
    try {
      return { ...(await appendDecidedLabReport(this.store, decideFirstLabReport(command))), id };
    } catch (e) {
      if (e instanceof WrongExpectedRevisionError) return undefined;
      throw e;
    }
  }

  private recordCommand(
    s: LabReportSubmission,
    patientKey: string,
    now: string,
  ): { command: RecordLabReport; id: string } {
    const normalized = normalizeLabReport({
      performer: s.institution,
      accession: s.accession,
      patientKey,
      report: s.report,
      observations: s.observations,
      ...(s.specimens ? { specimens: s.specimens } : {}),
      resolve: s.resolve ?? resolverByIds([s.report, ...s.observations, ...(s.specimens ?? [])]),
    });
    // The message's name (HL7 v2 MSH-10, the CDA document id, FHIR's business identifier) with
    // what it says: the same message resent is one event; another report sent under a control id
    // already used (senders and sample corpora reuse them) is another event, not a conflict. (The
    // same report in other bytes gets another id, then the decider finds its content recorded
    // and appends nothing.)
    const eventId = deterministicEventId(
      s.institution,
      s.protocol,
      s.messageId,
      s.accession,
      patientKey,
      s.contentDigest ?? clinicalContentHash(normalized),
    );
    const command: RecordLabReport = {
      type: 'RecordLabReport',
      performer: s.institution,
      accession: s.accession,
      patientKey,
      ...normalized,
      source: { institution: s.institution, messageId: s.messageId, protocol: s.protocol },
      eventId,
      correlationId: s.correlationId ?? randomUUID(),
      now,
    };
    return { command, id: normalized.report.id! };
  }
}
