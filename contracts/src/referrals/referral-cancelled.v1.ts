import { REASON_TEXT_MAX } from './referral';
import { guard, id, instant, institutionCode, object, optional, text, type DataCheck } from './schema';

export const REFERRAL_CANCELLED = 'ReferralCancelled';

/** The sender withdrew the referral before the patient arrived (已取消). */
export interface ReferralCancelledV1 {
  readonly referralId: string;
  readonly sender: string;
  readonly cancelledAt: string;
  readonly reason?: string;
}

export const checkReferralCancelledV1: DataCheck = object<ReferralCancelledV1>({
  referralId: id,
  sender: institutionCode,
  cancelledAt: instant,
  reason: optional(text({ max: REASON_TEXT_MAX })),
});

export const isReferralCancelledV1 = guard<ReferralCancelledV1>(checkReferralCancelledV1);
