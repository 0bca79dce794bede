import { guard, id, instant, institutionCode, object, type DataCheck } from './schema';

export const REFERRAL_ARRIVED = 'ReferralArrived';

/** The patient arrived at the receiver (到诊); the sender is told (到诊通知). */
export interface ReferralArrivedV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly arrivedAt: string;
}

export const checkReferralArrivedV1: DataCheck = object<ReferralArrivedV1>({
  referralId: id,
  receiver: institutionCode,
  arrivedAt: instant,
});

export const isReferralArrivedV1 = guard<ReferralArrivedV1>(checkReferralArrivedV1);
