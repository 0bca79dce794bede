import { guard, id, instant, institutionCode, object, type DataCheck } from './schema';

export const REFERRAL_COMPLETED = 'ReferralCompleted';

/** The receiver finished the care the referral asked for. */
export interface ReferralCompletedV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly completedAt: string;
}

export const checkReferralCompletedV1: DataCheck = object<ReferralCompletedV1>({
  referralId: id,
  receiver: institutionCode,
  completedAt: instant,
});

export const isReferralCompletedV1 = guard<ReferralCompletedV1>(checkReferralCompletedV1);
