import { Inject, Injectable } from '@nestjs/common';
import {
  HL7_ERROR,
  type Hl7Error,
  type Hl7Message,
  type IntakeOutcome,
  mapRefFamily,
  mapRefI12,
  referralAnswers,
  type RriReferral,
} from '@yilian/hl7v2';
import { referralIdFor, ReferralRejection, type ReferralCommand } from '@yilian/referrals';
import { LOGGER, type Logger } from '@yilian/runtime';
import { locateRejection } from './ref-i12.intake';
import { ReferralIntake } from './referral-intake.service';

type Answer = { outcome: IntakeOutcome; errors: Hl7Error[]; referral?: RriReferral };
export type RefFamilyType = 'REF^I13' | 'REF^I14' | 'REF^I15';
const RF1_6 = { segment: 'RF1', sequence: 1, field: 6 } as const;

/**
 * The rest of the referral family over MLLP, on the referral workflow the JSON actions and FHIR
 * use (libs/referrals), the referral named by RF1-6 (the sender's referral number) as for REF^I12
 * (read by `mapRefFamily`, libs/hl7v2/src/referrals/ref-family.mapper.ts):
 *
 * - REF^I13 (modify): `ModifyReferral` — priority, reasons (DG1), results and documents (OBR),
 *   department (PRD RT) as they now stand → `ReferralModified`; the receiver does not change
 *   (AE at PRD-7: cancel and refer again).
 * - REF^I14 (cancel): `CancelReferral` — the same `ReferralCancelled` as `POST /referrals/<id>/cancel`;
 *   the reason from the last NTE-3.
 * - REF^I15 (status query): nothing recorded; RRI^I15 with RF1-1 the referral's status.
 *
 * Answered RRI^I13 / I14 / I15 (MSA, ERR, RF1 with the hub's id, PRD as sent, PID with the patient
 * key) only after the durable append. A referral the hub does not have is AE 204 at RF1-6; only
 * the sender may modify or cancel (AE naming RF1-6 otherwise).
 */
@Injectable()
export class RefFamilyIntake {
  constructor(
    private readonly referrals: ReferralIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(
    message: Hl7Message,
    type: RefFamilyType,
    institution: string,
    controlId: string,
    now = new Date(),
  ): Promise<string[]> {
    const answer = await this.decide(message, type, institution, controlId, now).catch(
      (e: unknown): Answer => {
        this.logger.error({ err: (e as Error).message, institution, type }, 'REF intake failed');
        const text = 'the hub could not record the message; nothing was recorded, please resend';
        return {
          outcome: 'internal-error',
          errors: [{ segment: 'MSH', sequence: 1, code: 207, message: text }],
        };
      },
    );
    const { outcome, errors, referral } = answer;
    return referralAnswers(message, outcome, errors, { now, ...(referral ? { referral } : {}) });
  }

  private async decide(
    message: Hl7Message,
    type: RefFamilyType,
    institution: string,
    controlId: string,
    now: Date,
  ): Promise<Answer> {
    const named = mapRefFamily(message);
    if (!named.ok) return { outcome: 'content-error', errors: [...named.errors] };
    const { sourceId, cancelReason } = named;
    const referralId = referralIdFor(institution, sourceId);
    const state = await this.referrals.state(referralId);
    if (state.status === 'none')
      return refused({
        ...RF1_6,
        code: 204,
        message: `the hub has no referral ${sourceId.slice(0, 40)} from this institution`,
      });
    const answerOf = (status: RriReferral['status']): RriReferral => ({
      referralId,
      sourceId,
      status,
      patientKey: state.request.patientKey,
    });
    if (type === 'REF^I15') return { outcome: 'accepted', errors: [], referral: answerOf(state.status) };

    let command: ReferralCommand;
    const base = { referralId, actor: institution, now: now.toISOString() };
    if (type === 'REF^I14') {
      command = { type: 'CancelReferral', ...base, ...(cancelReason ? { reason: cancelReason } : {}) };
    } else {
      const mapped = mapRefI12(message, { institution });
      if (!mapped.ok) return { outcome: 'content-error', errors: mapped.errors };
      const d = mapped.draft;
      if (d.receiver !== state.request.receiver) {
        const text = 'the receiver of a referral does not change: cancel it (REF^I14) and refer again';
        return refused({ segment: 'PRD', field: 7, code: HL7_ERROR.applicationInternal, message: text });
      }
      command = {
        type: 'ModifyReferral',
        ...base,
        priority: d.priority,
        reasonCode: d.reasonCode,
        supportingInfo: d.supportingInfo,
        documents: d.documents,
        ...(d.department ? { department: d.department } : {}),
      };
    }
    try {
      const source = {
        institution,
        messageId: controlId,
        protocol: 'hl7v2' as const,
        correlationId: controlId,
      };
      const handled = await this.referrals.run(command, source);
      const status = handled.state.status === 'none' ? 'requested' : handled.state.status;
      return { outcome: 'accepted', errors: [], referral: answerOf(status) };
    } catch (e) {
      if (!(e instanceof ReferralRejection)) throw e;
      return refused(locateRejection(e));
    }
  }
}

function refused(error: Hl7Error): Answer {
  return { outcome: 'content-error', errors: [error] };
}
