import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { InstitutionDirectory } from '@yilian/config';
import { deterministicEventId, type EventSource, type fhir4, type PerformerBasis } from '@yilian/contracts';
import { EVENT_STORE, type EventStore } from '@yilian/event-store';
import {
  appendDecidedImaging,
  decideImagingCommands,
  type ImagingCommand,
  imagingContentHash,
  type ImagingOutcome,
  imagingResourceId,
  normalizeImagingReport,
  normalizeImagingStudy,
  type ReportRevision,
} from '@yilian/results';
import { INSTITUTIONS } from '@yilian/runtime';
import { PatientIdentityService } from '../patients/patient-identity.service';
import { LabResultsIntake } from '../results/lab-results.intake';

/** Who the study is about, as the sender identified them; only used to derive the patient key.
 * The MRN belongs to `mrnInstitution`: the one the sender named, when the hub knows it (the
 * performing institution's MRN, as the DICOM header carries it), else the sender's. */
export interface ImagingPatient {
  readonly residentId?: string;
  readonly mrn?: string;
  readonly mrnInstitution?: string;
}

/** One study and / or its report, whatever protocol it came in. */
export interface ImagingSubmission {
  /** The authenticated sender: the reporter of a report. */
  readonly institution: string;
  readonly performer: string;
  readonly performerBasis: PerformerBasis;
  readonly accession: string;
  readonly patient: ImagingPatient;
  readonly study?: Omit<fhir4.ImagingStudy, 'subject' | 'id'>;
  readonly studyIsPartial?: boolean;
  /** Endpoints sent beside the study (Bundle entries), to be contained in it. */
  readonly endpoints?: readonly fhir4.Endpoint[];
  readonly report?: Omit<fhir4.DiagnosticReport, 'subject' | 'id'>;
  /** The report revises one the hub has (HL7 v2 MDM^T08 / T10 / T11). */
  readonly revises?: ReportRevision;
  readonly protocol: 'hl7v2' | 'fhir' | 'cda';
  /** HL7 v2: MSH-10 (with the order's index). FHIR: the study's business identifier. CDA: `cda:`
   * + the document id. */
  readonly messageId: string;
  readonly correlationId?: string;
}

export type ImagingRecorded = ImagingOutcome & { readonly id: string; readonly patientKey: string };

/**
 * One path for imaging, whatever door it came through: key the patient (the lab intake's
 * `patientKey`, the one rule for the whole hub), normalise the study and the report, decide
 * every submission of the message, then append. A broken rule anywhere rejects the whole
 * message before anything is appended. Resolves once every event is durable.
 */
@Injectable()
export class ImagingIntake {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
    private readonly modules: ModuleRef,
  ) {}

  /** True for an institution the hub has credentials for. */
  isKnownInstitution(code: string | undefined): code is string {
    return !!code && this.institutions.institutions.some((i) => i.code === code);
  }

  patientKey(sender: string, patient: ImagingPatient): string {
    const lab = this.modules.get(LabResultsIntake, { strict: false });
    const mrnOf = this.isKnownInstitution(patient.mrnInstitution) ? patient.mrnInstitution : sender;
    return lab.patientKey(mrnOf, {
      ...(patient.residentId ? { residentId: patient.residentId } : {}),
      ...(patient.mrn ? { mrn: patient.mrn } : {}),
    });
  }

  async recordAll(
    submissions: readonly ImagingSubmission[],
    now = new Date().toISOString(),
  ): Promise<ImagingRecorded[]> {
    const links = await this.decideLinks(submissions, now);
    const decided = await Promise.all(
      submissions.map(async (s) => {
        const patientKey = this.patientKey(s.institution, s.patient);
        const commands = this.commands(s, patientKey, now);
        return { decision: await decideImagingCommands(this.store, commands), patientKey, s };
      }),
    );
    const identity = this.modules.get(PatientIdentityService, { strict: false });
    for (const link of links) await identity.append(link);
    const recorded: ImagingRecorded[] = [];
    for (const { decision, patientKey, s } of decided) {
      const outcome = await appendDecidedImaging(this.store, decision);
      recorded.push({ ...outcome, id: imagingResourceId(s.performer, s.accession), patientKey });
    }
    return recorded;
  }

  /** As for lab reports: an MRN sent with a resident ID number is linked to that person, once;
   * decided before anything is appended, so a refused link rejects the whole message. */
  private async decideLinks(submissions: readonly ImagingSubmission[], now: string) {
    const identity = this.modules.get(PatientIdentityService, { strict: false });
    const links = new Map<string, Awaited<ReturnType<PatientIdentityService['decideReportLink']>> & object>();
    for (const s of submissions) {
      if (!s.patient.residentId || !s.patient.mrn) continue;
      const mrnOf = this.isKnownInstitution(s.patient.mrnInstitution)
        ? s.patient.mrnInstitution
        : s.institution;
      const source = {
        institution: s.institution,
        protocol: s.protocol,
        messageId: s.messageId,
        correlationId: s.correlationId ?? randomUUID(),
      };
      const patient = { residentId: s.patient.residentId, mrn: s.patient.mrn };
      const link = await identity.decideReportLink(mrnOf, patient, source, now);
      if (link && !links.has(link.stream)) links.set(link.stream, link);
    }
    return [...links.values()];
  }

  private commands(s: ImagingSubmission, patientKey: string, now: string): ImagingCommand[] {
    const base = { performer: s.performer, accession: s.accession, patientKey, now };
    const source: EventSource = { institution: s.institution, messageId: s.messageId, protocol: s.protocol };
    const correlationId = s.correlationId ?? randomUUID();
    // The message's name (HL7 v2 MSH-10, the CDA document id, FHIR's identifier) with what it
    // says: the same resource resent is one event; another one under a reused control id, or a
    // changed one, is another event.
    const idOf = (part: string, content: object) =>
      deterministicEventId(
        s.institution,
        s.protocol,
        s.messageId,
        part,
        s.accession,
        patientKey,
        imagingContentHash(content),
      );
    const commands: ImagingCommand[] = [];
    if (s.study) {
      const study = normalizeImagingStudy({
        ...base,
        study: { ...s.study, subject: {} },
        ...(s.endpoints ? { endpoints: s.endpoints } : {}),
      });
      const partial = s.studyIsPartial ?? false;
      const eventId = idOf('study', study);
      commands.push({ ...base, type: 'RecordImagingStudy', study, partial, source, eventId, correlationId });
    }
    if (s.report) {
      const report = normalizeImagingReport({ ...base, reporter: s.institution, report: s.report });
      commands.push({
        ...base,
        type: 'RecordImagingReport',
        report,
        reporter: s.institution,
        performerBasis: s.performerBasis,
        ...(s.revises ? { revises: s.revises } : {}),
        source,
        eventId: idOf('report', report),
        correlationId,
      });
    }
    return commands;
  }
}
