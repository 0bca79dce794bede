import { SCHEDULE_KINDS, type ScheduleKind } from './referral';
import { bool, guard, id, instant, institutionCode, object, oneOf, text, type DataCheck } from './schema';

export const REFERRAL_SCHEDULED = 'ReferralScheduled';

/** The receiver booked an appointment, an examination or an admission (预约 / 预约住院). A
 * later ReferralScheduled for the same referral replaces the booking (rescheduled). */
export interface ReferralScheduledV1 {
  readonly referralId: string;
  readonly receiver: string;
  readonly kind: ScheduleKind;
  /** When the patient is expected: the appointment, examination or admission time. */
  readonly bookedFor: string;
  /** Booked through the "three priorities" (三优先) channel for referred patients. */
  readonly priorityChannel: boolean;
  readonly department: string;
  /** When the receiver made the booking. */
  readonly scheduledAt: string;
}

export const checkReferralScheduledV1: DataCheck = object<ReferralScheduledV1>({
  referralId: id,
  receiver: institutionCode,
  kind: oneOf(SCHEDULE_KINDS),
  bookedFor: instant,
  priorityChannel: bool,
  department: text({ max: 100 }),
  scheduledAt: instant,
});

export const isReferralScheduledV1 = guard<ReferralScheduledV1>(checkReferralScheduledV1);
