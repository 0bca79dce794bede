import { guard, id, instant, object, type DataCheck } from './schema';

export const REFERRAL_EXPIRED = 'ReferralExpired';

/** The receiver did not answer before the deadline. Decided by the hub (a scheduler), not
 * sent by anyone; `source.protocol` of its envelope is 'hub'. */
export interface ReferralExpiredV1 {
  readonly referralId: string;
  /** The deadline that passed (requestedAt + the alliance's response hours). */
  readonly deadline: string;
  /** When the hub recorded the expiry (the scheduler's `now`, at or after the deadline). */
  readonly expiredAt: string;
}

export const checkReferralExpiredV1: DataCheck = object<ReferralExpiredV1>({
  referralId: id,
  deadline: instant,
  expiredAt: instant,
});

export const isReferralExpiredV1 = guard<ReferralExpiredV1>(checkReferralExpiredV1);
