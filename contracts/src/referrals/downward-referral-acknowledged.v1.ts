import { guard, id, instant, institutionCode, object, optional, text, type DataCheck } from './schema';

export const DOWNWARD_REFERRAL_ACKNOWLEDGED = 'DownwardReferralAcknowledged';

/** The receiving community centre confirmed it has the discharge summary and the follow-up
 * plan of a downward referral (下转接收确认). */
export interface DownwardReferralAcknowledgedV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly acknowledgedAt: string;
  readonly note?: string;
}

export const checkDownwardReferralAcknowledgedV1: DataCheck = object<DownwardReferralAcknowledgedV1>({
  referralId: id,
  receiver: institutionCode,
  acknowledgedAt: instant,
  note: optional(text({ max: 200 })),
});

export const isDownwardReferralAcknowledgedV1 = guard<DownwardReferralAcknowledgedV1>(
  checkDownwardReferralAcknowledgedV1,
);
