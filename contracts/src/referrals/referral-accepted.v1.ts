import { guard, id, instant, institutionCode, object, optional, text, type DataCheck } from './schema';

export const REFERRAL_ACCEPTED = 'ReferralAccepted';

/** The receiver agreed to take the patient on (已接诊). */
export interface ReferralAcceptedV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly acceptedAt: string;
  /** The department that takes the patient, when the receiver named it. */
  readonly department?: string;
}

export const checkReferralAcceptedV1: DataCheck = object<ReferralAcceptedV1>({
  referralId: id,
  receiver: institutionCode,
  acceptedAt: instant,
  department: optional(text({ max: 100 })),
});

export const isReferralAcceptedV1 = guard<ReferralAcceptedV1>(checkReferralAcceptedV1);
