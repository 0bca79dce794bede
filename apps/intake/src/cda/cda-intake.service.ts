import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type CdaDocument, type CdaFault, readCdaDocument } from '@yilian/cda';
import { IdempotencyConflictError, WrongExpectedRevisionError } from '@yilian/event-store';
import { InvalidResidentIdError, PatientIdentityRejection } from '@yilian/patients';
import { ImagingRejection, LabReportRejection } from '@yilian/results';
import { ImagingIntake } from '../imaging/imaging-intake.service';
import { LabResultsIntake, MissingPatientIdentifierError } from '../results/lab-results.intake';

export type CdaRecorded = {
  readonly ok: true;
  readonly document: 'C0006' | 'C0007';
  readonly stream: string;
  readonly version: number;
  /** Nothing new was appended: the document was recorded before. */
  readonly duplicate: boolean;
  /** `DiagnosticReport/{id}` as the platform serves it. */
  readonly resource: string;
};

export type CdaRefused =
  | { readonly ok: false; readonly kind: 'not-xml'; readonly message: string }
  | { readonly ok: false; readonly kind: 'template' | 'business-rule'; readonly faults: readonly CdaFault[] }
  | { readonly ok: false; readonly kind: 'conflict'; readonly message: string };

export interface CdaSubmission {
  readonly xml: string;
  /** The sender, from its credential (API key or MLLP port): the document must be its own. */
  readonly institution: string;
  readonly now: Date;
  readonly correlationId?: string;
}

const PATIENT_XPATH = "/ClinicalDocument/recordTarget/patientRole/patient/id[@root='2.16.156.10011.1.3']";

/**
 * A WS/T 500 CDA document, by whichever door it came (`POST /cda`, an MDM's OBX ED), recorded
 * as the same event the HL7 v2 and FHIR intakes record for that result — a part 7 lab report
 * through LabResultsIntake (`LabReportRecorded`, stream `lab-report-{institution}-{检验报告单号}`),
 * a part 6 examination report through ImagingIntake (`ImagingReportRecorded`, stream
 * `imaging-{institution}-{检查报告单号}`). The institution in the document (custodian, and the
 * author's organization where named) must be the sender's. The document id names the fact: the
 * same document resent is recorded once, whichever door it came through the second time.
 */
@Injectable()
export class CdaIntake {
  constructor(private readonly modules: ModuleRef) {}

  async record(s: CdaSubmission): Promise<CdaRecorded | CdaRefused> {
    const read = readCdaDocument(s.xml, { institution: s.institution, receivedAt: s.now.toISOString() });
    if (!read.ok) {
      return read.kind === 'not-xml'
        ? { ok: false, kind: 'not-xml', message: read.message }
        : { ok: false, kind: 'template', faults: read.faults };
    }
    const doc = read.document;
    const foreign = this.foreignInstitution(doc, s.institution);
    if (foreign.length > 0) return { ok: false, kind: 'business-rule', faults: foreign };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.append(doc, s);
      } catch (e) {
        if (e instanceof WrongExpectedRevisionError && attempt < 3) continue;
        const refused = refusal(e, doc);
        if (refused) return refused;
        throw e;
      }
    }
  }

  /** The credential decides whose document it is: another institution's is refused. */
  private foreignInstitution(doc: CdaDocument, institution: string): CdaFault[] {
    const { custodian, authorOrganization } = doc.header;
    const faults: CdaFault[] = [];
    for (const org of [custodian, authorOrganization]) {
      if (org && org.id !== institution) {
        faults.push({
          xpath: org.xpath,
          code: 'value',
          message: `the document is ${org.id.slice(0, 32)}'s, the credential is ${institution}'s: an institution sends only its own documents`,
        });
      }
    }
    return faults;
  }

  private async append(doc: CdaDocument, s: CdaSubmission): Promise<CdaRecorded> {
    const { residentId, mrn } = doc.header.patient;
    const patient = { ...(residentId ? { residentId } : {}), ...(mrn ? { mrn } : {}) };
    // the document id names the fact (as MSH-10 names a message): a resend is one event
    const messageId = `cda:${doc.documentKey}`;
    const correlation = s.correlationId ? { correlationId: s.correlationId } : {};
    if (doc.kind === 'lab') {
      const lab = this.modules.get(LabResultsIntake, { strict: false });
      const [recorded] = await lab.recordAll(
        [
          {
            institution: s.institution,
            accession: doc.accession,
            patient,
            report: doc.report,
            observations: doc.observations,
            specimens: doc.specimens,
            protocol: 'cda',
            messageId,
            ...correlation,
          },
        ],
        s.now.toISOString(),
      );
      const { stream, version, duplicate, id } = recorded!;
      return { ok: true, document: 'C0007', stream, version, duplicate, resource: `DiagnosticReport/${id}` };
    }
    const imaging = this.modules.get(ImagingIntake, { strict: false });
    const [recorded] = await imaging.recordAll(
      [
        {
          institution: s.institution,
          performer: s.institution,
          performerBasis: 'sender',
          accession: doc.accession,
          patient,
          report: doc.report,
          protocol: 'cda',
          messageId,
          ...correlation,
        },
      ],
      s.now.toISOString(),
    );
    const { stream, reportVersion, duplicate, id } = recorded!;
    return {
      ok: true,
      document: 'C0006',
      stream,
      version: reportVersion ?? 0,
      duplicate,
      resource: `DiagnosticReport/${id}`,
    };
  }
}

function refusal(e: unknown, doc: CdaDocument): CdaRefused | undefined {
  const fault = (xpath: string, message: string): CdaRefused => ({
    ok: false,
    kind: 'business-rule',
    faults: [{ xpath, code: 'value', message }],
  });
  if (e instanceof MissingPatientIdentifierError || e instanceof InvalidResidentIdError)
    return fault(PATIENT_XPATH, e.message);
  if (e instanceof PatientIdentityRejection) return fault(PATIENT_XPATH, e.message);
  const reportNumberAt = `/ClinicalDocument/recordTarget/patientRole/id[@root='${
    doc.kind === 'lab' ? '2.16.156.10011.1.33' : '2.16.156.10011.1.32'
  }']/@extension`;
  if (e instanceof LabReportRejection || e instanceof ImagingRejection) {
    const where = e.code === 'patient-mismatch' ? PATIENT_XPATH : reportNumberAt;
    return fault(where, e.message);
  }
  if (e instanceof IdempotencyConflictError) {
    return fault(
      '/ClinicalDocument/id',
      'this document id was already recorded with other content: a new version of a document has an id of its own',
    );
  }
  if (e instanceof WrongExpectedRevisionError)
    return {
      ok: false,
      kind: 'conflict',
      message: 'the report was changed concurrently; send the document again',
    };
  return undefined;
}
