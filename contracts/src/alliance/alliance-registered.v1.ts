import { guard, id, instant, integer, object, oneOf, text, type DataCheck } from '../referrals/schema';
import { ALLIANCE_FORMS, MAX_REFERRAL_RESPONSE_HOURS, type AllianceForm } from './alliance';

export const ALLIANCE_REGISTERED = 'AllianceRegistered';

/** An alliance was set up in the hub, with the response time its referrals must meet. */
export interface AllianceRegisteredV1 {
  readonly allianceId: string;
  readonly name: string;
  readonly form: AllianceForm;
  /** A receiver that has not answered a referral this many hours after it was requested lets
   * it expire. Regional policy, so data, not code. */
  readonly referralResponseHours: number;
  readonly registeredAt: string;
}

export const checkAllianceRegisteredV1: DataCheck = object<AllianceRegisteredV1>({
  allianceId: id,
  name: text({ max: 200 }),
  form: oneOf(ALLIANCE_FORMS),
  referralResponseHours: integer(1, MAX_REFERRAL_RESPONSE_HOURS),
  registeredAt: instant,
});

export const isAllianceRegisteredV1 = guard<AllianceRegisteredV1>(checkAllianceRegisteredV1);
