import { Inject, Injectable, Optional } from '@nestjs/common';
import { IdempotencyConflictError, WrongExpectedRevisionError } from '@yilian/event-store';
import {
  acknowledgementCodes,
  ackModeFor,
  buildAck,
  embeddedCdaOf,
  IMAGING_DOCUMENT_TYPES,
  HL7_ERROR,
  type Hl7Error,
  type Hl7Message,
  type ImagingDraft,
  type ImagingMessageClass,
  type IntakeOutcome,
  mapImagingMessage,
} from '@yilian/hl7v2';
import { InvalidResidentIdError, PatientIdentityRejection } from '@yilian/patients';
import { ImagingRejection } from '@yilian/results';
import { LOGGER, type Logger } from '@yilian/runtime';
import { MissingPatientIdentifierError } from '../results/lab-results.intake';
import { ImagingIntake, type ImagingSubmission } from './imaging-intake.service';
import { EMBEDDED_CDA_INTAKE, type EmbeddedCdaIntake } from './embedded-cda.port';

type Answer = { outcome: IntakeOutcome; errors: Hl7Error[] };
const PID3 = { segment: 'PID', sequence: 1, field: 3 } as const;

/**
 * Imaging results over MLLP: ORU^R01 from a RIS or PACS, MDM^T02 (and its edit T08,
 * replacement T10, cancel T11). Imaging orders (OMI^O23, ORM^O01 with IPC / ZDS) are orders
 * (`OrderHl7Intake`): an order is no study. The sender (the MLLP port's institution) is the
 * reporter. The performing institution is the accession's assigning authority (OBR-3.2 /
 * TXA-15.2) when that is an institution the hub knows — the filler order number is assigned by
 * the department that did the study — else the sender. The MRN is PID-3.4's institution's when
 * it names a known one, else the sender's. Answered with an ACK only after the durable append
 * (original or enhanced mode). A revision of a report the hub does not have is AE 204 at the
 * TXA field naming the document.
 */
@Injectable()
export class ImagingHl7Intake {
  constructor(
    private readonly imaging: ImagingIntake,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(EMBEDDED_CDA_INTAKE) private readonly cda?: EmbeddedCdaIntake,
  ) {}

  /** An MDM carrying a CDA document goes to the CDA intake when one is registered. */
  private async record(
    message: Hl7Message,
    kind: ImagingMessageClass & { ok: true },
    institution: string,
    now: Date,
  ): Promise<Answer> {
    const doc = this.cda && IMAGING_DOCUMENT_TYPES.has(kind.type) ? embeddedCdaOf(message) : undefined;
    if (doc && this.cda) {
      const { outcome, errors } = await this.cda.record(doc, {
        institution,
        controlId: kind.controlId,
        message,
        now,
      });
      return { outcome, errors: [...errors] };
    }
    return this.recordImaging(message, kind.controlId, institution, now);
  }

  async handle(message: Hl7Message, kind: ImagingMessageClass, institution: string, now = new Date()) {
    const msh = message.getSegment('MSH');
    const mode = ackModeFor(msh?.getField(15)?.toString(), msh?.getField(16)?.toString());
    const answer = kind.ok
      ? await this.record(message, kind, institution, now).catch((e: unknown): Answer => {
          this.logger.error({ err: (e as Error).message, institution }, 'imaging HL7 intake failed');
          const text = 'the hub could not record the message; nothing was recorded, please resend';
          return {
            outcome: 'internal-error',
            errors: [{ segment: 'MSH', sequence: 1, code: 207, message: text }],
          };
        })
      : { outcome: 'rejected' as const, errors: [...kind.errors] };
    return acknowledgementCodes(mode, answer.outcome).map((code) =>
      buildAck(message, code, answer.errors, { now }),
    );
  }

  private submission(draft: ImagingDraft, institution: string, messageId: string): ImagingSubmission {
    const authority = draft.accessionAuthority;
    const performer = this.imaging.isKnownInstitution(authority) ? authority : institution;
    return {
      institution,
      performer,
      performerBasis: performer === institution ? 'sender' : 'explicit',
      accession: draft.accession,
      patient: {},
      ...(draft.study ? { study: draft.study, studyIsPartial: draft.studyIsPartial } : {}),
      ...(draft.report ? { report: draft.report } : {}),
      ...(draft.revision
        ? { revises: { kind: draft.revision.kind, document: draft.revision.document } }
        : {}),
      protocol: 'hl7v2',
      messageId,
    };
  }

  private async recordImaging(
    message: Hl7Message,
    controlId: string,
    institution: string,
    now: Date,
  ): Promise<Answer> {
    const mapped = mapImagingMessage(message, { institution });
    if (!mapped.ok) return { outcome: 'content-error', errors: mapped.errors };
    const { residentId, mrn, mrnAuthority } = mapped.patient;
    const patient = {
      ...(residentId ? { residentId } : {}),
      ...(mrn ? { mrn: mrn.value } : {}),
      ...(mrnAuthority ? { mrnInstitution: mrnAuthority } : {}),
    };
    const many = mapped.drafts.length > 1;
    const submissions = mapped.drafts.map((d, i) => ({
      ...this.submission(d, institution, many ? `${controlId}#${i + 1}` : controlId),
      patient,
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.imaging.recordAll(submissions, now.toISOString());
        return { outcome: 'accepted', errors: [] };
      } catch (e) {
        if (e instanceof WrongExpectedRevisionError && attempt < 3) continue;
        const refused = this.refusal(e, mapped.drafts);
        if (refused) return { outcome: 'content-error', errors: [refused] };
        throw e;
      }
    }
  }

  private refusal(e: unknown, drafts: readonly ImagingDraft[]): Hl7Error | undefined {
    if (e instanceof MissingPatientIdentifierError || e instanceof InvalidResidentIdError) {
      return { ...PID3, code: HL7_ERROR.requiredFieldMissing, message: e.message };
    }
    if (e instanceof PatientIdentityRejection)
      return { ...PID3, code: HL7_ERROR.applicationInternal, message: e.message };
    if (e instanceof ImagingRejection) {
      const draft = drafts[0]!;
      const where =
        e.code === 'patient-mismatch'
          ? PID3
          : e.code === 'unknown-report' && draft.revision
            ? draft.revision.documentAt
            : { ...draft.accessionAt, component: 1 };
      const unknownKey = e.code === 'unknown-study' || e.code === 'unknown-report';
      const code = unknownKey ? 204 : HL7_ERROR.applicationInternal; // 204: unknown key identifier
      return { ...where, code, message: e.message };
    }
    if (e instanceof IdempotencyConflictError) {
      const message = 'this control id was already used for another study or report';
      return { segment: 'MSH', sequence: 1, field: 10, code: HL7_ERROR.duplicateKey, message };
    }
    return undefined;
  }
}
