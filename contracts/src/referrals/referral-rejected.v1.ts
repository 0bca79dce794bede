import { checkRejectionReason, type RejectionReason } from './referral';
import { guard, id, instant, institutionCode, object, type DataCheck } from './schema';

export const REFERRAL_REJECTED = 'ReferralRejected';

/** The receiver declined (已拒绝), with a reason code and at most 200 characters of text. */
export interface ReferralRejectedV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly rejectedAt: string;
  readonly reason: RejectionReason;
}

export const checkReferralRejectedV1: DataCheck = object<ReferralRejectedV1>({
  referralId: id,
  receiver: institutionCode,
  rejectedAt: instant,
  reason: checkRejectionReason,
});

export const isReferralRejectedV1 = guard<ReferralRejectedV1>(checkReferralRejectedV1);
