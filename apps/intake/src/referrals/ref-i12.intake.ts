import { Inject, Injectable } from '@nestjs/common';
import {
  HL7_ERROR,
  type Hl7Error,
  type Hl7Message,
  type IntakeOutcome,
  mapRefI12,
  referralAnswers,
  type RefI12Draft,
  type RriReferral,
} from '@yilian/hl7v2';
import {
  directionFromLevels,
  referralIdFor,
  ReferralRejection,
  type RequestReferral,
} from '@yilian/referrals';
import { LOGGER, type Logger } from '@yilian/runtime';
import { ReferralIntake, type ReferralPatient } from './referral-intake.service';

type Answer = { outcome: IntakeOutcome; errors: Hl7Error[]; referral?: RriReferral };

/** Where a decider rejection points in a REF^I12, by the command field it names. */
const FIELD_OF: readonly [RegExp, Hl7Error][] = [
  [/\.direction/, { segment: 'RF1', sequence: 1, field: 3, code: HL7_ERROR.tableValueNotFound, message: '' }],
  [/\.documents/, { segment: 'OBR', field: 4, code: HL7_ERROR.requiredFieldMissing, message: '' }],
  [/\.supportingInfo/, { segment: 'OBR', field: 3, code: HL7_ERROR.dataType, message: '' }],
  [/\.reasonCode/, { segment: 'DG1', field: 3, code: HL7_ERROR.dataType, message: '' }],
  [/\.receiver|not members of one alliance/, { segment: 'PRD', field: 7, code: 204, message: '' }],
];

/** A decider rejection as an ERR: the field it names, else RF1-6 (the referral). */
export function locateRejection(e: ReferralRejection): Hl7Error {
  const at = FIELD_OF.find(([pattern]) => pattern.test(e.message))?.[1];
  const located = at ?? {
    segment: 'RF1',
    sequence: 1,
    field: 6,
    code: e.code === 'already-exists' ? 205 : 207,
  };
  return { ...located, message: e.message };
}

/**
 * REF^I12 over MLLP → RequestReferral, answered as referralAnswers says (RRI^I12 in original
 * mode; commit ACK then RRI^I12 in enhanced mode) only after the durable append. The sender is
 * the institution of the MLLP port. A resend of the same referral number is the same referral.
 */
@Injectable()
export class RefI12Intake {
  constructor(
    private readonly referrals: ReferralIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(
    message: Hl7Message,
    institution: string,
    controlId: string,
    now = new Date(),
  ): Promise<string[]> {
    const answer = await this.decide(message, institution, controlId, now).catch((e: unknown): Answer => {
      this.logger.error({ err: (e as Error).message, institution }, 'REF^I12 intake failed');
      const message = 'the hub could not record the referral; nothing was recorded, please resend';
      return { outcome: 'internal-error', errors: [{ segment: 'MSH', sequence: 1, code: 207, message }] };
    });
    const { outcome, errors, referral } = answer;
    return referralAnswers(message, outcome, errors, { now, ...(referral ? { referral } : {}) });
  }

  private async decide(
    message: Hl7Message,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<Answer> {
    const mapped = mapRefI12(message, { institution });
    if (!mapped.ok) return { outcome: 'content-error', errors: mapped.errors };
    const draft = mapped.draft;
    let patientKey: string;
    try {
      const { residentId, mrn = '' } = draft.patient;
      const patient: ReferralPatient = residentId ? { residentId, mrn } : { mrn };
      patientKey = this.referrals.patientKey(institution, patient);
    } catch (e) {
      const pid = {
        segment: 'PID',
        sequence: 1,
        field: 3,
        code: HL7_ERROR.dataType,
        message: (e as Error).message,
      };
      return { outcome: 'content-error', errors: [pid] };
    }
    const command = await this.command(draft, institution, patientKey, now.toISOString());
    if ('errors' in command) return { outcome: 'content-error', errors: command.errors };
    try {
      const source = {
        institution,
        messageId: controlId,
        protocol: 'hl7v2' as const,
        correlationId: controlId,
      };
      const handled = await this.referrals.run(command, source);
      const status = handled.state.status === 'none' ? 'requested' : handled.state.status;
      return {
        outcome: 'accepted',
        errors: [],
        referral: { referralId: command.referralId, sourceId: draft.sourceId, status, patientKey },
      };
    } catch (e) {
      if (!(e instanceof ReferralRejection)) throw e;
      return { outcome: 'content-error', errors: [locateRejection(e)] };
    }
  }

  private async command(
    draft: RefI12Draft,
    institution: string,
    patientKey: string,
    now: string,
  ): Promise<RequestReferral | { errors: Hl7Error[] }> {
    const alliance = await this.referrals.allianceFacts(institution, draft.receiver);
    const direction = draft.direction ?? (alliance ? directionFromLevels(alliance) : 'upward');
    if (!direction) {
      const message = `both institutions are ${alliance?.senderLevel}: send RF1-3 UP or DOWN`;
      return {
        errors: [{ segment: 'RF1', sequence: 1, field: 3, code: HL7_ERROR.requiredFieldMissing, message }],
      };
    }
    const { sourceId: _source, patient: _patient, direction: _direction, ...rest } = draft;
    return {
      type: 'RequestReferral',
      referralId: referralIdFor(institution, draft.sourceId),
      actor: institution,
      now,
      ...rest,
      direction,
      patientKey,
      alliance,
    };
  }
}
