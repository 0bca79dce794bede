import { Inject, Injectable } from '@nestjs/common';
import type { Hl7Message } from '@medplum/core';
import type { InstitutionCredential, InstitutionDirectory } from '@yilian/config';
import { IdempotencyConflictError, sha256Hex, WrongExpectedRevisionError } from '@yilian/event-store';
import {
  acknowledgementCodes,
  ackModeFor,
  applicationResponseType,
  batchMessages,
  buildAck,
  classifyImagingMessage,
  classifyMessage,
  type Hl7Error,
  type IntakeOutcome,
  LAB_RESULT_MESSAGE_TYPES,
  mapLabResult,
  ORDER_MESSAGE_TYPES,
  PATIENT_ADT_TYPES,
  type OrderMessageType,
  parseHl7,
} from '@yilian/hl7v2';
import { InvalidResidentIdError, PatientIdentityRejection } from '@yilian/patients';
import { LabReportRejection } from '@yilian/results';
import { INSTITUTIONS, LOGGER, type Logger } from '@yilian/runtime';
import { LabResultsIntake, MissingPatientIdentifierError } from '../results/lab-results.intake';
import { PatientAdtIntake } from '../patients/patient-adt.intake';
import { RefI12Intake } from '../referrals/ref-i12.intake';
import { RefFamilyIntake, type RefFamilyType } from '../referrals/ref-family.intake';
import { ImagingHl7Intake } from '../imaging/imaging-hl7.intake';
import { OrderHl7Intake } from '../orders/order-hl7.intake';

const ORDER_TYPES: ReadonlySet<string> = new Set(ORDER_MESSAGE_TYPES);
/** ORU^R01 and OUL^R21 / R22 / R23 / R24: one mapping, one way of recording (`recordLab`). */
const LAB_TYPES: ReadonlySet<string> = new Set(LAB_RESULT_MESSAGE_TYPES);

const PID3 = { segment: 'PID', sequence: 1, field: 3 } as const;
/** Report statuses that change a report already sent. */
const CHANGES: ReadonlySet<string> = new Set(['corrected', 'amended', 'cancelled', 'entered-in-error']);

/** One HL7 v2 message in, its ACK(s) out. The institution is the one the MLLP port belongs to,
 * never MSH-4. AA / CA only after the durable append. */
@Injectable()
export class Hl7MessageHandler {
  constructor(
    private readonly labResults: LabResultsIntake,
    @Inject(INSTITUTIONS) private readonly institutions: InstitutionDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly patientAdt: PatientAdtIntake,
    private readonly referrals: RefI12Intake,
    private readonly imaging: ImagingHl7Intake,
    private readonly orders: OrderHl7Intake,
    private readonly referralFamily: RefFamilyIntake,
  ) {}

  /** A message from an MLLP connection: the institution is the one the port belongs to. */
  handle(text: string, localPort: number, now = new Date()): Promise<string[]> {
    return this.handleFrom(text, this.institutions.byMllpPort(localPort), now);
  }

  /** A message from `institution` (authenticated by its port or its API key); undefined when
   * the sender is no institution the hub knows (answered AR). */
  async handleFrom(
    text: string,
    institution: InstitutionCredential | undefined,
    now = new Date(),
  ): Promise<string[]> {
    // a batch envelope (FHS / BHS … BTS / FTS) around one message: that message. MLLP carries one
    // message per frame, so a batch of several is refused whole, answered on its first message.
    const batch = batchMessages(text);
    if (batch?.length === 1) return this.handleFrom(batch[0]!, institution, now);
    if (batch && batch.length > 1) {
      const first = parseHl7(batch[0]!);
      const error: Hl7Error = {
        segment: 'MSH',
        sequence: 2,
        code: 100,
        message: `a batch of ${batch.length} messages in one frame: send one message per frame; nothing was recorded`,
      };
      if (!first.ok) return [buildAck(text, 'AR', [error], { now })];
      const firstMsh = first.message.getSegment('MSH');
      const firstMode = ackModeFor(firstMsh?.getField(15)?.toString(), firstMsh?.getField(16)?.toString());
      return acknowledgementCodes(firstMode, 'rejected').map((code) =>
        buildAck(first.message, code, [error], { now }),
      );
    }
    const parsed = parseHl7(text);
    if (!parsed.ok) return [buildAck(text, 'AR', parsed.errors, { now })];
    const message = parsed.message;
    const msh = message.getSegment('MSH');
    const mode = ackModeFor(msh?.getField(15)?.toString(), msh?.getField(16)?.toString());
    // ORR^O02 to an ORM^O01 (ORI^O24 to an OMI^O23), even when refused; ACK to everything else
    const responseType = applicationResponseType(message);
    const opts = { now, ...(responseType ? { responseType } : {}) };
    const answer = (outcome: IntakeOutcome, errors: readonly Hl7Error[]) =>
      acknowledgementCodes(mode, outcome).map((code) => buildAck(message, code, errors, opts));

    if (!institution) {
      return answer('rejected', [
        {
          segment: 'MSH',
          sequence: 1,
          field: 4,
          code: 207,
          message: 'this MLLP port is not assigned to an institution',
        },
      ]);
    }
    // Imaging results: MDM^T02 / T08 / T10 / T11 and ORU^R01 whose OBR-24, ZDS or OBX says
    // imaging (the rule: libs/hl7v2/src/imaging/imaging-message.ts). Lab ORU^R01 and OUL^R21 /
    // R22 / R23 / R24 (always lab) go on below;
    // imaging orders (OMI^O23, ORM^O01 with IPC / ZDS) are orders (ORDER_TYPES).
    const imaging = classifyImagingMessage(message);
    if (imaging) return this.imaging.handle(message, imaging, institution.code, now);
    const kind = classifyMessage(message);
    if (!kind.ok) return answer('rejected', kind.errors);
    if (PATIENT_ADT_TYPES.has(kind.type)) {
      const adt = await this.patientAdt.record(message, kind.type, institution.code, kind.controlId, now);
      return answer(adt.outcome, adt.errors);
    }
    if (ORDER_TYPES.has(kind.type)) {
      const type = kind.type as OrderMessageType;
      return this.orders.handle(message, type, institution.code, kind.controlId, now);
    }
    if (kind.type === 'REF^I13' || kind.type === 'REF^I14' || kind.type === 'REF^I15') {
      const type: RefFamilyType = kind.type;
      return this.referralFamily.handle(message, type, institution.code, kind.controlId, now);
    }
    if (kind.type === 'REF^I12') return this.referrals.handle(message, institution.code, kind.controlId, now);
    if (!LAB_TYPES.has(kind.type)) {
      return answer('rejected', [
        {
          segment: 'MSH',
          sequence: 1,
          field: 9,
          code: 200,
          message: `message type ${kind.type} is not accepted on this port yet`,
        },
      ]);
    }
    try {
      const outcome = await this.recordLab(message, text, institution.code, kind.controlId, now);
      return answer(outcome.outcome, outcome.errors);
    } catch (e) {
      this.logger.error({ err: (e as Error).message, institution: institution.code }, 'HL7 intake failed');
      return answer('internal-error', [
        {
          segment: 'MSH',
          sequence: 1,
          code: 207,
          message: 'the hub could not record the message; nothing was recorded, please resend',
        },
      ]);
    }
  }

  private async recordLab(
    message: Hl7Message,
    text: string,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<{ outcome: IntakeOutcome; errors: Hl7Error[] }> {
    const mapped = mapLabResult(message, { institution, receivedAt: now.toISOString() });
    if (!mapped.ok) return { outcome: 'content-error', errors: [...mapped.errors] };
    const patient = {
      ...(mapped.patient.residentId ? { residentId: mapped.patient.residentId } : {}),
      ...(mapped.patient.mrn ? { mrn: mapped.patient.mrn.value } : {}),
    };
    // a correction or cancellation of one panel of an order whose panels came in one message
    // (recorded as `{number}.{OBR-4}`) names that panel's report; the lookup only for changes
    const accessions: string[] = [];
    for (const r of mapped.reports)
      accessions.push(
        r.panelAccession && CHANGES.has(r.status)
          ? await this.labResults.changedPanelAccession(institution, r.accession, r.panelAccession)
          : r.accession,
      );
    // what the message says, for each report's event id: its own bytes (a resend repeats them),
    // hashed once for all its reports — ≈5 µs where canonical JSON of the mapped report took ≈0.1 ms
    const contentDigest = sha256Hex(text);
    const submissions = mapped.reports.map((r, i) => ({
      institution,
      accession: accessions[i]!,
      patient,
      report: r.report,
      observations: r.observations,
      specimens: r.specimens,
      protocol: 'hl7v2' as const,
      messageId: mapped.reports.length > 1 ? `${controlId}#${i + 1}` : controlId,
      contentDigest,
    }));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.labResults.recordAll(submissions, now.toISOString());
        return { outcome: 'accepted', errors: [] };
      } catch (e) {
        if (e instanceof WrongExpectedRevisionError && attempt < 3) continue;
        if (
          e instanceof MissingPatientIdentifierError ||
          e instanceof InvalidResidentIdError ||
          e instanceof PatientIdentityRejection
        ) {
          return { outcome: 'content-error', errors: [{ ...PID3, code: 101, message: e.message }] };
        }
        if (e instanceof LabReportRejection) {
          // the OBR of the report at fault (each OBR is one report, in message order); an accession
          // already recorded for another patient is a key the message cannot have (0357: 205)
          const index = e.accession ? accessions.indexOf(e.accession) : -1;
          const code = e.code === 'patient-mismatch' ? 205 : 207;
          return {
            outcome: 'content-error',
            errors: [
              { segment: 'OBR', sequence: index >= 0 ? index + 1 : 1, field: 3, code, message: e.message },
            ],
          };
        }
        if (e instanceof IdempotencyConflictError) {
          return {
            outcome: 'content-error',
            errors: [
              {
                segment: 'MSH',
                sequence: 1,
                field: 10,
                code: 207,
                message: 'this control id was already used for another report',
              },
            ],
          };
        }
        throw e;
      }
    }
  }
}
